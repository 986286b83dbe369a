"""The force-scale generator and its figures keep working as the code changes (a tiny vault of the same shape).

Run with ``-m benchmark``; the full measurement is ``python -m tests.benchmarks.forcescale table``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commmatters_desktop.core.enums import PriorityStatus
from commmatters_desktop.core.models import Priority
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
