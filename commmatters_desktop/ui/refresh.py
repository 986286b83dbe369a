"""Routing what changed to the views that show it: an edit refreshes its rows, not every view.

:class:`Operations` announces a :class:`ChangeSet` after every unit of work (an edit, its undo or
redo, an import). :class:`Refresher` works out which wards' lines and cards it touches (a priority,
an action of it, its week of action, its ward) and asks each view for those rows only, through the
models' row updates (``dataChanged``, inserted and removed rows; never a reset). Views that reload a
whole quarter (calendar, partners' actions, overview) only note that they are stale and reload when
next shown; so does any view whose change set is too large or too vague to follow row by row (a sync,
a purge, a bulk import), which then reloads as before.

The window provides what is routed to: ``ops``, ``clock``, ``cycle``, ``tabs``, ``ward_view``, ``board``,
``plan``, ``calendar``, ``partners``, ``overview``, and ``_show_ward``, ``quarter.refresh_views`` and
``update_actions``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from sqlalchemy.orm import Session

from commmatters_desktop.core import queries
from commmatters_desktop.core.changeset import ChangeSet, Kind

if TYPE_CHECKING:
    from commmatters_desktop.ui.main_window import MainWindow

#: Beyond this many wards touched, a view reloads instead of updating line by line.
MANY_WARDS = 120
#: What a board card or a ward's line shows, besides the ward and priority themselves.
_CARD_TABLES = ("priority", "action", "sara_plan", "feedback", "week_of_action", "ward", "panel_meeting")
_WARD_TABLES = ("ward", "ward_lsoa", "ward_role", "priority")
#: Tables whose rows carry names shown on many lines at once.
_SHARED_NAMES = ("agency", "person")
#: What the calendar, partners' actions and overview show.
_CYCLE_TABLES = (*_CARD_TABLES, "unavailable_week", "agency", "person", "cycle", "measure")
#: What a ward's page shows besides its line: its people, key individuals and their contacts.
_PEOPLE = ("person", "ward_role", "kin_contact", "community_group", "reference_group")
_PLAN_TABLES = (
    "priority",
    "action",
    "sara_plan",
    "feedback",
    "measure",
    "week_of_action",
    "agency",
    "person",
)


#: The quarter's views (window attributes): each reloads one whole cycle, so only while shown.
CYCLE_VIEWS = ("calendar", "partners", "overview")


class Refresher(QObject):
    """Sends each change set to the views that show its rows; reloads what is off screen when shown."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: Views to reload when next shown: "board", "wards", "plan", "picker" and the CYCLE_VIEWS.
        self.stale: set[str] = set(CYCLE_VIEWS)
        #: Older cycles still to add to the board while it shows every cycle (newest first).
        self._older: list[str] = []
        window.ops.changes.connect(self.apply)

    # --- what changed ---------------------------------------------------------------------------------------

    def apply(self, change: ChangeSet) -> None:
        if not change:
            return
        w = self.window
        if change.everything:
            self.stale.update({"board", "wards", "plan", "options", "picker", *CYCLE_VIEWS})
        else:
            wards = self._wards(change)
            if change.ids("cycle", Kind.INSERTED):
                w.board.set_cycles(w.ops.read(queries.cycle_codes), w.board.selected_cycle())
            self._route(change, wards)
        self.tab_shown()

    def _wards(self, change: ChangeSet) -> set[uuid.UUID] | None:
        """The wards whose cards or lines may show something of ``change``; None: too many to follow."""
        if change.unknown(*_CARD_TABLES, *_WARD_TABLES, *_SHARED_NAMES):
            return None
        if change.ids("agency", Kind.UPDATED, Kind.DELETED) or change.ids(
            "person", Kind.UPDATED, Kind.DELETED
        ):
            return None  # a renamed agency or officer shows on many cards and lines
        if not change.touches(*_CARD_TABLES, *_WARD_TABLES):
            return set()
        wards = change.uuids("ward")
        priorities = change.uuids("priority")
        if len(wards) > MANY_WARDS or len(priorities) > MANY_WARDS:
            return None
        if priorities:
            wards |= self.window.ops.read(lambda s: queries.wards_of(s, priorities))
        return wards if len(wards) <= MANY_WARDS else None

    def _route(self, change: ChangeSet, wards: set[uuid.UUID] | None) -> None:
        w = self.window
        if wards is None:
            self.stale.update({"board", "wards", "picker"})
        elif wards:
            self._update_board(wards)
            self._update_ward_list(change, wards)
        selected = w.ward_view.selected_ward()
        if (
            selected is not None
            and "wards" not in self.stale
            and (
                wards is None
                or selected in wards
                or selected in change.related("ward")
                or change.touches(*_PEOPLE)
            )
        ):
            w._show_ward(selected)  # the ward's page: one ward, its people and contacts
        if w.plan.detail is not None and (wards is None or change.touches(*_PLAN_TABLES)):
            self.stale.add("plan")
            if wards is None or change.touches(*_SHARED_NAMES):
                self.stale.add("options")
        if change.touches(*_CYCLE_TABLES) or wards is None:
            self.stale.update(CYCLE_VIEWS)

    def _update_board(self, wards: set[uuid.UUID]) -> None:
        w = self.window
        cycle, today = w.board.selected_cycle() or None, w.clock.today()
        cards = w.ops.read(lambda s: queries.priority_cards(s, cycle=cycle, today=today, ward_ids=wards))
        if self._older:  # every cycle is being shown and older ones are still arriving: they bring their own
            cards = [c for c in cards if c.cycle not in self._older]
        w.board.update_cards(wards, cards)
        w.plan.update_choices(cards)

    def _update_ward_list(self, change: ChangeSet, wards: set[uuid.UUID]) -> None:
        w = self.window
        if change.ids("ward", Kind.INSERTED, Kind.DELETED):
            self.stale.add("wards")  # a ward added or removed: the local authorities may change too
            return
        cycle = str(w.cycle)
        rows = w.ops.read(lambda s: queries.ward_rows(s, cycle=cycle, ward_ids=wards))
        w.ward_view.update_rows(wards, rows)

    # --- showing ----------------------------------------------------------------------------------------------

    def tab_shown(self, _index: int = -1) -> None:
        """Reload what is stale and on screen (the plan and ward page follow the shown priority or ward)."""
        w = self.window
        shown = w.tabs.currentWidget()
        if "board" in self.stale and shown is w.board:
            self.reload_board()
        if "wards" in self.stale and shown is w.ward_view:
            self._reload_wards()
        if shown is w.plan:
            if "picker" in self.stale:
                self.stale.discard("picker")
                w.plan.set_choices(self._cards())
            if "plan" in self.stale:
                w.plan.reload(options="options" in self.stale)
                self.stale -= {"plan", "options"}
        name = next((n for n in CYCLE_VIEWS if getattr(w, n) is shown), None)
        if name in self.stale:
            self.stale.discard(name)
            w.quarter.refresh_views()
        w.update_actions()

    def _cards(self) -> list[queries.PriorityCard]:
        if "board" in self.stale:
            self.reload_board()
        return self.window.board.model.cards()

    def reload_board(self) -> None:
        """Every card of the cycle the board shows (another cycle chosen, or a change too large to follow).

        Every cycle (five years of a large force: 13,000 cards) is shown a cycle at a time, newest
        first: the current quarter at once, each older one in its own turn of the event loop, so the
        window answers within a frame while the older cards arrive.
        """
        w = self.window
        self.stale.discard("board")
        self._older = []
        cycle, today = w.board.selected_cycle(), w.clock.today()
        if not cycle:
            codes = w.ops.read(queries.cycle_codes)
            cycle, self._older = (codes[0], codes[1:]) if codes else ("", [])
        w.board.set_cards(w.ops.read(lambda s: queries.priority_cards(s, cycle=cycle or None, today=today)))
        if self._older:
            QTimer.singleShot(0, self._next_cycle)
        self.stale.add("picker")
        if w.tabs.currentWidget() is w.plan:
            self.tab_shown()

    def _next_cycle(self) -> None:
        w = self.window
        if not self._older or w.board.selected_cycle():
            self._older = []  # another cycle was chosen meanwhile: the board reloaded for it
            return
        code, today = self._older.pop(0), w.clock.today()
        w.board.append_cards(w.ops.read(lambda s: queries.priority_cards(s, cycle=code, today=today)))
        self.stale.add("picker")
        if self._older:
            QTimer.singleShot(0, self._next_cycle)

    @property
    def loading(self) -> bool:
        """Older cycles' cards are still arriving on the board."""
        return bool(self._older)

    def cycle_chosen(self, _cycle: str) -> None:
        """The board's cycle filter changed: only the board reloads; the plan's picker follows when shown."""
        self.reload_board()
        self.window.update_actions()

    def _reload_wards(self) -> None:
        w = self.window
        self.stale.discard("wards")
        cycle = str(w.cycle)

        def load(s: Session) -> tuple[list[queries.WardRow], list[str]]:
            return queries.ward_rows(s, cycle=cycle), queries.local_authorities(s)

        rows, authorities = w.ops.read(load)
        w.ward_view.set_rows(rows, authorities)
        selected = w.ward_view.selected_ward()
        if selected is not None:
            w._show_ward(selected)

    def reloaded(self) -> None:
        """The window reloaded its views itself (on opening, after a sync): only the quarter's views
        off screen are left to reload when shown (the window reloads the one on screen)."""
        shown = self.window.tabs.currentWidget()
        self.stale = {n for n in CYCLE_VIEWS if getattr(self.window, n) is not shown}


def connect(window: Any) -> Refresher:
    """Route the window's change sets through a :class:`Refresher` (one line in the window)."""
    refresher = Refresher(window)
    window.tabs.currentChanged.connect(refresher.tab_shown)
    window.board.cycle_changed.connect(refresher.cycle_chosen)
    return refresher
