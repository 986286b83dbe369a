"""Acknowledged history is compacted (the local change log, this laptop's files in the shared folder)
and nothing is lost: a laptop that never wrote, and so acknowledged nothing, still gets everything
through the snapshot that replaced the files (issue 15)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from commmatters_desktop.core.models import ChangeLog, Ward
from commmatters_desktop.sync import engine, files
from tests.sync.conftest import TEAM_PASSPHRASE, Laptop
from tests.sync.test_sync import add_ward, edit, ward_named


def own_files(laptop: Laptop, shared: Path) -> list[str]:
    return sorted(p.name for p in (shared / files.ROOT / laptop.vault.device_id).glob("*.cmchange"))


def log_rows(laptop: Laptop) -> int:
    with laptop.vault.reading() as s:
        return int(s.scalar(select(func.count()).select_from(ChangeLog)) or 0)


def wards_of(laptop: Laptop) -> set[str]:
    with laptop.vault.reading() as s:
        return {w.code for w in s.scalars(select(Ward))}


def test_acknowledged_history_is_compacted_and_a_laptop_that_never_wrote_loses_nothing(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, c = laptops
    for n in range(2):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
        a.sync(shared)
    c.sync(shared)  # takes in a's first two files; writes nothing, so it acknowledges nothing
    assert not (shared / files.ROOT / c.vault.device_id).exists()
    for n in range(2, 5):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
        a.sync(shared)
    assert len(own_files(a, shared)) == 5
    b.sync(shared)
    edit(b, "Seen on laptop B", code="E05900000")
    b.sync(shared)  # b's file says it has taken in a's five
    before = log_rows(a)
    a.sync(shared)  # a hears b's acknowledgement; no snapshot of a covers its files yet: all stays
    assert len(own_files(a, shared)) == 5 and log_rows(a) == before
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    add_ward(a, "E05900005", "Ward 5")
    a.sync(shared)
    assert own_files(a, shared) == ["0000000006.cmchange"], "the snapshot replaced the acknowledged files"
    assert log_rows(a) < before, "and their rows left the change log"

    report = c.sync(shared)  # c's next file of a's (3) is gone: the snapshot that covers it comes in
    assert report.waiting == [] and report.rejected == [], report.as_json()
    assert report.received_files == 3, "b's file, the snapshot and a's newest file"
    assert wards_of(c) == {f"E05{900000 + n:06d}" for n in range(6)}
    assert ward_named(c, "E05900000").notes == "Seen on laptop B"  # type: ignore[union-attr]

    edit(a, "Later, on laptop A", code="E05900003")  # and the laptops go on syncing as before
    a.sync(shared)
    b.sync(shared)
    c.sync(shared)
    for laptop in (a, b, c):
        assert ward_named(laptop, "E05900003").notes == "Later, on laptop A"  # type: ignore[union-attr]
        assert len(wards_of(laptop)) == 6


def test_leaving_after_compaction_still_sends_everything_the_vault_holds(
    laptops: list[Laptop], shared: Path, tmp_path: Path
) -> None:
    a, b, _ = laptops
    add_ward(a)
    a.sync(shared)
    b.sync(shared)
    edit(b, "From B")
    b.sync(shared)
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    a.sync(shared)
    assert log_rows(a) == 1, "compacted: b has taken in everything a sent, a's snapshot covers it"
    engine.leave(a.vault)
    elsewhere = tmp_path / "another-team"
    elsewhere.mkdir()
    report = a.sync(elsewhere, passphrase="another team entirely, new folder")
    assert report.sent_changes > 0
    with a.vault.reading() as s:
        assert {r.entity for r in s.scalars(select(ChangeLog))} >= {"ward"}


def test_a_laptop_silent_for_six_weeks_no_longer_holds_back_compaction_and_loses_nothing_on_return(
    laptops: list[Laptop], shared: Path
) -> None:
    """A laptop lost, retired or replaced by a new device id never acknowledges again: without a limit the
    folder would grow for ever. Past six weeks of silence it is not waited for; when it comes back it
    takes in the snapshot and still sends what it had not sent."""
    from commmatters_desktop.sync.compaction import QUIET_AFTER

    a, b, c = laptops
    add_ward(a, "E05900000", "Ward 0")
    a.sync(shared)
    c.sync(shared)
    edit(c, "Written on C before it went quiet", code="E05900000")
    c.sync(shared)  # c has a folder now: it is waited for
    edit(c, "Never sent until C came back", code="E05900000")
    for n in range(1, 4):
        add_ward(a, f"E05{900000 + n:06d}", f"Ward {n}")
        a.sync(shared)
        b.sync(shared)
        edit(b, f"B's note {n}", code=f"E05{900000 + n:06d}")
        b.sync(shared)
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    add_ward(a, "E05900004", "Ward 4")
    a.sync(shared)
    assert len(own_files(a, shared)) == 4, "c has not taken in a's files after the first: they stay"

    for laptop in laptops:  # time passes for everyone; c stays silent
        laptop.clock.advance(days=QUIET_AFTER.days + 1)
    edit(b, "B, seven weeks on", code="E05900001")
    b.sync(shared)
    a.sync(shared)
    engine.write_snapshot(a.vault, shared, engine.team_keys(a.vault, shared, TEAM_PASSPHRASE))
    add_ward(a, "E05900005", "Ward 5")
    a.sync(shared)
    assert len(own_files(a, shared)) == 1, "c, silent, is no longer waited for: only a's newest file stays"

    report = c.sync(shared)  # back: a's next file is gone, the snapshot covering it comes in
    assert report.waiting == [] and report.rejected == [], report.as_json()
    assert wards_of(c) == {f"E05{900000 + n:06d}" for n in range(6)}
    assert ward_named(c, "E05900001").notes == "B, seven weeks on"  # type: ignore[union-attr]
    a.sync(shared)
    b.sync(shared)
    for laptop in (a, b):  # what c had not sent reached the others
        assert ward_named(laptop, "E05900000").notes == "Never sent until C came back"  # type: ignore[union-attr]
