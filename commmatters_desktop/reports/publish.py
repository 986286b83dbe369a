"""Publishing a leaflet: make it (through the privacy gate), write it whole, record it as feedback.

The one path the command line, the window's preview, the window's batch and anything else that gives a
leaflet out all take, so a full disk, a folder that cannot be written or a refused leaflet reads the
same everywhere. Writing is atomic (a crash or a full disk leaves the old file or none, never half a
PDF), and a file that was not written is never recorded as feedback given.

A batch shares what every leaflet of the run needs once: one privacy scanner over the vault's names
(built once, shared with each leaflet's reading session), the force's name and logo, and the fonts.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.leaflets import record_distribution, wards_with_feedback
from commmatters_desktop.storage.vault import DiskFull, atomic_write

if TYPE_CHECKING:  # reportlab is loaded when a leaflet is made, not when the window starts
    from commmatters_desktop.reports.leaflet import Leaflet, LeafletFormat

#: Says how far a batch got (done, total, ward code); False stops it after the leaflet in hand.
Progress = Callable[[int, int, str], bool]
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
_FORBIDDEN = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class Store(Protocol):
    """Where leaflets come from and are recorded: an open :class:`~storage.vault.Vault`."""

    @property
    def is_demo(self) -> bool: ...

    def reading(self) -> AbstractContextManager[Session]: ...

    def unit_of_work(self) -> AbstractContextManager[Session]: ...


class NotWritten(UserError):
    """A file was not written; ``disk_full`` tells a batch to stop rather than fail every next file."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


def write_file(path: Path, data: bytes, *, what: str) -> Path:
    """Write ``data`` to ``path`` whole or not at all, with a message that says what to do if not.

    ``what`` names the document in the message ("The leaflet for Ancoats").
    """
    try:
        # The folder named for it may be new, but never a chain of folders a mistyped path made up.
        path.parent.mkdir(exist_ok=True)
        atomic_write(path, data)
    except DiskFull:
        raise NotWritten(_full(what, path), disk_full=True) from None
    except FileNotFoundError:
        raise NotWritten(
            f"{what} was not saved: there is no folder {path.parent.parent}. Check the path, or make the "
            "folder first."
        ) from None
    except OSError as exc:
        if exc.errno in _FULL:
            raise NotWritten(_full(what, path), disk_full=True) from None
        if exc.errno in _FORBIDDEN:
            raise NotWritten(
                f"{what} was not saved: {path.parent} cannot be written to ({exc.strerror}). "
                "Choose another folder."
            ) from None
        raise NotWritten(
            f"{what} was not saved to {path}: {exc.strerror or exc}. Check the folder and try again."
        ) from None
    return path


def _full(what: str, path: Path) -> str:
    return (
        f"The disk is full, so {what[0].lower()}{what[1:]} was not saved in {path.parent} (nothing already "
        "saved was lost). Free some space or choose another folder, then try again."
    )


def record(store: Store, leaflet: Leaflet, changed: ChangeSet | None = None) -> bool:
    """Giving a leaflet out is feedback given: recorded once per distinct file (False: already was).

    What the record wrote is added to ``changed``, for the window to refresh once after a batch.
    """
    with store.unit_of_work() as session:
        recorded = record_distribution(
            session, content=leaflet.content, file_hash=leaflet.sha256, fmt_label=leaflet.fmt.label
        )
    if changed is not None:
        changed.merge(changes.change_set(session))
    return recorded


def save(
    store: Store, leaflet: Leaflet, target: Path, *, draft: bool = False, changed: ChangeSet | None = None
) -> tuple[Path, bool]:
    """Write ``leaflet`` to ``target`` (a .pdf file, or a folder to hold it under its own name), then
    record it unless it is a ``draft``: (the file, whether it was newly recorded)."""
    if target.suffix.lower() != ".pdf":
        if target.suffix:
            raise UserError(f"{target.name} should end in .pdf so it opens as a PDF.")
        target = target / leaflet.file_name()
    write_file(target, leaflet.data, what=f"The leaflet for {leaflet.content.ward_name}")
    return target, False if draft else record(store, leaflet, changed)


@dataclass
class Batch:
    """What a run of leaflets did: each file written, each ward refused and why, and whether it stopped."""

    cycle: str
    fmt: LeafletFormat
    folder: Path
    wards: list[str] = field(default_factory=list)
    written: list[tuple[str, Path, str]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    #: Why the run stopped before the end (a full disk), or "".
    stopped: str = ""
    #: What recording the leaflets wrote (feedback given), for the window to refresh once.
    changed: ChangeSet = field(default_factory=ChangeSet)

    def describe(self) -> list[str]:
        count = len(self.written)
        lines = [
            f"{count} {self.fmt.label} leaflet{'s' if count != 1 else ''} for {self.cycle} saved in {self.folder}."
        ]
        if not self.wards:
            lines.append(
                f"No ward has feedback recorded for {self.cycle} yet, so there was nothing to write."
            )
        if self.cancelled:
            lines.append(
                f"Stopped when you pressed Cancel: {len(self.wards) - count - len(self.refused)} not made."
            )
        if self.stopped:
            lines.append(self.stopped)
        return lines


def publish_cycle(
    store: Store, *, cycle: str, today: dt.date, fmt: LeafletFormat, folder: Path, draft: bool = False,
    progress: Progress | None = None,
) -> Batch:  # fmt: skip
    """A leaflet for every ward of ``cycle`` with feedback, written into ``folder`` and recorded.

    Each leaflet is recorded as soon as its file is written, so a cancelled or interrupted run keeps
    what it did and a second run records only what is new. A full disk stops the run.
    """
    batch = Batch(str(cycle), fmt, folder)
    from commmatters_desktop.reports.leaflet import Press

    press = Press(cycle, today, fmt, store.is_demo)
    with store.reading() as session:
        batch.wards = wards_with_feedback(session, cycle)
        press.load(session)
    for index, code in enumerate(batch.wards):
        if progress is not None and not progress(index, len(batch.wards), code):
            batch.cancelled = True
            break
        try:
            with store.reading() as session:  # closed before the record's own unit of work
                leaflet = press.make(session, code)
            path, _recorded = save(store, leaflet, folder, draft=draft, changed=batch.changed)
        except NotWritten as exc:
            if exc.disk_full:
                batch.stopped = exc.message
                break
            batch.refused.append((code, exc.message))
        except UserError as exc:
            batch.refused.append((code, exc.message))
        else:
            batch.written.append((code, path, leaflet.sha256))
    else:
        if progress is not None:
            progress(len(batch.wards), len(batch.wards), "")
    return batch
