"""Running services from the UI: one unit of work per user event, one undo command per edit.

Views never open sessions. They ask :class:`Operations` to run a service; it commits, says what
changed (a :class:`ChangeSet` of the rows the unit of work wrote, which ``ui.refresh`` routes to the
views showing them), and turns a refusal into a message instead of an exception. Edits are
core commands (``core.commands``) run by :meth:`Operations.execute`, which applies the change first
and only then pushes the one undo step class, so a change the rules refuse never reaches the stack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.commands import Command
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

    def execute(self, command: Command) -> Command | None:
        """Apply a core command now and make it undoable. Returns its inverse (what undo will apply, which
        also says what the command made), or None (and a message) when the rules refuse it."""
        try:
            inverse = self.run(command.apply)
        except UserError as exc:
            self.last_refusal = exc.message
            self.refused.emit(exc.message)
            return None
        self.stack.push(_Step(self, command, inverse))
        return inverse

    def do(self, text: str, forward: Work, backward: Work) -> bool:
        """An edit given as two functions (screens not yet moved to core commands); same undo step."""
        return self.execute(_Replay(text, forward, backward)) is not None


class _Replay:
    """Two functions as a core command: each one's inverse is the other."""

    def __init__(self, text: str, forward: Work, backward: Work) -> None:
        self.text = text
        self._forward, self._backward = forward, backward

    def apply(self, session: Session) -> Command:
        self._forward(session)
        return _Replay(self.text, self._backward, self._forward)


class _Step(QUndoCommand):
    """The one undo step: a command already applied once, and its inverse.

    Undo applies the inverse in its own unit of work and keeps what that returns (the command
    again, as the vault now has it) for redo, and so on: undo and redo restore exactly what was
    there, read at the time, and each announces its own change set so only its rows refresh.
    """

    def __init__(self, operations: Operations, done: Command, inverse: Command) -> None:
        super().__init__(done.text)
        self._ops = operations
        self._redo: Command | None = None  # Operations.execute applied it before pushing
        self._undo: Command | None = inverse

    def redo(self) -> None:
        if self._redo is not None:
            self._undo, self._redo = self._replay(self._redo), None

    def undo(self) -> None:
        if self._undo is not None:
            self._redo, self._undo = self._replay(self._undo), None

    def _replay(self, command: Command) -> Command | None:
        try:
            return self._ops.run(command.apply)
        except UserError as exc:
            # The data moved on since (another edit, a sync): say so and drop the stale step.
            self._ops.refused.emit(f"Cannot {self.text().lower()} any more: {exc.message}")
            self.setObsolete(True)
            return None
