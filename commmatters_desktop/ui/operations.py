"""Running services from the UI: one unit of work per user event, one undo command per edit.

Views never open sessions. They ask :class:`Operations` to run a service; it commits, says what
changed (a :class:`ChangeSet` of the rows the unit of work wrote, which ``ui.refresh`` routes to the
views showing them), and turns a refusal into a message instead of an exception. Edits go
through :meth:`Operations.do`, which applies the change first and only then pushes an undo command,
so a change the rules refuse never reaches the undo stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.vault import Vault

T = TypeVar("T")
Work = Callable[[Session], object]


class Operations(QObject):
    #: The vault's data changed (after :attr:`changes`, for screens that simply reload).
    changed = Signal()
    #: What changed, as a :class:`ChangeSet`: views update the rows they show.
    changes = Signal(object)
    #: A service refused or failed: the message is for the user, as written.
    refused = Signal(str)

    def __init__(self, vault: Vault, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault = vault
        #: The last refusal's message, for a screen that shows it in its own place.
        self.last_refusal = ""
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(200)

    def read(self, query: Callable[[Session], T]) -> T:
        with self.vault.reading() as session:
            return query(session)

    def run(self, work: Callable[[Session], T]) -> T:
        """Commit ``work`` as one unit of work and announce the change; raises UserError on refusal."""
        with self.vault.unit_of_work() as session:
            result = work(session)
        self.announce(changes.change_set(session))
        return result

    def announce(self, change: ChangeSet) -> None:
        """Tell the views what changed; work done outside :meth:`run` (a sync, a purge) says so here."""
        self.changes.emit(change)
        self.changed.emit()

    def attempt(self, work: Callable[[Session], T]) -> T | None:
        """Like :meth:`run`, but a refusal is reported through :attr:`refused` and returns None."""
        try:
            return self.run(work)
        except UserError as exc:
            self.refused.emit(exc.message)
            return None

    def do(self, text: str, forward: Work, backward: Work) -> bool:
        """Apply an edit now and make it undoable; False (and a message) when the rules refuse it."""
        try:
            self.run(forward)
        except UserError as exc:
            self.last_refusal = exc.message
            self.refused.emit(exc.message)
            return False
        self.stack.push(_Edit(self, text, forward, backward))
        return True


class _Edit(QUndoCommand):
    """An edit already applied once; undo and redo replay the services in their own transactions."""

    def __init__(self, operations: Operations, text: str, forward: Work, backward: Work) -> None:
        super().__init__(text)
        self._ops = operations
        self._forward = forward
        self._backward = backward
        self._applied = True  # Operations.do ran it before pushing

    def redo(self) -> None:
        if self._applied:
            return
        self._replay(self._forward)
        self._applied = True

    def undo(self) -> None:
        self._replay(self._backward)
        self._applied = False

    def _replay(self, work: Work) -> None:
        try:
            self._ops.run(work)
        except UserError as exc:
            # The data moved on since (another edit, a sync): say so and drop the stale step.
            self._ops.refused.emit(f"Cannot {self.text().lower()} any more: {exc.message}")
            self.setObsolete(True)
