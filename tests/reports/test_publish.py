"""The one publish path: a leaflet is made, written whole and recorded; a full disk stops a batch with
one clear line and loses nothing already written; the privacy scanner is built once per batch."""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commmatters_desktop.core import privacy
from commmatters_desktop.core.enums import FeedbackChannel
from commmatters_desktop.core.models import Feedback
from commmatters_desktop.reports import publish
from commmatters_desktop.reports.leaflet import LeafletFormat
from commmatters_desktop.storage.vault import Vault

TODAY = dt.date(2026, 11, 21)


def leaflet_feedback(vault: Vault) -> int:
    with vault.reading() as s:
        return (
            s.scalar(
                select(func.count()).select_from(Feedback).where(Feedback.channel == FeedbackChannel.LEAFLET)
            )
            or 0
        )


def publish_all(vault: Vault, folder: Path, **kwargs: object) -> publish.Batch:
    return publish.publish_cycle(
        vault,
        cycle="2026-Q4",
        today=TODAY,
        fmt=LeafletFormat.A4,
        folder=folder,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_batch_writes_and_records_each_leaflet_once(demo_vault: Vault, tmp_path: Path) -> None:
    before = leaflet_feedback(demo_vault)
    batch = publish_all(demo_vault, tmp_path / "out")
    assert len(batch.written) == len(batch.wards) == 6 and not batch.refused and not batch.stopped
    assert sorted(p.name for _c, p, _h in batch.written) == sorted(
        p.name for p in (tmp_path / "out").glob("*.pdf")
    )
    assert leaflet_feedback(demo_vault) == before + 6
    again = publish_all(demo_vault, tmp_path / "out")  # the same files: nothing new to record
    assert len(again.written) == 6 and leaflet_feedback(demo_vault) == before + 6
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_cancel_keeps_what_was_done(demo_vault: Vault, tmp_path: Path) -> None:
    before = leaflet_feedback(demo_vault)
    seen: list[tuple[int, int, str]] = []

    def two_then_stop(done: int, total: int, code: str) -> bool:
        seen.append((done, total, code))
        return done < 2

    batch = publish_all(demo_vault, tmp_path, progress=two_then_stop)
    assert batch.cancelled and len(batch.written) == 2 and leaflet_feedback(demo_vault) == before + 2
    assert [s[0] for s in seen] == [0, 1, 2] and all(s[1] == 6 for s in seen)
    assert "Stopped when you pressed Cancel: 4 not made." in batch.describe()


def test_a_full_disk_stops_the_batch_with_one_clear_line_and_loses_nothing(
    demo_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after two leaflets (errno ENOSPC, whatever the OS's words for it)."""
    from commmatters_desktop.storage import vault as storage

    written: list[Path] = []
    real = storage.atomic_write

    def fills_up(path: Path, data: bytes) -> None:
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "Plus de place")  # a French OS: no "disk is full" to match
        real(path, data)
        written.append(path)

    monkeypatch.setattr(publish, "atomic_write", fills_up)
    before = leaflet_feedback(demo_vault)
    batch = publish_all(demo_vault, tmp_path / "out")
    assert len(batch.written) == 2 and leaflet_feedback(demo_vault) == before + 2  # kept, and only those
    assert (
        batch.stopped.startswith("The disk is full, so the leaflet for ")
        and "Free some space" in batch.stopped
    )
    assert "\n" not in batch.stopped and not batch.refused
    assert sorted((tmp_path / "out").iterdir()) == sorted(written)  # no half-written file left behind


def test_a_file_that_cannot_be_written_says_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(publish.NotWritten) as raised:
        publish.write_file(blocker / "leaflet.pdf", b"%PDF", what="The leaflet for Ancoats")
    assert (
        raised.value.message.startswith("The leaflet for Ancoats was not saved")
        and not raised.value.disk_full
    )


def test_the_scanner_is_built_once_for_a_whole_batch(
    demo_vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = privacy.Scanner.__init__

    def counting(self: privacy.Scanner, names: object = ()) -> None:
        built.append(1)
        real(self, names)  # type: ignore[arg-type]

    monkeypatch.setattr(privacy.Scanner, "__init__", counting)
    batch = publish_all(demo_vault, tmp_path, draft=True)
    assert len(batch.written) == 6 and len(built) == 1


def test_a_name_added_in_the_same_unit_of_work_is_still_caught(vault: Vault) -> None:
    from commmatters_desktop.core.enums import PersonRole
    from commmatters_desktop.core.services import people

    with vault.unit_of_work() as s:
        before = privacy.scanner(s)
        assert privacy.scanner(s) is before  # kept on the session
        people.create_person(s, full_name="Zofia Quennell", role=PersonRole.PANEL_MEMBER)
        s.flush()
        assert privacy.scanner(s) is not before
        assert [f.kind for f in privacy.scanner(s).scan("Ask Zofia Quennell")] == ["name"]
