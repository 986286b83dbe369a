"""Streamed snapshots: written a frame at a time, read whole or not at all (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop.core.models import Ward
from commmatters_desktop.sync import engine, files, snapshot
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.sync.test_sync import add_ward


def snapshot_of(laptop: Laptop, shared: Path) -> Path:
    for n in range(3):
        add_ward(laptop, f"E05{900000 + n:06d}", f"Ward {n}")
    laptop.sync(shared)
    return engine.write_snapshot(
        laptop.vault, shared, engine.team_keys(laptop.vault, shared, TEAM_PASSPHRASE)
    )


def test_a_snapshot_is_streamed_parents_first_and_a_new_laptop_joins_from_it(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    path = snapshot_of(a, shared)
    assert path.read_bytes().startswith(files.STREAM_MAGIC)
    team = engine.team_keys(b.vault, shared, TEAM_PASSPHRASE)
    stream = files.open_stream(path, team_id=team.team_id, keys=team.keys)
    order = [table.name for table in snapshot.synced_tables()]  # the models' foreign key order
    entities = [frame[0].entity for frame in stream.frames() if frame[0].entity != engine.AUDIT_ENTITY]
    assert "ward" in entities and entities == sorted(entities, key=order.index)
    assert order.index("ward") < order.index("priority") < order.index("action")
    report = engine.SyncReport()
    assert engine.join_from_snapshot(b.vault, shared, team, report)
    assert report.changed.everything and len(report.changed) == 0  # the window reloads; no row lists kept
    with b.vault.reading() as s:
        assert len(s.scalars(select(Ward)).all()) == 3


@pytest.mark.parametrize("damage", ["cut short", "a flipped byte", "frames swapped"])
def test_a_damaged_snapshot_is_rejected_whole_and_changes_nothing(
    laptops: list[Laptop], shared: Path, damage: str
) -> None:
    a, b, _ = laptops
    path = snapshot_of(a, shared)
    data = bytearray(path.read_bytes())
    if damage == "cut short":
        data = data[: len(data) - 40]
    elif damage == "a flipped byte":
        data[len(data) // 2] ^= 0x01
    else:
        head_end = data.index(b"\n", data.index(b"\n") + 1) + 1
        first = 5 + int.from_bytes(data[head_end : head_end + 4], "big")
        second = 5 + int.from_bytes(data[head_end + first : head_end + first + 4], "big")
        data[head_end : head_end + first + second] = (
            data[head_end + first : head_end + first + second] + data[head_end : head_end + first]
        )
    path.write_bytes(bytes(data))
    team = engine.team_keys(b.vault, shared, TEAM_PASSPHRASE)
    report = engine.SyncReport()
    assert not engine.join_from_snapshot(b.vault, shared, team, report)
    ((name, reason),) = report.rejected
    assert name == f"snapshots/{path.name}"
    assert ("incomplete" in reason) if damage == "cut short" else ("altered or damaged" in reason)
    with b.vault.reading() as s:
        assert s.scalars(select(Ward)).all() == []


def test_a_snapshot_from_a_laptop_whose_clock_is_days_ahead_is_set_aside(
    laptops: list[Laptop], shared: Path
) -> None:
    """The clock rule reads the newest stamp the sealed last frame names, after authenticating every frame."""
    a, b, _ = laptops
    a.clock.advance(days=3)
    path = snapshot_of(a, shared)
    team = engine.team_keys(b.vault, shared, TEAM_PASSPHRASE)
    stream = files.open_stream(path, team_id=team.team_id, keys=team.keys)
    newest = max(c.stamp for frame in stream.frames() for c in frame)
    assert stream.newest_stamp() == newest
    report = engine.SyncReport()
    assert not engine.join_from_snapshot(b.vault, shared, team, report)
    ((_name, reason),) = report.rejected
    assert "more than a day ahead" in reason
    with b.vault.reading() as s:
        assert s.scalars(select(Ward)).all() == []


@pytest.mark.parametrize("frames", ["as written", "tiny frames"])
def test_a_laptop_joining_from_a_snapshot_holds_every_row_and_stamp_exactly_as_the_source(
    laptops: list[Laptop], shared: Path, frames: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole demo force (every synced table: enums, dates, times, ids, flags, long text) crosses in a
    snapshot; the joiner's rows and field clocks are the source's, byte for byte. With tiny frames the
    nominations (a table referring to itself) span many frames: they are applied a few frames at a time,
    never held whole, in one transaction."""
    from sqlalchemy import text

    from commmatters_desktop.demo import populate
    from tests.conftest import TODAY

    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        populate(s, TODAY)
    a.sync(shared)
    applied: list[int] = []
    if frames == "tiny frames":
        monkeypatch.setattr(snapshot, "ROWS_PER_FRAME", 7)
        monkeypatch.setattr(snapshot, "FRAMES_PER_BATCH", 2)
        real = snapshot.apply_changes
        monkeypatch.setattr(
            snapshot, "apply_changes", lambda s, batch: applied.append(len(batch)) or real(s, batch)
        )
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    report = b.sync(shared)
    assert report.rejected == [] and report.conflicts == 0
    if frames == "tiny frames":
        most_fields = max(len(table.columns) for table in snapshot.synced_tables())
        assert len(applied) > 100 and max(applied) <= 2 * 7 * most_fields

    def dump(laptop: Laptop) -> dict[str, list[tuple[object, ...]]]:
        with laptop.vault.reading() as s:
            found = {
                table.name: s.execute(text(f'SELECT * FROM "{table.name}" ORDER BY id')).all()
                for table in snapshot.synced_tables()
            }
            found["field_clock"] = s.execute(
                text("SELECT entity, row_id, field, stamp FROM field_clock ORDER BY entity, row_id, field")
            ).all()
        return found

    source, joined = dump(a), dump(b)
    assert sum(len(rows) for rows in source.values()) > 10_000
    for name, rows in source.items():
        assert joined[name] == rows, name
