"""How the ward list behaves at the size of a large force (650 wards). Run with ``-m benchmark``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from commmatters_desktop.core import queries
from commmatters_desktop.core.enums import AgencyKind
from commmatters_desktop.core.services import engagement, people, priorities, wards
from commmatters_desktop.storage.vault import Vault

pytestmark = pytest.mark.benchmark
WARDS = 650


@pytest.fixture
def large_force(vault: Vault) -> Iterator[Vault]:
    import datetime as dt

    with vault.unit_of_work() as s:
        team = people.create_agency(s, name="Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        for n in range(WARDS):
            ward = wards.create_ward(
                s, code=f"E05{900000 + n:06d}", name=f"Ward {n:03d}", la_name=f"LA {n % 30}"
            )
            meeting = engagement.record_meeting(s, ward=ward, held_on=dt.date(2026, 10, 5), venue="Hall")
            p = priorities.propose(s, ward=ward, title=f"Priority {n}")
            priorities.agree(s, priority=p, lead_agency=team, meeting=meeting)
    yield vault


def test_listing_650_wards_with_their_priorities(benchmark: BenchmarkFixture, large_force: Vault) -> None:
    def list_wards() -> int:
        with large_force.reading() as s:
            return len(queries.ward_rows(s, cycle="2026-Q4"))

    assert benchmark(list_wards) == WARDS


def test_opening_a_large_vault(benchmark: BenchmarkFixture, large_force: Vault) -> None:
    from commmatters_desktop.storage.keystore import KeyringStore

    folder = large_force.folder
    large_force.close()
    benchmark(lambda: Vault.open(folder, keystore=KeyringStore()).close())


def test_building_the_board_for_650_wards(benchmark: BenchmarkFixture, large_force: Vault) -> None:
    import datetime as dt

    def cards() -> int:
        with large_force.reading() as s:
            return len(queries.priority_cards(s, cycle="2026-Q4", today=dt.date(2026, 11, 21)))

    assert benchmark(cards) == WARDS


def test_refreshing_the_window_for_650_wards(benchmark: BenchmarkFixture, large_force: Vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from PySide6.QtCore import QSettings

    from commmatters_desktop.core.clock import FixedClock
    from commmatters_desktop.core.enums import PriorityStatus
    from commmatters_desktop.ui.main_window import MainWindow
    from commmatters_desktop.ui.settings import WindowSettings

    settings = WindowSettings(QSettings(str(large_force.folder.parent / "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(
        large_force, clock=FixedClock.on(dt.date(2026, 11, 21)), settings=settings, autolock_minutes=600
    )
    qtbot.addWidget(window)
    benchmark(window.refresh)
    assert window.board.column_of(PriorityStatus.AGREED).proxy.rowCount() == WARDS
