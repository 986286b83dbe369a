"""Snapshots: the rows as stored with their stamps beside them (format 2), written a frame at a time,
taken in whole or not at all; the audit trail taken in as one sealed block; format 1 still read (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop.core.models import Ward
from commmatters_desktop.sync import engine, files, snapshot
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.sync.test_sync import add_ward, edit


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
    assert path.read_bytes().startswith(files.STREAM_MAGIC + b" 2\n")
    team = engine.team_keys(b.vault, shared, TEAM_PASSPHRASE)
    stream = files.open_stream(path, team_id=team.team_id, keys=team.keys)
    assert stream.version == files.STREAM_FORMAT == 2
    order = [table.name for table in snapshot.synced_tables()]  # the models' foreign key order
    entities = [payload["table"] for payload in stream.payloads() if "table" in payload]
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
    elif damage == "a flipped byte":  # inside the second frame's sealed body (its length prefix intact)
        head_end = data.index(b"\n", data.index(b"\n") + 1) + 1
        second = head_end + 5 + int.from_bytes(data[head_end : head_end + 4], "big")
        data[second + 5 + 20] ^= 0x01
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
    newest = max(c.stamp for c in snapshot.stream_changes(stream))
    assert stream.newest_stamp() == newest
    report = engine.SyncReport()
    assert not engine.join_from_snapshot(b.vault, shared, team, report)
    ((_name, reason),) = report.rejected
    assert "more than a day ahead" in reason
    with b.vault.reading() as s:
        assert s.scalars(select(Ward)).all() == []


def write_format_1(laptop: Laptop, shared: Path) -> Path:
    """A snapshot as the version before format 2 wrote it: every stamped field as a change."""
    from commmatters_desktop.sync.state import applied_files

    vault = laptop.vault
    team = engine.team_keys(vault, shared, TEAM_PASSPHRASE)
    key_id, key = team.current
    own = int(vault.meta(engine.NEXT_FILE_META) or 1) - 1
    with vault.reading() as s:
        covers = {device: applied.upto for device, applied in applied_files(s).items()}
        covers[vault.device_id] = own
        header = files.ChangeFile(
            vault.device_id, own, key_id, vault.clock.now().isoformat(), 0, 0, [], covers
        )
        target = files.snapshot_path(shared, vault.device_id, own)
        return files.write_stream(target, header, snapshot.state_frames(s), team_id=team.team_id, key=key)


@pytest.mark.parametrize("frames", ["as written", "tiny frames", "format 1", "format 1 in tiny frames"])
def test_a_laptop_joining_from_a_snapshot_holds_every_row_and_stamp_exactly_as_the_source(
    laptops: list[Laptop], shared: Path, frames: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole demo force (every synced table: enums, dates, times, ids, flags, long text) crosses in a
    snapshot; the joiner's rows and field clocks are the source's, byte for byte, and its audit trail
    holds the source's events and still verifies. With tiny frames the nominations (a table referring to
    itself) span many frames. A snapshot written by the version before (format 1, changes) is still read:
    applied a few frames at a time, never held whole, the self-referencing table in one transaction."""
    from sqlalchemy import text

    from commmatters_desktop.core import audit
    from commmatters_desktop.demo import populate
    from tests.conftest import TODAY

    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        populate(s, TODAY)
    a.sync(shared)
    applied: list[int] = []
    if "tiny" in frames:
        monkeypatch.setattr(snapshot, "ROWS_PER_FRAME", 7)
        monkeypatch.setattr(snapshot, "FRAMES_PER_BATCH", 2)
        monkeypatch.setattr(snapshot, "TABLE_ROWS_PER_FRAME", 7)
        monkeypatch.setattr(snapshot, "EVENTS_PER_FRAME", 5)
        real = snapshot.apply_changes
        monkeypatch.setattr(
            snapshot, "apply_changes", lambda s, batch: applied.append(len(batch)) or real(s, batch)
        )
    if frames.startswith("format 1"):
        path = write_format_1(a, shared)
        assert path.read_bytes().startswith(files.STREAM_MAGIC + b" 1\n")
    else:
        path = engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    team = engine.team_keys(a.vault, shared, TEAM_PASSPHRASE)
    frame_count = sum(1 for _ in files.open_stream(path, team_id=team.team_id, keys=team.keys).payloads())
    report = b.sync(shared)
    assert report.rejected == [] and report.conflicts == 0
    if "tiny" in frames:
        assert frame_count > 1000
    if frames == "format 1 in tiny frames":
        most_fields = max(len(table.columns) for table in snapshot.synced_tables())
        assert len(applied) > 100 and max(applied) <= 2 * 7 * most_fields
    elif frames != "format 1":
        assert applied == []  # format 2 into an empty vault: by SQL, no change merged one by one

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
    trail = "SELECT uid, at, actor, device, action, entity, row_id, summary FROM audit_event ORDER BY id"
    with a.vault.reading() as s:
        theirs = s.execute(text(trail)).all()
    with b.vault.reading() as s:
        ours = s.execute(text(trail)).all()
        assert audit.verify(s, b.vault.audit_key) == []
    assert set(theirs) <= set(ours)  # every event of the source's trail, once
    assert b.vault.check() == []


