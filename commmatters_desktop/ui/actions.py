"""Every QAction of the window, declared once: text, shortcut, status tip, menu, handler and when it
can be used (the registry of Picard and qutebrowser).

:func:`build_actions` makes the QActions from :data:`SPECS`, connects each to its handler and puts it
in its menu (and the toolbar); :meth:`Actions.update` is the one place that decides what can be done
right now, and a disabled action's status tip says what to do to enable it. Adding an action is
adding one :class:`Spec`: nothing else needs to remember it (tests/ui/test_every_control.py checks
that every one is in a menu, has a tip and does something).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from commmatters_desktop.core.enums import PriorityStatus

if TYPE_CHECKING:
    from commmatters_desktop.ui.main_window import MainWindow

Key = QKeySequence.StandardKey
Shortcut = QKeySequence | Key | str | None
Handler = Callable[["MainWindow"], object]


class When(Enum):
    """When an action can be used; ``why`` is what its status tip says while it cannot."""

    ALWAYS = ""  # even while locked: quit and about
    UNLOCKED = "Unlock the window first."
    WARD = "Choose a ward on the Wards tab first."
    PRIORITY = "Select a priority on the board (or open its SARA plan) first."
    UNDO = "Nothing to undo yet."  # enabled by the undo stack itself
    REDO = "Nothing to redo."

    @property
    def why(self) -> str:
        return self.value


#: The menu bar, in order (the Evidence menu is issue 14's).
MENUS = ("&File", "&Edit", "&View", "W&ards", "&Priority", "S&ync", "E&vidence", "&Help")


@dataclass(frozen=True)
class Spec:
    """One action: everything about it in one declaration."""

    name: str
    text: str
    tip: str
    menu: str
    run: Handler
    shortcut: Shortcut | tuple[Shortcut, ...] = None
    when: When = When.UNLOCKED
    #: Its place on the toolbar, from the left (0: not there).
    toolbar: int = 0
    #: A line in the menu above this action (the start of a group).
    separate: bool = False

    @property
    def object_name(self) -> str:
        return "action" + "".join(part.title() for part in self.name.split("_"))


def _show(view: str) -> Handler:
    return lambda w: w.tabs.setCurrentWidget(getattr(w, view))


def _moving(target: PriorityStatus) -> Handler:
    return lambda w: w.with_selected(lambda pid: w.priorities.request_move(pid, target))


S = PriorityStatus
F, E, V, W, P, Y, EV, H = MENUS
SPECS: tuple[Spec, ...] = (
    Spec("cycle_leaflets", "&Leaflets for the cycle…", "Make a leaflet for every ward whose priority has feedback",
         F, lambda w: w.leaflets.cycle_leaflets()),
    Spec("force_identity", "&Force name and logo…", "The name and logo printed on leaflets", F,
         lambda w: w.leaflets.force_identity()),
    Spec("retention", "&Retention review…", "Personal data past its retention date, and purging it", F,
         lambda w: w.safekeeping.retention_review(), separate=True),
    Spec("subject_access", "S&ubject access request…", "Everything held about a named person, exported as PDF "
         "or CSV", F, lambda w: w.safekeeping.subject_access()),
    Spec("public_wording", "Public &wording for a quarter…", "Everything a ward's quarter would refuse on any "
         "public surface, checked and approved from one list", F, lambda w: w.safekeeping.review_public_wording()),
    Spec("backup", "&Back up vault…", "Write an encrypted copy of the vault", F, lambda w: w.safekeeping.backup(),
         "Ctrl+Shift+B", separate=True),
    Spec("check", "&Check database", "Verify every page of the encrypted database", F,
         lambda w: w.safekeeping.check()),
    Spec("lock", "&Lock now", "Hide everything until the recovery passphrase is typed", F,
         lambda w: w.safekeeping.lock(), "Ctrl+L", separate=True),
    Spec("autolock", "Auto-lock &after…", "Choose how long the window waits before locking itself", F,
         lambda w: w.safekeeping.choose_autolock()),
    Spec("quit", "&Quit", "Close the vault and quit", F, lambda w: w.close(), Key.Quit, When.ALWAYS,
         separate=True),
    Spec("undo", "&Undo", "Undo the last change", E, lambda w: w.ops.stack.undo(), Key.Undo, When.UNDO,
         toolbar=4),
    Spec("redo", "&Redo", "Redo the change just undone", E, lambda w: w.ops.stack.redo(),
         ("Ctrl+Shift+Z", Key.Redo), When.REDO, toolbar=5),
    Spec("find", "&Find…", "Search the current view", E, lambda w: w.find_in_view(), Key.Find, separate=True),
    Spec("show_wards", "&Wards", "Every ward, its team and its priority", V, _show("ward_view"), "Ctrl+1",
         toolbar=1),
    Spec("show_board", "Priority &board", "Every priority across the lifecycle", V, _show("board"), "Ctrl+2",
         toolbar=2),
    Spec("show_plan", "&SARA plan", "The SARA plan of the selected priority", V, lambda w: w.show_plan(),
         "Ctrl+3", toolbar=3),
    Spec("show_calendar", "&Calendar", "Weeks of action across the quarter", V, _show("calendar"), "Ctrl+4"),
    Spec("show_partners", "&Partners' actions", "Open actions by partner agency", V, _show("partners"),
         "Ctrl+5"),
    Spec("show_overview", "Force &overview", "Every ward's priority and who is stuck", V, _show("overview"),
         "Ctrl+6"),
    Spec("show_people", "Peop&le && partners", "Partner agencies, ward teams, panels and the key individual "
         "network", V, _show("people"), "Ctrl+7"),
    Spec("show_audit", "&Audit trail", "Who did what and when; verify and export it", V, _show("audit_view"),
         "Ctrl+8"),
    Spec("refresh", "&Refresh", "Reload from the vault", V, lambda w: w.reload(), Key.Refresh, separate=True),
    Spec("meeting", "Ward &panel meeting…", "Prepare and run a ward panel meeting on the projector", W,
         lambda w: w.wards.open_meeting(), "Ctrl+M"),
    Spec("add_ward", "&Add ward…", "Add a ward by its ONS code", W, lambda w: w.wards.add_ward(), separate=True),
    Spec("edit_ward", "&Edit ward…", "Change the selected ward's details", W, lambda w: w.wards.edit_ward(),
         when=When.WARD),
    Spec("import_wards", "&Import wards…", "Import an ONS ward lookup CSV", W, lambda w: w.wards.import_wards(),
         "Ctrl+I"),
    Spec("open_plan", "&Open SARA plan", "Open the selected priority's SARA plan", P,
         lambda w: w.with_selected(w.open_plan), "Ctrl+O", When.PRIORITY),
    Spec("preview_leaflet", "&Preview leaflet…", "The 'You said, we did' leaflet for the selected priority", P,
         lambda w: w.with_selected(w.leaflets.preview_leaflet), "Ctrl+Shift+P", When.PRIORITY),
    Spec("move_right", "Move to &next step", "Move the selected priority one column right", P,
         lambda w: w.with_selected(lambda pid: w.priorities.step(pid, +1)), "Ctrl+Shift+Right", When.PRIORITY,
         toolbar=7, separate=True),
    Spec("move_left", "Move &back a step", "Move the selected priority one column left", P,
         lambda w: w.with_selected(lambda pid: w.priorities.step(pid, -1)), "Ctrl+Shift+Left", When.PRIORITY,
         toolbar=6),
    Spec("escalate", "&Escalate to CSP tasking…", "Refer to Community Safety Partnership tasking, with a reason",
         P, _moving(S.ESCALATED), "Ctrl+E", When.PRIORITY, separate=True),
    Spec("de_escalate", "&De-escalate", "CSP tasking handed it back", P,
         lambda w: w.with_selected(w.priorities.de_escalate), when=When.PRIORITY),
    Spec("not_taken_forward", "&Not taken forward…", "The panel did not take it forward, with the reason", P,
         _moving(S.NOT_TAKEN_FORWARD), when=When.PRIORITY),
    Spec("reconsider", "&Reconsider", "Put a priority not taken forward back to the panel", P,
         lambda w: w.with_selected(w.priorities.reconsider), when=When.PRIORITY),
    Spec("sync_now", "&Sync now", "Exchange changes with colleagues through the shared folder", Y,
         lambda w: w.sync.sync_now(), "F9"),
    Spec("sync_folder", "Shared &folder…", "Choose the shared folder to sync through", Y,
         lambda w: w.sync.sync_now(choose_folder=True)),
    Spec("conflicts", "&Conflicts…", "Things changed on two laptops: choose which to keep", Y,
         lambda w: w.sync.show_conflicts()),
    Spec("import_crime", "Import &crime data…", "Import data.police.uk street-level CSV or zip files", EV,
         lambda w: w.evidence.import_crime(folder=False), "Ctrl+Shift+I"),
    Spec("import_crime_folder", "Import crime data &folder…", "Import a whole data.police.uk archive folder", EV,
         lambda w: w.evidence.import_crime(folder=True)),
    Spec("add_survey", "Record a &survey wave…", "Type in a trust and confidence survey's counts from paper", EV,
         lambda w: w.evidence.add_survey(), "Ctrl+Shift+S", separate=True),
    Spec("import_survey", "&Import survey CSV…", "Import a survey CSV with one row per respondent", EV,
         lambda w: w.evidence.import_survey()),
    Spec("harm_index", "Social &Harm Index…", "Wards ranked by police demand and deprivation, and the suggested "
         "rolling order", EV, lambda w: w.evidence.show_harm_index(), separate=True),
    Spec("quarterly_report", "&Quarterly report…", "The quarterly report for the Safer Neighbourhood Board and "
         "the PCC (PDF)", EV, lambda w: w.evidence.quarterly_report(), "Ctrl+Shift+R"),
    Spec("export_police_uk", "Export police.uk &priorities…", "The cycle's priorities in the police.uk shape, "
         "from approved public wording", EV, lambda w: w.evidence.export_police_uk()),
    Spec("about", "&About Community Matters Desktop", "Version and licences", H, lambda w: w.about(),
         when=When.ALWAYS),
)  # fmt: skip


class Actions:
    """The window's QActions by name (``actions.sync_now``), with their specs."""

    def __init__(self, built: Iterable[tuple[Spec, QAction]]) -> None:
        self._specs: dict[str, tuple[Spec, QAction]] = {spec.name: (spec, action) for spec, action in built}

    def __getattr__(self, name: str) -> QAction:
        try:
            return self._specs[name][1]
        except KeyError:
            raise AttributeError(name) from None

    def all(self) -> list[QAction]:
        return [action for _spec, action in self._specs.values()]

    def specs(self) -> list[tuple[Spec, QAction]]:
        return list(self._specs.values())

    def update(self, *, has_ward: bool, has_card: bool, locked: bool, can_undo: bool, can_redo: bool) -> None:
        """The one place that decides what can be done right now, and says why not."""
        possible = {
            When.ALWAYS: True,
            When.UNLOCKED: not locked,
            When.WARD: not locked and has_ward,
            When.PRIORITY: not locked and has_card,
            When.UNDO: not locked and can_undo,
            When.REDO: not locked and can_redo,
        }
        for spec, action in self._specs.values():
            enabled = possible[spec.when]
            action.setEnabled(enabled)
            why = When.UNLOCKED.why if locked and spec.when is not When.ALWAYS else spec.when.why
            tip = spec.tip if enabled or not why else f"{spec.tip}. {why}"
            action.setStatusTip(tip)
            action.setToolTip(tip)


