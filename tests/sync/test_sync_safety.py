"""Issue 12: sync never loses a change, whatever happens to the shared folder or the vault.

Each test reproduces one reported way changes were lost or a sync got stuck, with real vaults, a
real shared folder and real failures (the folder swapped away mid-sync, files planted, a backup
restored, two laptops founding a team at once, files arriving out of order, a clock set to 2099).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.hlc import HybridClock, Stamp
from commmatters_desktop.core.models import FieldClock, Ward
from commmatters_desktop.core.services import laptops as laptops_
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.recovery import restore
from commmatters_desktop.sync import engine, files
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.sync.test_sync import add_ward, edit, ward_named


def own_files(laptop: Laptop, shared: Path) -> list[str]:
    return sorted(p.name for p in (shared / "commmatters" / laptop.vault.device_id).iterdir())


def codes(laptop: Laptop) -> set[str]:
    with laptop.vault.reading() as s:
        return {w.code for w in s.scalars(select(Ward).where(Ward.deleted.is_(False)))}


# --- data lost before ----------------------------------------------------------------------------------------


def test_a_folder_that_vanishes_mid_sync_is_never_recreated_on_the_laptop(
    laptops: list[Laptop], shared: Path, tmp_path: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    add_ward(b, "E05000651", "Bradshaw")
    add_ward(a, "E05000652", "Breightmet")
    a.sync(shared)  # something for b to receive, so the sync is mid-way when the folder goes
    away = tmp_path / "usb-stick-pulled"

    def pull_the_stick(done: int, total: int) -> bool:
        if shared.exists():
            os.replace(shared, away)  # the share drops while a file is being applied
        return True

    with pytest.raises(engine.FolderUnreachable, match="cannot be reached"):
        engine.sync(b.vault, shared, progress=pull_the_stick)
    assert not shared.exists(), "the shared folder's path was never made on the laptop's own disk"
    assert engine.pending_changes(b.vault) > 0, "nothing was counted as sent"
    assert b.vault.meta(engine.LAST_SYNC_META) is not None  # from the first sync, not this one
    os.replace(away, shared)  # the folder comes back
    report = b.sync(shared)
    assert report.sent_changes > 0
    a.sync(shared)
    assert "E05000651" in codes(a)


def test_a_folder_swapped_for_another_teams_while_writing_is_not_reported_sent(
    laptops: list[Laptop], shared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, c = laptops
    add_ward(a)
    a.sync(shared)
    other = tmp_path / "other-team"
    other.mkdir()
    c.sync(other, passphrase="another team entirely")
    add_ward(a, "E05000651", "Bradshaw")
    original = files.write_change_file

    def swap_then_write(folder: Path, device: str, data: bytes, seq: int) -> Path:
        written = original(folder, device, data, seq)
        os.replace(shared, tmp_path / "ours-unplugged")
        os.replace(other, shared)  # another share mounted at the same place
        return written

    monkeypatch.setattr(files, "write_change_file", swap_then_write)
    with pytest.raises(engine.FolderUnreachable):
        a.sync(shared)
    assert not (shared / "commmatters" / a.vault.device_id).exists() or own_files(a, shared) == []
    assert engine.pending_changes(a.vault) > 0


def test_a_file_planted_in_this_laptops_own_folder_is_not_taken_as_its_own(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, c = laptops
    add_ward(a)
    a.sync(shared)
    add_ward(c, "E05000659", "Elsewhere")
    c.sync(shared)
    # Anyone with write access to the share plants a file under a's next number (here c's own file).
    planted = shared / "commmatters" / a.vault.device_id / "0000000002.cmchange"
    planted.write_bytes((shared / "commmatters" / c.vault.device_id / "0000000001.cmchange").read_bytes())
    add_ward(a, "E05000651", "Bradshaw")
    report = a.sync(shared)
    assert report.sent_changes > 0, "a's own changes are sent, not skipped as 'already exported'"
    assert any("did not write it" in reason for _name, reason in report.rejected)
    assert any(name.startswith("0000000002.cmchange.not-ours") for name in own_files(a, shared))
    b.sync(shared)
    assert {"E05000650", "E05000651", "E05000659"} <= codes(b)


def test_a_laptop_restored_from_last_weeks_backup_takes_its_later_files_back_and_skips_nothing(
    laptops: list[Laptop], shared: Path, tmp_path: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    backup = a.vault.backup(tmp_path / "last-week.db")
    # The week after the backup: more work, synced, then the laptop dies.
    add_ward(a, "E05000651", "Bradshaw")
    a.sync(shared)
    edit(a, "Panel moved to the library")
    a.sync(shared)
    old_device = a.vault.device_id
    a.vault.close()
    restore(a.folder, keystore=KeyringStore(), backup=backup)
    a.vault = type(a.vault).open(a.folder, keystore=KeyringStore(), clock=a.clock)
    assert codes(a) == {"E05000650"}, "the backup is last week's"
    add_ward(a, "E05000652", "Breightmet")  # work on the restored laptop before its first sync
    report = a.sync(shared)
    assert any("took them back" in note for note in report.notes)
    assert a.vault.device_id != old_device
    assert codes(a) == {"E05000650", "E05000651", "E05000652"}
    assert ward_named(a).notes == "Panel moved to the library"  # type: ignore[union-attr]
    edit(a, "Edited after the restore")
    a.sync(shared)
    b.sync(shared)
    assert codes(b) == {"E05000650", "E05000651", "E05000652"}
    assert ward_named(b).notes == "Edited after the restore"  # type: ignore[union-attr]


def test_two_first_syncs_into_an_empty_folder_found_one_team(
    laptops: list[Laptop], shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = laptops
    add_ward(a)
    add_ward(b, "E05000651", "Bradshaw")
    original = files.create_team

    def b_gets_there_first(folder: Path, passphrase: str, now: dt.datetime, **kw: bool) -> files.TeamKeys:
        monkeypatch.setattr(files, "create_team", original)
        b.sync(shared)  # b's whole first sync runs between a's look and a's write
        return original(folder, passphrase, now, **kw)

    monkeypatch.setattr(files, "create_team", b_gets_there_first)
    a.sync(shared)
    b.sync(shared)
    assert codes(a) == codes(b) == {"E05000650", "E05000651"}
    assert engine.team_keys(a.vault, shared, None).team_id == engine.team_keys(b.vault, shared, None).team_id


def test_a_laptop_in_another_team_can_leave_and_join_losing_nothing(
    laptops: list[Laptop], shared: Path, tmp_path: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    elsewhere = tmp_path / "old-team"
    elsewhere.mkdir()
    a.sync(elsewhere, passphrase="an old team passphrase")
    add_ward(b, "E05000651", "Bradshaw")
    b.sync(shared)
    with pytest.raises(UserError, match="sync --leave"):
        a.sync(shared)
    with a.vault.unit_of_work() as s:
        laptops_.name_laptop(s, device_id=a.vault.device_id, name="PC Shaw's laptop")
    old = engine.leave(a.vault)
    assert a.vault.device_id != old
    with a.vault.reading() as s:
        assert laptops_.laptop_name(s, a.vault.device_id) == "PC Shaw's laptop", (
            "the name stays with the laptop"
        )
    a.sync(shared)
    b.sync(shared)
    assert codes(a) == codes(b) == {"E05000650", "E05000651"}


# --- wrong or stuck before ----------------------------------------------------------------------------------


def _three_files(laptops: list[Laptop], shared: Path) -> tuple[Laptop, Laptop]:
    """Laptop a's files 1 to 3 in the folder (a ward, then its notes "First", then "Second"); b has file 1."""
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    edit(a, "First")
    a.sync(shared)
    a.clock.advance(minutes=1)
    edit(a, "Second")
    a.sync(shared)
    return a, b