def test_a_snapshot_another_team_wrote_is_refused_and_changes_nothing(
    laptops: list[Laptop], shared: Path
) -> None:
    """Sealed under another team's key, with its team id: refused by the header, nothing read or changed."""
    import secrets

    a, b, _ = laptops
    for n in range(3):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
    a.sync(shared)
    stranger = files.TeamKeys("another-team", {"kother": secrets.token_bytes(32)}, ["kother"])
    path = engine.write_snapshot(a.vault, shared, stranger)
    assert path.read_bytes().startswith(files.STREAM_MAGIC + b" 2\n")
    team = engine.team_keys(b.vault, shared, TEAM_PASSPHRASE)
    report = engine.SyncReport()
    assert not snapshot.take_snapshot(b.vault, shared, team, report, path)
    assert report.rejected == [(f"snapshots/{path.name}", "it belongs to another team's shared folder")]
    with b.vault.reading() as s:
        assert s.scalars(select(Ward)).all() == []


def test_a_full_disk_while_joining_loses_nothing_and_the_next_sync_joins(
    laptops: list[Laptop], shared: Path
) -> None:
    """The join is one transaction: SQLITE_FULL part way through (produced with max_page_count, as a full
    disk gives it) rolls it all back with the one-line disk-full message; the laptop's own ward, its audit
    trail and its sync state are as before, and the next sync joins whole."""
    from sqlalchemy import event, text

    from commmatters_desktop.core import audit
    from commmatters_desktop.demo import populate
    from commmatters_desktop.storage.vault import DiskFull
    from tests.conftest import TODAY

    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        populate(s, TODAY)
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    add_ward(b, "E05999999", "Before Joining")
    with b.vault.reading() as s:
        before = s.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    b.vault.engine.dispose()

    @event.listens_for(b.vault.engine, "connect")
    def _cap(connection: object, _record: object) -> None:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
        connection.execute(f"PRAGMA max_page_count = {pages + 40}")  # type: ignore[attr-defined]

    with pytest.raises(DiskFull, match="disk is full"):
        b.sync(shared)
    event.remove(b.vault.engine, "connect", _cap)
    b.vault.engine.dispose()
    with b.vault.reading() as s:
        assert [w.code for w in s.scalars(select(Ward))] == ["E05999999"]
        assert s.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == before
        assert s.execute(text("SELECT count(*) FROM sync_ledger")).scalar_one() == 0
        assert audit.verify(s, b.vault.audit_key) == []
    assert b.vault.meta(engine.LAST_SYNC_META) is None
    assert b.vault.check() == []
    report = b.sync(shared)
    assert report.rejected == [] and report.received_files >= 1
    with b.vault.reading() as s:
        assert len(s.scalars(select(Ward)).all()) > 1


def test_a_laptop_holding_rows_already_merges_them_and_takes_the_rest_by_sql(
    laptops: list[Laptop], shared: Path
) -> None:
    """A laptop that made a ward before its first sync (the same natural id as the team's) joins: that
    row goes through the merge rules (its own edit made without seeing the team's is a conflict), every
    other row and stamp arrives as the source has it."""
    a, b, _ = laptops
    for n in range(3):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
    edit(a, "The team's note", code="E05900000")
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    add_ward(b, "E05900000", "Ward 0")
    edit(b, "B's own note", code="E05900000")
    report = b.sync(shared)
    assert report.rejected == []
    with b.vault.reading() as s:
        assert sorted(w.code for w in s.scalars(select(Ward))) == ["E05900000", "E05900001", "E05900002"]
        conflicts = engine.open_conflicts(s)
    assert [c.field for c in conflicts] == ["notes"]
    # The rows taken by SQL keep every stamp they had: without them this laptop would take any older
    # change to those fields arriving later as newer, and part from the team for good.
    assert _clocks(b, "E05900001", "E05900002") == _clocks(a, "E05900001", "E05900002")
    assert len(_clocks(b, "E05900001", "E05900002")) > 6