def build_actions(window: MainWindow, specs: Iterable[Spec] = SPECS) -> Actions:
    """Make every action, wire it to its handler, and put it in its menu and on the toolbar."""
    built: list[tuple[Spec, QAction]] = []
    stack = window.ops.stack
    for spec in specs:
        if spec.when is When.UNDO:
            action = stack.createUndoAction(window, spec.text)
        elif spec.when is When.REDO:
            action = stack.createRedoAction(window, spec.text)
        else:
            action = QAction(spec.text, window)
            action.triggered.connect(lambda _checked=False, run=spec.run: run(window))
        action.setObjectName(spec.object_name)
        action.setStatusTip(spec.tip)
        action.setToolTip(spec.tip)
        keys = spec.shortcut if isinstance(spec.shortcut, tuple) else (spec.shortcut,)
        action.setShortcuts([QKeySequence(key) for key in keys if key is not None])
        built.append((spec, action))
    return Actions(built)


def install(window: MainWindow, actions: Actions) -> QToolBar:
    """The menu bar (in :data:`MENUS` order) and the toolbar, from the specs."""
    menus: dict[str, QMenu] = {}
    for title in MENUS:
        menus[title] = window.menuBar().addMenu(title)
        menus[title].setObjectName("menu" + "".join(c for c in title if c.isalpha()))
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("mainToolBar")
    for spec, action in actions.specs():
        menu = menus[spec.menu]
        if spec.separate and menu.actions():
            menu.addSeparator()
        menu.addAction(action)
    toolbar.addActions(
        [action for spec, action in sorted(actions.specs(), key=lambda sa: sa[0].toolbar) if spec.toolbar]
    )
    return toolbar


def _action(parent: QWidget, name: str, text: str, tip: str, shortcut: Shortcut) -> QAction:
    """An action outside the window's menus (a dialog's own), named and tipped like the registry's."""
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action