def test_one_laptops_files_arriving_out_of_order_raise_no_conflict(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b = _three_files(laptops, shared)
    folder = shared / "commmatters" / a.vault.device_id
    first = folder / "0000000002.cmchange"
    hidden = folder.parent / "still-copying"
    os.replace(first, hidden)  # the share delivers file 3 before file 2
    report = b.sync(shared)
    assert report.received_files == 0 and report.waiting == [f"{a.vault.device_id}/0000000003.cmchange"]
    assert "waiting for earlier ones" in report.describe()
    os.replace(hidden, first)
    b.sync(shared)
    assert ward_named(b).notes == "Second"  # type: ignore[union-attr]
    with b.vault.reading() as s:
        assert engine.open_conflicts(s) == []


def test_a_half_copied_file_waits_and_is_taken_when_complete(laptops: list[Laptop], shared: Path) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    path = shared / "commmatters" / a.vault.device_id / "0000000001.cmchange"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 40])
    (rejected,) = b.sync(shared).rejected
    assert rejected[1] == files.INCOMPLETE and "altered" not in rejected[1]
    path.write_bytes(whole)
    assert b.sync(shared).received_files == 1 and ward_named(b) is not None


def _damage(path: Path) -> None:
    """Bytes in the middle of the file flipped, as a bad sector or a sync client's botched copy does."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def test_a_file_damaged_in_the_folder_is_written_again_by_its_laptop_and_nothing_waits_for_ever(
    laptops: list[Laptop], shared: Path
) -> None:
    """Files are taken strictly in order: a damaged file 2 held up file 3 and every later one of that
    laptop on every other laptop, for good. Its writer now writes it again from its own records."""
    a, b = _three_files(laptops, shared)
    _damage(shared / "commmatters" / a.vault.device_id / "0000000002.cmchange")
    report = b.sync(shared)
    assert [name for name, _why in report.rejected] == [f"{a.vault.device_id}/0000000002.cmchange"]
    assert ward_named(b).notes not in ("First", "Second")  # type: ignore[union-attr]
    repaired = a.sync(shared)
    assert any("written again" in note for note in repaired.notes), repaired.notes
    report = b.sync(shared)
    assert report.received_files == 2 and report.rejected == []
    assert ward_named(b).notes == "Second"  # type: ignore[union-attr]
    with b.vault.reading() as s:
        assert engine.open_conflicts(s) == []


def test_a_damaged_file_its_laptop_cannot_write_again_is_stepped_over_by_a_snapshot(
    laptops: list[Laptop], shared: Path
) -> None:
    """A file written by an older version (no record of what it held): its writer sets it aside and
    writes a snapshot, which the others take in to carry on with the later files."""
    from commmatters_desktop.sync.state import FILE_SPAN_META

    a, b = _three_files(laptops, shared)
    with a.vault.unit_of_work() as s:
        from commmatters_desktop.core.models import VaultMeta

        s.delete(s.get(VaultMeta, f"{FILE_SPAN_META}2"))
    _damage(shared / "commmatters" / a.vault.device_id / "0000000002.cmchange")
    b.sync(shared)
    assert ward_named(b).notes not in ("First", "Second")  # type: ignore[union-attr]
    repaired = a.sync(shared)
    assert any("snapshot" in note for note in repaired.notes), repaired.notes
    assert "0000000002.cmchange" not in own_files(a, shared)
    b.sync(shared)
    assert ward_named(b).notes == "Second"  # type: ignore[union-attr]


def test_a_laptop_whose_clock_says_2099_does_not_drag_the_others(laptops: list[Laptop], shared: Path) -> None:
    a, b, c = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    c.sync(shared)
    b.clock.moment = dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC)
    b.reopen()
    edit(b, "From the far future")
    b.sync(shared)
    report = a.sync(shared)
    (rejected,) = report.rejected
    assert (
        b.vault.device_id in rejected[1]
        and "01 Jan 2099" in rejected[1]
        and "more than a day ahead" in rejected[1]
    )
    with a.vault.reading() as s:
        assert all(
            Stamp.parse(str(stamp)).moment.year < 2099 for (stamp,) in s.execute(select(FieldClock.stamp))
        )
    edit(a, "From now")
    a.sync(shared)
    c.sync(shared)
    assert ward_named(c).notes == "From now"  # type: ignore[union-attr]


def test_stamps_stay_in_text_order_past_a_million_edits_in_one_millisecond(clock: object) -> None:
    from commmatters_desktop.core.clock import FixedClock

    hlc = HybridClock(FixedClock.on(dt.date(2026, 11, 21)), "dev", Stamp(0, 0, "dev"))
    hlc.last = Stamp(hlc.tick().wall_ms, 999_998, "dev")
    stamps = [hlc.tick() for _ in range(3)]
    assert stamps == sorted(stamps) and [str(s) for s in stamps] == sorted(str(s) for s in stamps)
    assert stamps[-1].counter < 999_999 and stamps[-1].wall_ms == stamps[0].wall_ms + 1
    observed = hlc.observe(Stamp(stamps[-1].wall_ms, 999_999, "other"))
    assert str(observed) > str(Stamp(stamps[-1].wall_ms, 999_999, "other"))


def test_a_sync_stopped_half_way_says_so_and_keeps_the_last_sync_time(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    add_ward(a, "E05000651", "Bradshaw")
    a.sync(shared)
    add_ward(b, "E05000652", "Breightmet")
    calls: list[int] = []

    def stop_after_one(done: int, total: int) -> bool:
        calls.append(done)
        return done < 1

    report = engine.sync(b.vault, shared, passphrase=TEAM_PASSPHRASE, progress=stop_after_one)
    assert report.interrupted and report.received_files == 1 and report.sent_files == 0
    assert report.describe().startswith("Sync stopped before it finished") and "Sent" not in report.describe()
    assert report.as_json()["finished"] is False
    assert b.vault.meta(engine.LAST_SYNC_META) is None and engine.pending_changes(b.vault) > 0
    assert b.sync(shared).sent_changes > 0


# --- demo data stays demo -----------------------------------------------------------------------------------


def test_a_demo_vault_never_syncs_with_a_real_team_and_the_reverse(
    laptops: list[Laptop], shared: Path, demo_vault: object, tmp_path: Path
) -> None:
    from commmatters_desktop.storage.vault import Vault

    a, _, _ = laptops
    demo: Vault = demo_vault  # type: ignore[assignment]
    add_ward(a)
    a.sync(shared)
    with pytest.raises(UserError, match="demo vault never syncs with it"):
        engine.sync(demo, shared, passphrase=TEAM_PASSPHRASE)
    demo_folder = tmp_path / "demo-share"
    demo_folder.mkdir()
    engine.sync(demo, demo_folder, passphrase=TEAM_PASSPHRASE)
    assert json.loads((demo_folder / "commmatters" / "team.json").read_text())["demo"] is True
    with pytest.raises(UserError, match="where a DEMO vault syncs"):
        engine.sync(a.vault, demo_folder, passphrase=TEAM_PASSPHRASE)


def test_a_real_vault_refuses_change_files_a_demo_vault_wrote(
    laptops: list[Laptop], shared: Path, demo_vault: object
) -> None:
    from commmatters_desktop.storage.vault import Vault

    a, b, _ = laptops
    demo: Vault = demo_vault  # type: ignore[assignment]
    add_ward(a)
    a.sync(shared)
    # The demo's files reach the real team's folder anyway (copied by hand, or a team file edited).
    team = engine.team_keys(a.vault, shared, None)
    engine.export(demo, shared, team)
    report = b.sync(shared)
    assert [reason for _n, reason in report.rejected] == [
        "it was written by a DEMO vault: its invented data is never taken into a real vault"
    ]
    assert codes(b) == {"E05000650"}