def _clocks(laptop: Laptop, *codes: str) -> list[tuple[str, str, str]]:
    from commmatters_desktop.core.models import FieldClock

    with laptop.vault.reading() as s:
        ids = [str(w.id) for w in s.scalars(select(Ward).where(Ward.code.in_(codes)))]
        rows = s.execute(
            select(FieldClock.row_id, FieldClock.field, FieldClock.stamp)
            .where(FieldClock.entity == "ward", FieldClock.row_id.in_(ids))
            .order_by(FieldClock.row_id, FieldClock.field)
        )
        return [tuple(r) for r in rows]


def test_the_trail_taken_in_as_a_block_reports_any_event_of_it_changed(
    laptops: list[Laptop], shared: Path
) -> None:
    """The snapshot's events go in as one block, recorded by one sealed event of this laptop ("took in N
    events ... digest D"); editing, removing or adding an event of the block, or editing the record, is
    found by the chain check like any break."""
    from sqlalchemy import text

    from commmatters_desktop.core import audit
    from commmatters_desktop.storage.engine import connect_raw
    from tests.privacy.test_audit_chain import tamper

    a, b, _ = laptops
    for n in range(3):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    b.sync(shared)
    with b.vault.reading() as s:
        block = s.execute(text("SELECT id, mac FROM audit_event WHERE mac LIKE 'block:%' ORDER BY id")).all()
        record = s.execute(
            text("SELECT id, uid, action, summary FROM audit_event WHERE action = :a"), {"a": audit.TAKE_IN}
        ).one()
        assert audit.verify(s, b.vault.audit_key) == []
    assert len(block) >= 3 and record.id == block[-1].id + 1 and block[0].mac == f"block:{record.uid}"
    assert record.summary.startswith(f"took in {len(block)} events of the team's history from snapshot ")
    first, last = block[0].id, block[-1].id
    b.vault.close()
    tamper(b.vault, f"UPDATE audit_event SET summary = 'nothing happened' WHERE id = {first + 1}")
    b.reopen()
    assert any(
        f"events {first} to {last}, taken in from snapshot" in problem and "edited, removed, added" in problem
        for problem in b.vault.check()
    )
    b.vault.close()
    connection = connect_raw(b.vault.db_path, b.vault._key)  # its triggers were dropped above
    connection.execute(f"UPDATE audit_event SET summary = 'took in 1 events' WHERE id = {record.id}")
    connection.close()
    b.reopen()
    with b.vault.reading() as s:
        found = [p.message for p in audit.verify(s, b.vault.audit_key)]
    assert any(f"event {record.id} " in problem and "does not follow" in problem for problem in found)


def test_telling_rows_held_here_from_new_ones_costs_an_index_look_up_a_row(laptops: list[Laptop]) -> None:
    """Taking a snapshot into a vault that holds rows of a table asks of each staged row whether it is
    held here: by index, never by listing every row id of the table's clocks for each frame."""
    from sqlalchemy import text

    with laptops[0].vault.reading() as s:
        s.execute(text("CREATE TEMP TABLE staged (c_id, _rid, _stamps)"))
        plan = " | ".join(
            str(row[-1])
            for row in s.execute(
                text(f"EXPLAIN QUERY PLAN SELECT * FROM staged AS s WHERE {snapshot.held_here('nomination')}")
            )
        )
    assert "LIST SUBQUERY" not in plan and "SCAN field_clock" not in plan, plan
    assert "(entity=? AND row_id=?)" in plan and "(id=?)" in plan, plan


def test_the_version_before_meeting_this_versions_snapshot_says_update_not_damaged(
    laptops: list[Laptop], shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot format changed (2) in this release, so the app version did too: the release before
    (0.1.0, format 1 only) reads the higher format from a higher version as "update this laptop", which
    it says only when the writer's version is above its own (else a flipped bit: "damaged")."""
    path = snapshot_of(laptops[0], shared)
    magic, header_line = path.read_bytes().split(b"\n", 2)[:2]
    assert magic == files.STREAM_MAGIC + b" 2"
    monkeypatch.setattr(files, "__version__", "0.1.0")  # what the release before reads it with
    with pytest.raises(files.BadChangeFile, match="newer version"):
        files._parse_header(b" 2", header_line, 1)
