"""Every QAction in one place: text, shortcut, status tip (Picard's registry).

Enabled states are decided in one function, :meth:`Actions.update`, from what is selected.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

Key = QKeySequence.StandardKey
Shortcut = QKeySequence | Key | str | None


@dataclass
class Actions:
    backup: QAction
    check: QAction
    lock: QAction
    autolock: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    show_wards: QAction
    show_board: QAction
    show_plan: QAction
    show_calendar: QAction
    show_partners: QAction
    show_overview: QAction
    show_people: QAction
    show_audit: QAction
    retention: QAction
    subject_access: QAction
    find: QAction
    refresh: QAction
    add_ward: QAction
    edit_ward: QAction
    import_wards: QAction
    meeting: QAction
    move_right: QAction
    move_left: QAction
    open_plan: QAction
    escalate: QAction
    de_escalate: QAction
    not_taken_forward: QAction
    reconsider: QAction
    preview_leaflet: QAction
    cycle_leaflets: QAction
    force_identity: QAction
    sync_now: QAction
    sync_folder: QAction
    conflicts: QAction
    about: QAction

    def all(self) -> list[QAction]:
        return list(vars(self).values())

    def update(self, *, has_ward: bool, has_card: bool, locked: bool) -> None:
        """The one place that decides what can be done right now."""
        for action in self.all():
            action.setEnabled(not locked or action in (self.quit, self.about))
        if locked:
            return
        self.edit_ward.setEnabled(has_ward)
        for action in (self.move_right, self.move_left, self.open_plan, self.escalate, self.de_escalate,
                       self.not_taken_forward, self.reconsider, self.preview_leaflet):  # fmt: skip
            action.setEnabled(has_card)


def _action(parent: QWidget, name: str, text: str, tip: str, shortcut: Shortcut) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(name)
    action.setStatusTip(tip)
    action.setToolTip(tip)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action


def build_actions(parent: QWidget, stack: QUndoStack) -> Actions:
    undo = stack.createUndoAction(parent, "&Undo")
    undo.setObjectName("actionUndo")
    undo.setShortcut(QKeySequence(Key.Undo))
    undo.setStatusTip("Undo the last change")
    redo = stack.createRedoAction(parent, "&Redo")
    redo.setObjectName("actionRedo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence(Key.Redo)])
    redo.setStatusTip("Redo the change just undone")
    a = _action
    return Actions(
        backup=a(parent, "actionBackup", "&Back up vault…", "Write an encrypted copy of the vault", "Ctrl+Shift+B"),
        check=a(parent, "actionCheck", "&Check database", "Verify every page of the encrypted database", None),
        lock=a(parent, "actionLock", "&Lock now", "Hide everything until the recovery passphrase is typed", "Ctrl+L"),
        autolock=a(parent, "actionAutolock", "Auto-lock &after…", "Choose how long the window waits before "
                   "locking itself", None),
        quit=a(parent, "actionQuit", "&Quit", "Close the vault and quit", Key.Quit),
        undo=undo,
        redo=redo,
        show_wards=a(parent, "actionShowWards", "&Wards", "Every ward, its team and its priority", "Ctrl+1"),
        show_board=a(parent, "actionShowBoard", "Priority &board", "Every priority across the lifecycle", "Ctrl+2"),
        show_plan=a(parent, "actionShowPlan", "&SARA plan", "The SARA plan of the selected priority", "Ctrl+3"),
        show_calendar=a(parent, "actionShowCalendar", "&Calendar", "Weeks of action across the quarter", "Ctrl+4"),
        show_partners=a(parent, "actionShowPartners", "&Partners' actions", "Open actions by partner agency",
                        "Ctrl+5"),
        show_overview=a(parent, "actionShowOverview", "Force &overview", "Every ward's priority and who is stuck",
                        "Ctrl+6"),
        show_people=a(parent, "actionShowPeople", "Peop&le && partners", "Partner agencies, ward teams, panels "
                      "and the key individual network", "Ctrl+7"),
        show_audit=a(parent, "actionShowAudit", "&Audit trail", "Who did what and when; verify and export it",
                     "Ctrl+8"),
        retention=a(parent, "actionRetention", "&Retention review…", "Personal data past its retention date, "
                    "and purging it", None),
        subject_access=a(parent, "actionSubjectAccess", "S&ubject access request…", "Everything held about a "
                         "named person, exported as PDF or CSV", None),
        find=a(parent, "actionFind", "&Find…", "Search the current view", Key.Find),
        refresh=a(parent, "actionRefresh", "&Refresh", "Reload from the vault", Key.Refresh),
        add_ward=a(parent, "actionAddWard", "&Add ward…", "Add a ward by its ONS code", None),
        edit_ward=a(parent, "actionEditWard", "&Edit ward…", "Change the selected ward's details", None),
        import_wards=a(parent, "actionImportWards", "&Import wards…", "Import an ONS ward lookup CSV", "Ctrl+I"),
        meeting=a(parent, "actionMeeting", "Ward &panel meeting…", "Prepare and run a ward panel meeting on the "
                  "projector", "Ctrl+M"),
        move_right=a(parent, "actionMoveRight", "Move to &next step", "Move the selected priority one column right",
                     "Ctrl+Shift+Right"),
        move_left=a(parent, "actionMoveLeft", "Move &back a step", "Move the selected priority one column left",
                    "Ctrl+Shift+Left"),
        open_plan=a(parent, "actionOpenPlan", "&Open SARA plan", "Open the selected priority's SARA plan", "Ctrl+O"),
        escalate=a(parent, "actionEscalate", "&Escalate to CSP tasking…", "Refer to Community Safety Partnership "
                   "tasking, with a reason", "Ctrl+E"),
        de_escalate=a(parent, "actionDeEscalate", "&De-escalate", "CSP tasking handed it back", None),
        not_taken_forward=a(parent, "actionNotTakenForward", "&Not taken forward…", "The panel did not take it "
                            "forward, with the reason", None),
        reconsider=a(parent, "actionReconsider", "&Reconsider", "Put a priority not taken forward back to the panel",
                     None),
        preview_leaflet=a(parent, "actionPreviewLeaflet", "&Preview leaflet…", "The 'You said, we did' leaflet "
                          "for the selected priority", "Ctrl+Shift+P"),
        cycle_leaflets=a(parent, "actionCycleLeaflets", "&Leaflets for the cycle…", "Make a leaflet for every "
                         "ward whose priority has feedback", None),
        force_identity=a(parent, "actionForceIdentity", "&Force name and logo…", "The name and logo printed on "
                         "leaflets", None),
        sync_now=a(parent, "actionSync", "&Sync now", "Exchange changes with colleagues through the shared folder",
                   "F9"),
        sync_folder=a(parent, "actionSyncFolder", "Shared &folder…", "Choose the shared folder to sync through",
                      None),
        conflicts=a(parent, "actionConflicts", "&Conflicts…", "Things changed on two laptops: choose which to keep",
                    None),
        about=a(parent, "actionAbout", "&About Community Matters Desktop", "Version and licences", None),
    )  # fmt: skip
