"""Sync between laptops through a shared folder: exchange, merge, conflicts, bad files, crashes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop import __version__
from commmatters_desktop.core.enums import AgencyKind, PriorityStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Priority, SyncLedger, Ward
from commmatters_desktop.core.services import common, people, priorities, wards
from commmatters_desktop.storage.vault import DiskFull
from commmatters_desktop.sync import engine, exchange, files
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop


def ward_named(laptop: Laptop, code: str = "E05000650") -> Ward | None:
    with laptop.vault.reading() as s:
        return wards.ward_by_code(s, code)


def add_ward(laptop: Laptop, code: str = "E05000650", name: str = "Astley Bridge") -> None:
    with laptop.vault.unit_of_work() as s:
        wards.create_ward(s, code=code, name=name, la_name="Bolton")


def edit(laptop: Laptop, notes: str, code: str = "E05000650") -> None:
    with laptop.vault.unit_of_work() as s:
        wards.update_ward(s, ward=wards.ward_by_code(s, code), notes=notes)  # type: ignore[arg-type]


def test_two_laptops_exchange_what_each_did(laptops: list[Laptop], shared: Path) -> None:
    a, b, _ = laptops
    add_ward(a)
    report = a.sync(shared)
    assert (report.sent_files, report.received_files) == (1, 0) and report.sent_changes > 0
    assert (shared / "commmatters" / "team.json").exists()
    received = b.sync(shared)
    assert received.received_files == 1 and ward_named(b) is not None
    edit(b, "Panel moved to the library")
    b.sync(shared)
    a.sync(shared)
    assert ward_named(a).notes == "Panel moved to the library"  # type: ignore[union-attr]
    again = a.sync(shared)
    assert (again.received_files, again.sent_files) == (0, 0), "importing twice changes nothing"


def test_the_change_files_are_encrypted(laptops: list[Laptop], shared: Path) -> None:
    a, _, _ = laptops
    add_ward(a, name="Zebedee Quintrell Ward")
    a.sync(shared)
    for path in (shared / "commmatters").rglob("*"):
        if path.is_file():
            assert b"Zebedee" not in path.read_bytes()


def test_a_concurrent_edit_is_a_conflict_both_see_and_nothing_is_dropped(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    edit(a, "From laptop A")
    b.clock.advance(minutes=5)
    edit(b, "From laptop B")
    a.sync(shared)
    b.sync(shared)
    a.sync(shared)
    assert ward_named(a).notes == ward_named(b).notes == "From laptop B"  # type: ignore[union-attr]
    for laptop in (a, b):
        with laptop.vault.reading() as s:
            (conflict,) = engine.open_conflicts(s)
        assert conflict.field == "notes" and {conflict.local_value, conflict.remote_value} == {
            "From laptop A",
            "From laptop B",
        }
    # A chooses its own value: it becomes a new edit and travels to B.
    with a.vault.reading() as s:
        (conflict,) = engine.open_conflicts(s)
    keep = "local" if conflict.local_value == "From laptop A" else "remote"
    with a.vault.unit_of_work() as s:
        engine.resolve_conflict(s, conflict.id, keep=keep)
    a.sync(shared)
    b.sync(shared)
    assert ward_named(a).notes == ward_named(b).notes == "From laptop A"  # type: ignore[union-attr]


def test_an_edit_after_a_deletion_elsewhere_is_a_conflict(laptops: list[Laptop], shared: Path) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    with a.vault.unit_of_work() as s:
        common.tombstone(s, wards.ward_by_code(s, "E05000650"))  # type: ignore[arg-type]
    edit(b, "Still needed")
    a.sync(shared)
    b.sync(shared)
    a.sync(shared)
    with a.vault.reading() as s:
        conflicts = engine.open_conflicts(s)
    assert any("deleted" in c.note or c.field == "deleted" for c in conflicts)


def test_two_agreed_priorities_for_one_ward_become_one_and_a_conflict(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    with a.vault.unit_of_work() as s:
        people.create_agency(s, name="Bolton Council", kind=AgencyKind.LOCAL_AUTHORITY)
    a.sync(shared)
    b.sync(shared)
    for laptop, title in ((a, "Speeding"), (b, "Drugs in the park")):
        laptop.clock.advance(minutes=1)
        with laptop.vault.unit_of_work() as s:
            ward = wards.ward_by_code(s, "E05000650")
            council = s.scalars(select(people.Agency)).first()
            p = priorities.propose(s, ward=ward, title=title)  # type: ignore[arg-type]
            priorities.agree(s, priority=p, lead_agency=council, ratified_online=True)  # type: ignore[arg-type]
    for laptop in (a, b, a, b):
        laptop.sync(shared)
    states = []
    for laptop in (a, b):
        with laptop.vault.reading() as s:
            states.append(sorted((p.title, p.status) for p in s.scalars(select(Priority))))
            assert any("Two laptops agreed different priorities" in c.note for c in engine.open_conflicts(s))
    assert states[0] == states[1]
    assert sorted(status for _title, status in states[0]) == [PriorityStatus.AGREED, PriorityStatus.NOMINATED]


def test_every_bad_file_is_rejected_with_a_reason_and_the_rest_still_sync(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, c = laptops
    add_ward(a)
    a.sync(shared)
    add_ward(c, "E05000651", "Bradshaw")
    c.sync(shared)
    root = shared / "commmatters"
    good = (root / a.vault.device_id / "0000000001.cmchange").read_bytes()
    flipped = bytearray(good)
    flipped[-5] ^= 0x01
    version_bit = good.replace(b"CMCHANGE 1", b"CMCHANGE 9", 1)  # '1' -> '9' is one flipped bit
    bad = {
        "empty": b"",  # zero bytes: still copying
        "half": good[: len(good) // 2],  # half copied
        "tampered": bytes(flipped),
        "version bit": version_bit,
        "newer": version_bit.replace(f'"version": "{__version__}"'.encode(), b'"version": "9.0.0"'),
        "null header": b"CMCHANGE 1\nnull\n" + bytes(64),
        "list header": b"CMCHANGE 1\n[]\n" + bytes(64),
    }
    for label, data in bad.items():
        (root / label.replace(" ", "-")).mkdir()
        (root / label.replace(" ", "-") / "0000000001.cmchange").write_bytes(data)
    folder = root / a.vault.device_id
    (folder / "0000000009.cmchange").mkdir()  # a folder named like a change file
    for junk in (
        "desktop.ini",
        "0000000006 (conflicted copy).cmchange",
        "~$notes.cmchange",
        ".0000000007.cmchange.1a2b.tmp",
    ):
        (folder / junk).write_bytes(b"junk")
    report = b.sync(shared)  # junk never aborts a sync: each entry is set aside with its reason
    assert ward_named(b, "E05000650") is not None and ward_named(b, "E05000651") is not None
    reasons = {name.split("/")[0]: reason for name, reason in report.rejected}
    assert reasons["empty"].startswith("the file is empty (it may still be copying")
    assert reasons["half"] == files.INCOMPLETE and "it will be retried" in reasons["half"]
    assert reasons["tampered"] == "it has been altered or damaged since it was written, so it was not used"
    assert reasons["version-bit"] == files.DAMAGED_HEADER, "a flipped bit is damage, not a newer app"
    assert "newer version" in reasons["newer"]
    assert reasons["null-header"] == reasons["list-header"] == files.DAMAGED_HEADER
    assert reasons[a.vault.device_id] == "it is a folder, not a change file"
    assert len(report.rejected) == 8 and report.ignored >= 4
    assert "8 files rejected" in report.describe()


def test_a_header_bit_flip_is_not_called_another_team(laptops: list[Laptop], shared: Path) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    path = shared / "commmatters" / a.vault.device_id / "0000000001.cmchange"
    team = json.loads((shared / "commmatters" / "team.json").read_text())["team"]
    path.write_bytes(
        path.read_bytes().replace(
            team.encode(), (team[:-1] + ("1" if team.endswith("0") else "0")).encode(), 1
        )
    )
    with b.vault.unit_of_work() as s:
        s.execute(SyncLedger.__table__.delete())
    (rejected,) = b.sync(shared).rejected
    assert rejected[1] == files.DAMAGED_HEADER


def test_a_file_from_another_team_is_refused(laptops: list[Laptop], shared: Path, tmp_path: Path) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    other = tmp_path / "other"
    other.mkdir()
    b.sync(other, passphrase="another team entirely")
    with pytest.raises(UserError, match="belongs to a different team"):
        b.sync(shared)


def test_joining_needs_the_right_passphrase_and_a_rotated_key_still_reads_old_files(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, c = laptops
    add_ward(a)
    a.sync(shared)
    with pytest.raises(UserError, match="does not open the shared folder's team key"):
        b.sync(shared, passphrase="not the team passphrase")
    with pytest.raises(UserError, match="has not joined the team"):
        b.sync(shared, passphrase=None)
    team = engine.team_keys(a.vault, shared, None)
    files.rotate_key(shared, team, TEAM_PASSPHRASE, a.clock.now())
    a.vault.set_meta(engine.TEAM_META, team.to_meta())
    add_ward(a, "E05000651", "Bradshaw")
    a.sync(shared)
    c.sync(shared)
    assert ward_named(c, "E05000650") is not None and ward_named(c, "E05000651") is not None
    keys = [json.loads((shared / "commmatters" / "team.json").read_text())["keys"][i]["id"] for i in range(2)]
    assert len(set(keys)) == 2


def test_a_crash_after_writing_but_before_noting_it_loses_and_repeats_nothing(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    add_ward(a, "E05000651", "Bradshaw")
    watermark, next_file = a.vault.meta(engine.EXPORTED_META), a.vault.meta(engine.NEXT_FILE_META)
    a.sync(shared)
    # As if the laptop died between the rename and the bookkeeping:
    a.vault.set_meta(engine.EXPORTED_META, watermark or "0")
    a.vault.set_meta(engine.NEXT_FILE_META, next_file or "1")
    add_ward(a, "E05000652", "Breightmet")
    a.sync(shared)
    names = sorted(p.name for p in (shared / "commmatters" / a.vault.device_id).glob("*.cmchange"))
    assert names == ["0000000001.cmchange", "0000000002.cmchange", "0000000003.cmchange"]
    b.sync(shared)
    assert all(ward_named(b, code) is not None for code in ("E05000650", "E05000651", "E05000652"))


def test_a_crash_during_import_applies_nothing_of_that_file(
    laptops: list[Laptop], shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    original = exchange.apply_changes

    def crash(session, incoming):  # type: ignore[no-untyped-def]
        original(session, incoming)
        raise RuntimeError("power cut between applying and the ledger")

    monkeypatch.setattr(exchange, "apply_changes", crash)
    with pytest.raises(RuntimeError):
        b.sync(shared)
    assert ward_named(b) is None
    with b.vault.reading() as s:
        assert s.scalars(select(SyncLedger)).all() == []
    monkeypatch.setattr(exchange, "apply_changes", original)
    b.sync(shared)
    assert ward_named(b) is not None


def test_a_vanished_folder_and_a_full_disk_lose_nothing(
    laptops: list[Laptop], shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = laptops
    add_ward(a)
    with pytest.raises(engine.FolderUnreachable, match="cannot be reached"):
        a.sync(shared / "not-plugged-in")
    monkeypatch.setattr(files, "atomic_write", lambda *_a, **_k: (_ for _ in ()).throw(DiskFull()))
    with pytest.raises(DiskFull):
        a.sync(shared)
    monkeypatch.undo()
    assert engine.pending_changes(a.vault) > 0
    a.sync(shared)
    b.sync(shared)
    assert ward_named(b) is not None


def test_hours_of_clock_skew_still_order_edits_by_what_each_laptop_saw(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    b.clock.advance(hours=-6)  # laptop B's clock is six hours slow
    add_ward(a)
    edit(a, "First, on laptop A")
    a.sync(shared)
    b.sync(shared)
    edit(b, "Later, on slow laptop B")  # made after seeing A's edit: it must win, not lose to the clock
    b.sync(shared)
    a.sync(shared)
    assert ward_named(a).notes == "Later, on slow laptop B"  # type: ignore[union-attr]
    with a.vault.reading() as s:
        assert engine.open_conflicts(s) == []


def test_a_new_laptop_joins_from_a_snapshot_and_reads_only_newer_files(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, c = laptops
    for n in range(30):  # a long history: thirty files
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
        a.sync(shared)
    b.sync(shared)
    team = engine.team_keys(b.vault, shared, None)
    snapshot = engine.write_snapshot(b.vault, shared, team)
    assert snapshot.parent.name == "snapshots" and b"Ward 1" not in snapshot.read_bytes()
    add_ward(a, "E05000650", "Astley Bridge")  # one more file after the snapshot
    a.sync(shared)
    report = c.sync(shared)
    assert report.received_files == 2, "the snapshot and the one newer file, not thirty-one files"
    with c.vault.reading() as s:
        codes = {w.code for w in s.scalars(select(Ward))}
    assert len(codes) == 31 and "E05000650" in codes
    again = c.sync(shared)
    assert again.received_files == 0
    # The joined laptop's own edits still travel to the others.
    edit(c, "From the new laptop")
    c.sync(shared)
    a.sync(shared)
    assert ward_named(a).notes == "From the new laptop"  # type: ignore[union-attr]


# Three whole demo forces (now with survey waves and evidence choices) through sync: about 135 s on a
# loaded 2-core machine, so it gets more than the suite's 120 s guard.
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_three_demo_laptops_edit_the_same_priorities_and_end_identical(
    _demo_template: Path, tmp_path: Path, shared: Path, clock: object
) -> None:
    """The issue's scenario: the demo force on three laptops, offline edits, syncs in any order."""
    import shutil

    from commmatters_desktop.core import changes as change_log
    from commmatters_desktop.core.clock import FixedClock
    from commmatters_desktop.demo import open_demo

    vaults = []
    for index in range(3):
        folder = tmp_path / f"demo-{index}"
        shutil.copytree(_demo_template, folder)
        vault = open_demo(folder, clock=FixedClock.on(__import__("datetime").date(2026, 11, 21)))
        vault.set_meta(change_log.DEVICE_META_KEY, f"demo{index}")
        vault.close()
        vaults.append(open_demo(folder, clock=FixedClock.on(__import__("datetime").date(2026, 11, 21))))
    try:
        with vaults[0].reading() as s:
            targets = [
                p.id for p in s.scalars(select(Priority).where(Priority.status == PriorityStatus.PLANNING))
            ][:3]
        # Laptop 0 and 1 both retitle the first priority; laptop 2 edits the second; 1 and 2 edit the third's plan.
        edits = [(0, targets[0], "title", "Drugs in the park (A)"), (1, targets[0], "title", "Drugs in the park (B)"),
                 (2, targets[1], "title", "Speeding (C)"), (1, targets[2], "public_action", "Patrols (B)"),
                 (2, targets[2], "public_action", "Patrols (C)")]  # fmt: skip
        for laptop, pid, field, value in edits:
            vaults[laptop].clock.advance(minutes=1)  # type: ignore[attr-defined]
            with vaults[laptop].unit_of_work() as s:
                priorities.update_priority(s, priority=common.fetch(s, Priority, pid), **{field: value})
        for laptop in (2, 0, 1, 2, 0, 1):
            engine.sync(vaults[laptop], shared, passphrase=TEAM_PASSPHRASE)

        def snapshot(vault):  # type: ignore[no-untyped-def]
            with vault.reading() as s:
                return sorted(
                    (str(p.id), p.title, p.public_action, p.status) for p in s.scalars(select(Priority))
                )

        first = snapshot(vaults[0])
        assert snapshot(vaults[1]) == first and snapshot(vaults[2]) == first
        titles = {row[0]: row for row in first}
        assert titles[str(targets[1])][1] == "Speeding (C)"  # an edit nobody else touched arrives everywhere
        for vault in vaults:
            with vault.reading() as s:
                fields = {(c.row_id, c.field) for c in engine.open_conflicts(s)}
            assert (str(targets[0]), "title") in fields or (str(targets[2]), "public_action") in fields
        # Every concurrent value is kept somewhere: as the value, or inside a conflict.
        kept = set()
        for vault in vaults:
            with vault.reading() as s:
                for c in engine.open_conflicts(s):
                    kept |= {c.local_value, c.remote_value}
        kept |= {row[1] for row in first} | {row[2] for row in first}
        assert {"Drugs in the park (A)", "Drugs in the park (B)", "Patrols (B)", "Patrols (C)"} <= kept
    finally:
        for vault in vaults:
            vault.close()
