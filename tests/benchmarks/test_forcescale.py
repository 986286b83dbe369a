"""The force-scale generator and its figures keep working as the code changes (a tiny vault of the same shape).

Run with ``-m benchmark``; the full measurement is ``python -m tests.benchmarks.forcescale table``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import Priority
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault
from tests.benchmarks import filekeyring, forcescale
from tests.benchmarks.figures import FIGURES, Work

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    filekeyring.use(folder / "keyring.json")
    counts = forcescale.build(folder / "vault", wards_count=4, cycle_count=2)
    assert counts["wards"] == 4 and counts["nominations"] == 4 * 2 * forcescale.NOMINATIONS
    assert counts["priorities"] >= 6 and counts["change_log"] > counts["field_clocks"] > 0
    return folder


def test_past_quarters_are_closed_and_their_leaflets_can_be_made(tiny: Path) -> None:
    from sqlalchemy import select

    filekeyring.use(tiny / "keyring.json")
    work = Work("tiny", tiny, tiny / "scratch")
    work.scratch.mkdir(exist_ok=True)
    with work.open() as vault, vault.reading() as s:
        statuses = {p.status for p in s.scalars(select(Priority))}
    assert PriorityStatus.CLOSED in statuses, statuses
    made = FIGURES["leaflet"](work)
    assert made["value"] > 0 and made["names"] > 0


def test_the_build_report_is_read_back(tmp_path: Path) -> None:
    cached = forcescale.Cached(tmp_path)
    assert cached.report() is None
    cached.report_path.write_text(
        json.dumps({"size": "x", "wards": 1, "cycles": 1, "seconds": 1.0, "counts": {}})
    )
    report = cached.report()
    assert report is not None and report.wards == 1


def test_the_join_figure_takes_in_fifty_laptops_files_without_conflicts(tiny: Path) -> None:
    from tests.benchmarks.figures import CHANGES_EACH, FILES_EACH, LAPTOPS

    filekeyring.use(tiny / "keyring.json")
    work = Work("tiny", tiny, tiny / "scratch-join")
    work.scratch.mkdir(exist_ok=True)
    joined = FIGURES["join"](work)
    assert joined["received_files"] == 1 + LAPTOPS * FILES_EACH and joined["conflicts"] == 0
    assert joined["received_changes"] > LAPTOPS * FILES_EACH * CHANGES_EACH


def test_two_laptops_build_the_same_force_as_one_and_the_coordinator_holds_it_all(tmp_path: Path) -> None:
    """Two boroughs built side by side (the second laptop a process of its own, joined through sync) give
    the coordinator every row, field clock, name and audit event a one-laptop build gives; the vault
    checks clean and syncs with whatever folder it is given next (it left the build's team)."""
    from sqlalchemy import func, select

    from commmatters_desktop.core import audit
    from commmatters_desktop.core.models import Person
    from commmatters_desktop.sync import engine
    from commmatters_desktop.sync.state import TEAM_META

    wards = 2 * forcescale.WARDS_PER_AUTHORITY
    assert [len(part) for part in forcescale.slices(wards, 2)] == [20, 20]
    made: dict[int, dict[str, int]] = {}
    for laptops in (1, 2):
        filekeyring.use(tmp_path / f"keyring-{laptops}.json")
        made[laptops] = forcescale.build(
            tmp_path / f"vault-{laptops}", wards_count=wards, cycle_count=1, laptops=laptops
        )
        assert not (tmp_path / f"vault-{laptops}.build-folder").exists(), "the build's folder is removed"
    one, two = made[1], made[2]
    assert {k: v for k, v in two.items() if k != "change_log"} == {
        **{k: v for k, v in one.items() if k != "change_log"},
        # Each laptop's record of taking in the other's trail: the partners, then the other's five years.
        "audit_events": one["audit_events"] + 2,
    }
    assert one["change_log"] > two["change_log"] > one["change_log"] // 3  # the other's history as state
    filekeyring.use(tmp_path / "keyring-2.json")
    with Vault.open(tmp_path / "vault-2", keystore=KeyringStore(), clock=forcescale.clock()) as vault:
        assert vault.check() == [] and vault.meta(TEAM_META) is None
        with vault.reading() as s:
            assert audit.verify(s, vault.audit_key) == []
            names = s.scalar(select(func.count(func.distinct(Person.full_name))))
            assert names == wards * forcescale.PEOPLE_PER_WARD  # no name made twice by the two laptops
        (tmp_path / "next-folder").mkdir()
        report = engine.sync(vault, tmp_path / "next-folder", passphrase="a new team")
        assert report.rejected == []
