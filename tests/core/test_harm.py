"""The Social Harm Index's documented formula, worked by hand on three wards."""

from __future__ import annotations

import pytest

from commmatters_desktop.core.harm import harm_index
from commmatters_desktop.core.services import crime, wards
from commmatters_desktop.importers.imd import imd_ranks
from commmatters_desktop.importers.police_uk import CrimeTally
from commmatters_desktop.storage.vault import Vault


def test_three_wards_worked_by_hand(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        for code, lsoas in (("E05000001", ["E01000001", "E01000002"]), ("E05000002", ["E01000003"]),
                            ("E05000003", ["E01000004", "E01999999"])):  # fmt: skip
            ward = wards.create_ward(s, code=code, name=code[-1], la_name="LA")
            wards.set_lsoas(s, ward=ward, lsoas=[(c, "") for c in lsoas])
        tally = CrimeTally()
        tally.counts.update({("F", "2026-10", "E05000001", "Burglary"): 34, ("F", "2026-09", "E05000002", "Drugs"): 34,
                             ("F", "2026-10", "E05000003", "Anti-social behaviour"): 17})  # fmt: skip
        crime.store_tally(s, tally)
    # IMD ranks (1 = most deprived of 32,844): need = 1 - (rank - 1) / 32,843, averaged over known LSOAs.
    imd = {"E01000001": 1, "E01000002": 32844, "E01000003": 8212, "E01000004": 1}
    with vault.reading() as s:
        index = harm_index(s, imd)
    rows = {r.code: r for r in index.rows}
    # Demand per 1,000 (1,700 residents an LSOA): 34/3400 -> 10.0; 34/1700 -> 20.0; 17/3400 -> 5.0
    assert [rows[c].demand for c in ("E05000001", "E05000002", "E05000003")] == [10.0, 20.0, 5.0]
    # Need: (1 + 0) / 2 = 0.5; 1 - 8211/32843 = 0.75; 1.0 (the unknown 2021 LSOA left out and counted)
    assert rows["E05000001"].need == pytest.approx(0.5)
    assert rows["E05000002"].need == pytest.approx(1 - 8211 / 32843)
    assert rows["E05000003"].need == 1.0 and rows["E05000003"].lsoas_without_imd == 1
    # Percentiles among the 3 wards (share of the other 2 below): demand 0.5, 1, 0; need 0, 0.5, 1.
    # Index = 50 * (demand + need): 25, 75, 50.
    assert [(r.code, r.index) for r in index.rows] == [
        ("E05000002", 75.0),
        ("E05000003", 50.0),
        ("E05000001", 25.0),
    ]
    assert index.order() == ["E05000002", "E05000003", "E05000001"]
    assert index.months[-1] == "2026-10" and len(index.months) == 12


def test_the_shipped_imd_file_is_read_whole() -> None:
    ranks = imd_ranks()
    assert len(ranks) == 32844 and ranks["E01000001"] == 29199 and min(ranks.values()) == 1
