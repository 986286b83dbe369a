"""Sync's cost follows what is new, not what the vault already holds: counted in SQLite's own
virtual machine steps (deterministic), never timed (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from commmatters_desktop.core.services import wards
from commmatters_desktop.sync import engine
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.sync.test_sync import add_ward, edit

TICK = 1000


def steps_to_import(laptop: Laptop, shared: Path) -> int:
    """SQLite VM instructions (in thousands) spent taking in what the shared folder holds."""
    ticks = [0]

    def count() -> int:
        ticks[0] += 1
        return 0

    def watch(conn: Any, *_args: Any) -> None:
        conn.connection.driver_connection.set_progress_handler(count, TICK)

    vault = laptop.vault
    team = engine.team_keys(vault, shared, TEAM_PASSPHRASE)
    event.listen(vault.engine, "before_cursor_execute", watch)
    try:
        report = engine.SyncReport()
        engine.import_all(vault, shared, team, report)
    finally:
        event.remove(vault.engine, "before_cursor_execute", watch)
    assert report.received_files == 1 and not report.waiting
    return ticks[0]


def test_importing_100_changes_into_a_full_vault_costs_no_more_than_into_an_empty_one(
    laptops: list[Laptop], shared: Path
) -> None:
    a, empty, full = laptops
    with full.vault.unit_of_work() as s:
        for n in range(600):
            wards.create_ward(s, code=f"E05{800000 + n:06d}", name=f"Old ward {n}", la_name="Bolton")
    for n in range(10):  # about a hundred changes: ten new wards and their fields, then edits
        add_ward(a, f"E05{900000 + n:06d}", f"New ward {n}")
    for n in range(20):
        edit(a, f"note {n}", code="E05900000")
    engine.export(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    into_empty = steps_to_import(empty, shared)
    into_full = steps_to_import(full, shared)
    assert into_full <= 2 * into_empty + 5, (into_full, into_empty)
