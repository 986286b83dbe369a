"""The main window: wards, the priority board and the SARA plan, with menus, undo and auto-lock.

The window is the controller: it turns what views ask for (move this card, open that plan) into
undoable service calls through :class:`Operations`, and reloads every view when data changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop import APP_NAME, APP_TITLE, build
from commmatters_desktop.core import people_queries, queries, rules
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import AGREED_OR_LATER, PIPELINE, PriorityStatus, ScheduleMode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Agency, PanelMeeting, Priority, Ward, natural_id
from commmatters_desktop.core.overview import overview
from commmatters_desktop.core.partner_actions import open_actions
from commmatters_desktop.core.services import common, laptops, planning, priorities, wards
from commmatters_desktop.storage.vault import Vault, atomic_write
from commmatters_desktop.ui import forms, refresh, sync_panel
from commmatters_desktop.ui.actions import build_actions
from commmatters_desktop.ui.data_protection import RetentionDialog, SubjectAccessDialog
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.integrity_warning import IntegrityWarning
from commmatters_desktop.ui.leaflet_preview import LeafletPreview
from commmatters_desktop.ui.lock import DEFAULT_MINUTES, IdleWatcher, LockScreen
from commmatters_desktop.ui.meeting import MeetingPrep
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.settings import WindowSettings
from commmatters_desktop.ui.sync_panel import ConflictsDialog
from commmatters_desktop.ui.views.audit_view import AuditView
from commmatters_desktop.ui.views.board_view import PriorityBoardView
from commmatters_desktop.ui.views.cycle_views import (
    CalendarView,
    ForceOverviewView,
    PartnerActionsView,
    set_cycles,
)
from commmatters_desktop.ui.views.people_view import PeopleView
from commmatters_desktop.ui.views.sara_view import SaraPlanView
from commmatters_desktop.ui.views.ward_view import WardView

S = PriorityStatus
DEMO_BANNER = "DEMO FORCE: real ward names, invented people and priorities. Nothing here is real case data."
#: Agreement can be completed from the board when these are all that stand in its way.
_AGREEMENT_GAPS = frozenset({"no panel meeting or online ratification recorded", "no lead agency"})


class MainWindow(QMainWindow):
    def __init__(
        self,
        vault: Vault,
        *,
        clock: Clock | None = None,
        settings: WindowSettings | None = None,
        autolock_minutes: float | None = None,
        sync_on_open: bool = True,
    ) -> None:
        super().__init__()
        self.sync_on_close = sync_on_open
        self.setObjectName("mainWindow")
        self.vault = vault
        self.clock = clock or SystemClock()
        self.settings = settings or WindowSettings()
        self.cycle = CycleCode.containing(self.clock.today())
        self.setWindowTitle(window_title(vault))
        self.setMinimumSize(780, 540)  # an old 800x600 church-hall projector still fits

        self.ops = Operations(vault, self)
        self.integrity_warning = IntegrityWarning(vault, self)  # damage found by the background check
        #: The priority last chosen on the board or a ward's page, which the SARA tab shows next.
        self._chosen: uuid.UUID | None = None
        self.actions_ = build_actions(self, self.ops.stack)
        self.ward_view = WardView(self)
        self.board = PriorityBoardView(self)
        self.plan = SaraPlanView(self.ops, self.clock, self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setAccessibleName("Views")
        self.tabs.addTab(self.ward_view, "&Wards")
        self.tabs.addTab(self.board, "Priority &board")
        self.tabs.addTab(self.plan, "&SARA plan")
        self.calendar = CalendarView(self)
        self.partners = PartnerActionsView(self)
        self.overview = ForceOverviewView(self)
        self.tabs.addTab(self.calendar, "&Calendar")
        self.tabs.addTab(self.partners, "Partners' a&ctions")
        self.tabs.addTab(self.overview, "Force &overview")
        self.people = PeopleView(self.ops, self.clock, self)
        self.tabs.addTab(self.people, "Peop&le && partners")
        self.audit_view = AuditView(self.ops, self)
        self.tabs.addTab(self.audit_view, "&Audit trail")

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(6, 6, 6, 0)
        if vault.is_demo:
            banner = QLabel(DEMO_BANNER, content)
            banner.setObjectName("demoBanner")
            banner.setAccessibleName("Demo force notice")
            banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
            banner.setStyleSheet("background: #fff3cd; color: #4d3800; font-weight: bold; padding: 6px;")
            layout.addWidget(banner)
        layout.addWidget(self.tabs, 1)
        minutes = (
            autolock_minutes
            if autolock_minutes is not None
            else self.settings.autolock_minutes(DEFAULT_MINUTES)
        )
        self.lock_screen = LockScreen(minutes, self)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("windowPages")
        self.pages.addWidget(content)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        self.idle = IdleWatcher(int(minutes * 60_000), self)

        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._restore()
        self.board.set_cycles(self.ops.read(queries.cycle_codes), str(self.cycle))
        self.refresh()
        if sync_on_open:
            self.sync_now(quiet=True)  # the shared folder, if it is reachable; silent otherwise
        self._show_sync_state()

    @property
    def locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    # --- construction ------------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions_
        menu = self.menuBar()
        menu.addMenu("&File").addActions(
            [
                a.cycle_leaflets,
                a.force_identity,
                a.retention,
                a.subject_access,
                a.backup,
                a.check,
                a.lock,
                a.autolock,
                a.quit,
            ]
        )
        menu.addMenu("&Edit").addActions([a.undo, a.redo, a.find])
        menu.addMenu("&View").addActions(
            [
                a.show_wards,
                a.show_board,
                a.show_plan,
                a.show_calendar,
                a.show_partners,
                a.show_overview,
                a.show_people,
                a.show_audit,
                a.refresh,
            ]
        )
        menu.addMenu("W&ards").addActions([a.meeting, a.add_ward, a.edit_ward, a.import_wards])
        menu.addMenu("&Priority").addActions(
            [
                a.open_plan,
                a.preview_leaflet,
                a.move_right,
                a.move_left,
                a.escalate,
                a.de_escalate,
                a.not_taken_forward,
                a.reconsider,
            ]
        )
        menu.addMenu("S&ync").addActions([a.sync_now, a.sync_folder, a.conflicts])
        from commmatters_desktop.ui.evidence_actions import install_evidence_menu

        self.evidence = install_evidence_menu(self)  # crime data, surveys, harm index, reports (issue 14)
        menu.addMenu("&Help").addAction(a.about)
        self.toolbar = toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.addActions(
            [a.show_wards, a.show_board, a.show_plan, a.undo, a.redo, a.move_left, a.move_right]
        )

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.vault_label = QLabel(self)
        self.vault_label.setObjectName("statusVault")
        self.cycle_label = QLabel(f"Cycle {self.cycle}", self)
        self.cycle_label.setObjectName("statusCycle")
        self.sync_label = QLabel("Sync: not set up", self)
        self.sync_label.setObjectName("statusSync")
        if self.vault.is_demo:
            self.vault_label.setText(f"DEMO vault: {self.vault.folder} (published demo passphrase)")
        else:
            self.vault_label.setText(
                f"Vault: {self.vault.folder} (unlocked with the {self.vault.key_source})"
            )
        for label in (self.vault_label, self.cycle_label, self.sync_label):
            bar.addPermanentWidget(label)

    def _connect(self) -> None:
        a = self.actions_
        a.quit.triggered.connect(self.close)
        a.lock.triggered.connect(self.lock)
        a.autolock.triggered.connect(self.choose_autolock)
        a.show_wards.triggered.connect(lambda: self.tabs.setCurrentWidget(self.ward_view))
        a.show_board.triggered.connect(lambda: self.tabs.setCurrentWidget(self.board))
        a.show_plan.triggered.connect(self.show_plan)
        a.show_calendar.triggered.connect(lambda: self.tabs.setCurrentWidget(self.calendar))
        a.show_partners.triggered.connect(lambda: self.tabs.setCurrentWidget(self.partners))
        a.show_overview.triggered.connect(lambda: self.tabs.setCurrentWidget(self.overview))
        a.show_people.triggered.connect(lambda: self.tabs.setCurrentWidget(self.people))
        self.ward_view.show_people.connect(self.show_people)
        a.show_audit.triggered.connect(lambda: self.tabs.setCurrentWidget(self.audit_view))
        a.retention.triggered.connect(lambda: RetentionDialog(self.ops, self).open())
        a.subject_access.triggered.connect(lambda: SubjectAccessDialog(self.ops, self).open())
        self.calendar.week_requested.connect(self.set_week)
        self.calendar.unavailable_requested.connect(self.toggle_unavailable)
        self.calendar.plan_requested.connect(self.plan_weeks)
        self.calendar.export_requested.connect(self.export_ics)
        self.calendar.cycle_changed.connect(lambda _c: self._refresh_cycle_views())
        self.partners.filter_changed.connect(self._refresh_cycle_views)
        self.partners.open_requested.connect(self.open_plan)
        self.partners.print_requested.connect(self.print_partner_list)
        self.overview.open_requested.connect(self.open_plan)
        self.overview.cycle_changed.connect(lambda _c: self._refresh_cycle_views())
        a.find.triggered.connect(self._find)
        a.refresh.triggered.connect(self.refresh)
        a.backup.triggered.connect(self._backup)
        a.check.triggered.connect(self._check)
        a.about.triggered.connect(self._about)
        a.add_ward.triggered.connect(self.add_ward)
        a.edit_ward.triggered.connect(self.edit_ward)
        a.import_wards.triggered.connect(self.import_wards)
        a.meeting.triggered.connect(self.open_meeting)
        a.move_right.triggered.connect(lambda: self._step_selected(+1))
        a.move_left.triggered.connect(lambda: self._step_selected(-1))
        a.open_plan.triggered.connect(lambda: self._with_selected(self.open_plan))
        a.escalate.triggered.connect(
            lambda: self._with_selected(lambda pid: self.request_move(pid, S.ESCALATED))
        )
        a.not_taken_forward.triggered.connect(
            lambda: self._with_selected(lambda pid: self.request_move(pid, S.NOT_TAKEN_FORWARD))
        )
        a.de_escalate.triggered.connect(lambda: self._with_selected(self.de_escalate))
        a.reconsider.triggered.connect(lambda: self._with_selected(self.reconsider))
        a.preview_leaflet.triggered.connect(lambda: self._with_selected(self.preview_leaflet))
        a.cycle_leaflets.triggered.connect(self.cycle_leaflets)
        a.force_identity.triggered.connect(self.force_identity)
        a.sync_now.triggered.connect(lambda: self.sync_now())
        a.sync_folder.triggered.connect(lambda: self.sync_now(choose_folder=True))
        a.conflicts.triggered.connect(self.show_conflicts)
        self.plan.leaflet_requested.connect(self.preview_leaflet)
        self.refresher = refresh.connect(self)  # edits refresh the rows they change (ui/refresh.py)
        self.ops.refused.connect(self._refused)
        self.board.move_requested.connect(self.request_move)
        self.board.open_requested.connect(self.open_plan)
        self.board.selection_changed.connect(self._card_chosen)
        self.plan.step_requested.connect(lambda pid, d: self._step(pid, d))
        self.ward_view.ward_selected.connect(self._show_ward)
        self.ward_view.open_plan.connect(self.open_plan)
        self.ward_view.show_on_board.connect(self.show_on_board)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.idle.idle.connect(self.lock)
        self.lock_screen.unlock_requested.connect(self.unlock)

    def _restore(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            # First run: most of the screen, whether a 1366x768 laptop or a 1920x1080 projector.
            available = self.screen().availableGeometry()
            self.resize(min(1600, int(available.width() * 0.9)), min(1000, int(available.height() * 0.9)))
        if state is not None:
            self.restoreState(state)

    # --- showing data ------------------------------------------------------------------------------------

    def refresh(self) -> None:
        today = self.clock.today()
        cycle = self.board.selected_cycle()

        def load(s: Session) -> tuple[list[queries.WardRow], list[str], list[queries.PriorityCard]]:
            return (
                queries.ward_rows(s, cycle=str(self.cycle)),
                queries.local_authorities(s),
                queries.priority_cards(s, cycle=cycle or None, today=today),
            )

        rows, authorities, cards = self.ops.read(load)
        self.ward_view.set_rows(rows, authorities)
        self.board.set_cards(cards)
        self.plan.set_choices(cards)
        self.plan.reload()
        selected = self.ward_view.selected_ward()
        if selected is not None:
            self._show_ward(selected)
        self._refresh_cycle_views()
        self.refresher.reloaded()
        self._update_actions()

    def _tab_changed(self, _index: int) -> None:
        self._update_actions()  # the refresher reloads the view shown if it is stale

    def _refresh_cycle_views(self) -> None:
        """The calendar, partners' actions and overview, reloaded only while one of them is shown."""
        shown = self.tabs.currentWidget()
        if shown not in (self.calendar, self.partners, self.overview):
            return
        today = self.clock.today()
        codes = self.ops.read(queries.cycle_codes)
        if shown is self.calendar:
            set_cycles(self.calendar.cycle, codes, str(self.cycle))
            cycle = self.calendar.cycle.currentText()
            self.calendar.show_data(self.ops.read(lambda s: planning.calendar_data(s, cycle)))
        elif shown is self.partners:
            agency = self.partners.selected_agency()
            actions = self.ops.read(lambda s: open_actions(s, today=today, agency=agency))
            self.partners.set_actions(actions, [o.label for o in self.ops.read(queries.agency_options)])
        else:
            set_cycles(self.overview.cycle, codes, str(self.cycle))
            cycle = self.overview.cycle.currentText()
            self.overview.show_overview(self.ops.read(lambda s: overview(s, cycle=cycle, today=today)))

    def show_people(self, ward_id: uuid.UUID) -> None:
        self.people.show_ward(ward_id)
        self.tabs.setCurrentWidget(self.people)

    def _show_ward(self, ward_id: uuid.UUID) -> None:
        self.ward_view.show_people_of(
            self.ops.read(lambda s: people_queries.ward_people(s, ward_id=ward_id, on=self.clock.today()))
        )
        self.ward_view.show_detail(
            self.ops.read(lambda s: queries.ward_detail(s, ward_id, cycle=str(self.cycle)))
        )
        self._update_actions()

    def _update_actions(self) -> None:
        self.actions_.update(
            has_ward=self.ward_view.selected_ward() is not None,
            has_card=self._selected_priority() is not None,
            locked=self.locked,
        )

    def _selected_priority(self) -> uuid.UUID | None:
        if self.tabs.currentWidget() is self.plan:
            return self.plan.detail.id if self.plan.detail else None
        card = self.board.current_card()
        return card.id if card else None

    def _with_selected(self, handler: Callable[[uuid.UUID], object]) -> None:
        selected = self._selected_priority()
        if selected is None:
            self.statusBar().showMessage(
                "Select a priority on the board (or open its SARA plan) first.", 8000
            )
            return
        handler(selected)

    def _card_chosen(self) -> None:
        card = self.board.current_card()
        if card is not None:
            self._chosen = card.id
        self._update_actions()

    def show_plan(self) -> None:
        """The SARA plan tab, showing the priority last chosen on the board or a ward's page."""
        chosen, self._chosen = self._chosen, None
        if chosen is not None and (self.plan.detail is None or self.plan.detail.id != chosen):
            self.open_plan(chosen)
        else:
            self.tabs.setCurrentWidget(self.plan)

    def open_plan(self, priority_id: uuid.UUID) -> None:
        self.tabs.setCurrentWidget(self.plan)
        self.plan.show_priority(priority_id)
        self._update_actions()

    def show_on_board(self, priority_id: uuid.UUID) -> None:
        self.tabs.setCurrentWidget(self.board)
        if not self.board.select(priority_id, focus=True):
            self.board.set_cycles(self.ops.read(queries.cycle_codes), "")
            self.refresh()
            self.board.select(priority_id, focus=True)

    def _find(self) -> None:
        if self.tabs.currentWidget() is self.board:
            self.board.focus_search()
        else:
            self.tabs.setCurrentWidget(self.ward_view)
            self.ward_view.focus_search()

    def _refused(self, message: str) -> None:
        self.board.show_message(message)
        self.statusBar().showMessage(message, 15_000)

    # --- moving priorities ----------------------------------------------------------------------------------

    def _step_selected(self, direction: int) -> None:
        self._with_selected(lambda pid: self._step(pid, direction))

    def _step(self, priority_id: uuid.UUID, direction: int) -> None:
        status = self.ops.read(lambda s: common.fetch(s, Priority, priority_id).status)
        if status not in PIPELINE:
            self._refused(f"It is {status.label}: use the Priority menu to change that.")
            return
        index = PIPELINE.index(status) + direction
        if 0 <= index < len(PIPELINE):
            self.request_move(priority_id, PIPELINE[index])
        elif direction > 0:
            self._refused(
                "It is Closed: nothing comes after Closed. To work on it again, add next quarter's priority."
            )
        else:
            self._refused(
                "It is Nominated: that is the first step. Use Not taken forward if the panel declined it."
            )

    def request_move(self, priority_id: uuid.UUID, target: PriorityStatus) -> None:
        """Move a priority as the user asked; the service decides, and every move can be undone."""
        self.plan.commit_pending()
        self.board.show_message("")
        current = self.ops.read(lambda s: common.fetch(s, Priority, priority_id))
        before = current.status
        if target is before:
            return
        refusal = self.ops.read(
            lambda s: rules.side_step_refusal(common.fetch(s, Priority, priority_id), target)
        )
        if refusal:
            self._refused(refusal)
            return
        if target is S.ESCALATED:
            self._with_reason(
                "Escalate to CSP tasking",
                "Why does this need CSP tasking?",
                lambda s, why: priorities.escalate(
                    s, priority=common.fetch(s, Priority, priority_id), reason=why
                ),
                lambda s: priorities.de_escalate(s, priority=common.fetch(s, Priority, priority_id)),
            )
        elif target is S.NOT_TAKEN_FORWARD:
            self._with_reason(
                "Not taken forward",
                "What reason did the panel give?",
                lambda s, why: priorities.not_taken_forward(
                    s, priority=common.fetch(s, Priority, priority_id), reason=why
                ),
                lambda s: priorities.reconsider(s, priority=common.fetch(s, Priority, priority_id)),
            )
        elif before is S.NOMINATED and target in AGREED_OR_LATER and self._needs_agreement(current):
            self._agree(current, target)
        else:
            self.ops.do(
                f"Move '{current.title}' to {target.label}",
                lambda s: priorities.move(s, priority=common.fetch(s, Priority, priority_id), target=target),
                self._undo_move(priority_id, before),
            )
        self.board.select(priority_id)

    def _with_reason(
        self,
        title: str,
        question: str,
        forward: Callable[[Session, str], object],
        backward: Callable[[Session], object],
    ) -> None:
        """A side-state change: ask for the reason, then make it an undoable edit."""
        answer = forms.ask_reason(self, title, question)
        if answer is not None:
            reason: str = answer
            self.ops.do(title, lambda s: forward(s, reason), backward)

    @staticmethod
    def _undo_move(priority_id: uuid.UUID, before: PriorityStatus) -> Callable[[Session], object]:
        def back(s: Session) -> object:
            p = common.fetch(s, Priority, priority_id)
            if before is S.NOMINATED:
                return priorities.withdraw_agreement(s, priority=p)
            return priorities.move(s, priority=p, target=before)

        return back

    def _needs_agreement(self, priority: Priority) -> bool:
        """True when only the meeting and lead agency are missing: then the board can ask for them."""

        def gaps(s: Session) -> set[str]:
            p = common.fetch(s, Priority, priority.id)
            sibling = priorities.agreed_priority(s, ward_id=p.ward_id, cycle_id=p.cycle_id)
            return set(rules.agree_blockers(p, already_agreed=sibling))

        found = self.ops.read(gaps)
        return bool(found) and found <= _AGREEMENT_GAPS

    def _agree(self, priority: Priority, target: PriorityStatus) -> None:
        cycle = self.ops.read(lambda s: common.fetch(s, Priority, priority.id).cycle.code)
        agencies = self.ops.read(queries.agency_options)
        meetings = self.ops.read(lambda s: queries.meeting_options(s, ward_id=priority.ward_id, cycle=cycle))
        answer = forms.ask_form(
            self,
            "Agree the priority",
            f"Record how the panel agreed '{priority.title}' and which agency leads it.",
            [
                Field(
                    "lead",
                    "Lead agency",
                    Kind.CHOICE,
                    required=True,
                    choices=[("(choose)", None), *((o.label, o.id) for o in agencies)],
                ),
                Field(
                    "meeting",
                    "Agreed at",
                    Kind.CHOICE,
                    choices=[*((o.label, o.id) for o in meetings), ("Ratified online (no meeting)", None)],
                ),
            ],
            "Agree",
        )
        if answer is None:
            return
        pid = priority.id

        def agree(s: Session) -> object:
            p = common.fetch(s, Priority, pid)
            meeting = common.fetch(s, PanelMeeting, answer["meeting"]) if answer["meeting"] else None
            priorities.agree(
                s,
                priority=p,
                lead_agency=common.fetch(s, Agency, answer["lead"]),
                meeting=meeting,
                ratified_online=meeting is None,
            )
            if target is not S.AGREED:
                priorities.move(s, priority=p, target=target)
            return p

        self.ops.do("Agree the priority", agree, self._undo_move(pid, S.NOMINATED))

    def de_escalate(self, priority_id: uuid.UUID) -> None:
        reason = self.ops.read(lambda s: common.fetch(s, Priority, priority_id).escalation_reason)
        self.ops.do(
            "De-escalate",
            lambda s: priorities.de_escalate(s, priority=common.fetch(s, Priority, priority_id)),
            lambda s: priorities.escalate(s, priority=common.fetch(s, Priority, priority_id), reason=reason),
        )

    def reconsider(self, priority_id: uuid.UUID) -> None:
        reason = self.ops.read(lambda s: common.fetch(s, Priority, priority_id).not_taken_reason)
        self.ops.do(
            "Reconsider",
            lambda s: priorities.reconsider(s, priority=common.fetch(s, Priority, priority_id)),
            lambda s: priorities.not_taken_forward(
                s, priority=common.fetch(s, Priority, priority_id), reason=reason
            ),
        )

    # --- sync -----------------------------------------------------------------------------------------------

    def _show_sync_state(self) -> None:
        from commmatters_desktop.sync import engine

        last = self.vault.meta(engine.LAST_SYNC_META)
        pending = engine.pending_changes(self.vault)
        conflicts = len(self.ops.read(engine.open_conflicts))
        when = f"last {dt.datetime.fromisoformat(last):%d %b %H:%M}" if last else "not set up"
        extra = f" · {pending} to send" if pending and last else ""
        extra += f" · {conflicts} conflict{'s' if conflicts != 1 else ''}" if conflicts else ""
        self.sync_label.setText(f"Sync: {when}{extra}")

    def shared_folder(self) -> Path | None:
        from commmatters_desktop.sync import engine

        chosen = self.vault.meta(engine.FOLDER_META)
        return Path(chosen) if chosen else None

    def sync_now(self, *, choose_folder: bool = False, quiet: bool = False) -> object:
        """Sync through the shared folder; quiet (on start and close) says nothing if it cannot."""
        from commmatters_desktop.sync import engine

        folder = self.shared_folder()
        if folder is None or choose_folder:
            if quiet:
                return None
            picked = QFileDialog.getExistingDirectory(self, "Choose the shared folder", str(Path.home()))
            if not picked:
                return None
            folder = Path(picked)
        if quiet and not folder.is_dir():
            return None
        passphrase: str | None = None
        if self.vault.meta(engine.TEAM_META) is None or choose_folder:
            if quiet:
                return None
            named = self.ops.read(lambda s: laptops.laptop_name(s, self.vault.device_id))
            answer = forms.ask_form(
                self,
                "Team passphrase",
                "Laptops that sync together share a team passphrase. The first laptop "
                "chooses it; colleagues type the same one. Tell it to them in person, never by email. "
                "The laptop's name is how colleagues see whose changes they are.",
                [
                    Field("passphrase", "Team passphrase", Kind.PASSWORD, required=True),
                    Field(
                        "laptop",
                        "This laptop's name",
                        required=True,
                        value="" if named.startswith("laptop ") else named,
                        hint="for example: PC Shaw's laptop, Bolton North",
                    ),
                ],
                "Sync",
            )
            if answer is None:
                return None
            passphrase = answer["passphrase"]
            laptop = str(answer["laptop"])
            self.ops.run(lambda s: laptops.name_laptop(s, device_id=self.vault.device_id, name=laptop))
        progress = QProgressDialog("Syncing…", "Stop", 0, 0, self)
        progress.setObjectName("syncProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(800)

        def step(done: int, total: int) -> bool:
            progress.setMaximum(total)
            progress.setValue(done)
            # Timers and repaints (not clicks, so no second sync can start) between files.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            return not progress.wasCanceled()

        try:
            report = engine.sync(self.vault, folder, passphrase=passphrase, progress=step)
        except UserError as exc:
            progress.close()
            if not quiet:
                QMessageBox.warning(self, "Sync did not finish", exc.message)
            self.statusBar().showMessage(exc.message, 15_000)
            return None
        progress.close()
        self.refresh()
        self._show_sync_state()
        self.statusBar().showMessage(report.describe(), 15_000)
        if sync_panel.report_needs_attention(report) and not quiet:
            QMessageBox.warning(self, sync_panel.report_title(report), sync_panel.report_details(report))
        return report

    def show_conflicts(self) -> ConflictsDialog:
        dialog = ConflictsDialog(self.ops, self)
        dialog.finished.connect(lambda _r: self._show_sync_state())
        dialog.open()
        return dialog

    # --- the quarter: weeks of action -----------------------------------------------------------------------

    def set_week(self, ward_id: uuid.UUID, week: dt.date | None) -> None:
        cycle = self.calendar.cycle.currentText()
        before = self.ops.read(lambda s: planning.weeks_of(s, cycle).get(ward_id))

        def write(value: dt.date | None) -> Callable[[Session], object]:
            return lambda s: planning.set_week(
                s, ward=common.fetch(s, Ward, ward_id), cycle=cycle, week_start=value
            )

        self.ops.do("Move a week of action", write(week), write(before))

    def toggle_unavailable(self, week: dt.date) -> None:
        cycle = self.calendar.cycle.currentText()
        blocked = week in self.ops.read(lambda s: planning.unavailable_weeks(s, cycle))

        def write(unavailable: bool) -> Callable[[Session], object]:
            return lambda s: planning.set_unavailable(s, cycle=cycle, week=week, unavailable=unavailable)

        self.ops.do(
            "Mark the week " + ("available" if blocked else "unavailable"), write(not blocked), write(blocked)
        )

    def plan_weeks(self, cycle: str) -> None:
        code = CycleCode.parse(cycle)
        authorities = self.ops.read(queries.local_authorities)
        answer = forms.ask_form(
            self,
            f"Plan the weeks of action for {cycle}",
            "Every ward in the force, or one local authority.",
            [
                Field(
                    "mode",
                    "Plan",
                    Kind.CHOICE,
                    value=ScheduleMode.ROLLING,
                    choices=[(m.label, m) for m in ScheduleMode],
                ),
                Field(
                    "start",
                    "Starting (rolling) or the week (all wards)",
                    Kind.DATE,
                    required=True,
                    value=max(code.start, self.clock.today()),
                ),
                Field("per_week", "At most this many wards a week (rolling; blank: as few as fit)"),
                Field(
                    "la",
                    "Wards",
                    Kind.CHOICE,
                    value="",
                    choices=[("All wards", ""), *((a, a) for a in authorities)],
                ),
            ],
            "Preview",
        )
        if answer is None:
            return
        try:
            per_week = int(answer["per_week"]) if str(answer["per_week"]).strip() else None
            plan = self.ops.read(
                lambda s: planning.make_plan(
                    s,
                    cycle=cycle,
                    mode=answer["mode"],
                    start=answer["start"],
                    per_week=per_week,
                    la=answer["la"],
                    today=self.clock.today(),
                )
            )
        except (UserError, ValueError) as exc:
            QMessageBox.warning(
                self, "Not planned", getattr(exc, "message", "Wards per week must be a number.")
            )
            return
        verdict = QMessageBox.question(
            self,
            "Save this plan?",
            "\n\n".join(plan.explanation)
            + ("\n\nNothing already set moves." if not plan.moves else "")
            + "\n\nSave it?",
        )
        if verdict != QMessageBox.StandardButton.Yes:
            return
        before = self.ops.read(lambda s: planning.weeks_of(s, cycle))
        previous_mode = self.ops.read(lambda s: planning.calendar_data(s, cycle).mode)
        undo = {ward_id: before.get(ward_id) for ward_id in plan.weeks}
        self.ops.do(
            f"Plan the weeks of {cycle}",
            lambda s: planning.save_plan(s, cycle=cycle, plan=plan),
            lambda s: planning.restore_weeks(s, cycle=cycle, weeks=undo, mode=previous_mode),
        )
        self.tabs.setCurrentWidget(self.calendar)

    def export_ics(self, cycle: str) -> Path | None:
        from commmatters_desktop.core.services import force
        from commmatters_desktop.reports.ics import calendar

        suggested = str(Path.home() / f"community-matters-{cycle}.ics")
        path, _ = QFileDialog.getSaveFileName(self, "Export calendar invites", suggested, "Calendar (*.ics)")
        if not path:
            return None
        today, stamp = self.clock.today(), self.clock.now()

        def build(s: Session) -> bytes:
            return calendar(
                cycle=cycle,
                weeks=planning.invite_weeks(s, cycle),
                actions=open_actions(s, today=today, cycle=cycle),
                stamp=stamp,
                force_name=force.force_name(s),
                demo=self.vault.is_demo,
            )

        target = Path(path if path.lower().endswith(".ics") else f"{path}.ics")
        try:
            atomic_write(target, self.ops.read(build))
        except (OSError, UserError) as exc:
            QMessageBox.warning(self, "Not exported", getattr(exc, "message", str(exc)))
            return None
        self.statusBar().showMessage(f"Calendar invites for {cycle} written to {target}", 10_000)
        return target

    def print_partner_list(self, agency: str) -> Path | None:
        from commmatters_desktop.core.services import force
        from commmatters_desktop.reports.action_list import render_action_list

        if self.partners.selected_agency() is None:
            QMessageBox.information(self, "Choose a partner", "Choose the partner whose list to print first.")
            return None
        suggested = str(Path.home() / f"actions-{agency.lower().replace(' ', '-')}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Save the partner's list", suggested, "PDF (*.pdf)")
        if not path:
            return None
        today = self.clock.today()
        data = self.ops.read(
            lambda s: render_action_list(
                agency,
                open_actions(s, today=today, agency=agency),
                today=today,
                force_name=force.force_name(s),
                demo=self.vault.is_demo,
            )
        )
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        atomic_write(target, data)
        self.statusBar().showMessage(f"{agency}'s list written to {target}", 10_000)
        return target

    # --- ward panel meetings -------------------------------------------------------------------------------

    def open_meeting(self) -> MeetingPrep | None:
        """Meeting preparation for the selected ward: this quarter, or next if this one's is agreed.

        With no ward chosen on the ward list or the board, it asks which ward: opening some other
        ward's meeting on a projector is worse than one more question.
        """
        shown, card = self.tabs.currentWidget(), self.board.current_card()
        ward_id = (
            card.ward_id
            if shown is self.board and card is not None
            else self.ward_view.selected_ward()
            if shown is self.ward_view
            else None
        )
        cycle = str(self.cycle)
        if ward_id is None:
            rows = self.ops.read(lambda s: queries.ward_rows(s, cycle=cycle))
            if not rows:
                QMessageBox.information(
                    self,
                    "No wards yet",
                    "Add or import the force's wards first (Wards menu), then prepare a meeting.",
                )
                return None
            answer = forms.ask_form(
                self,
                "Which ward's panel meeting?",
                "Choose the ward (type its first letters to jump to it).",
                [
                    Field(
                        "ward", "Ward", Kind.CHOICE, choices=[(f"{r.name} ({r.la_name})", r.id) for r in rows]
                    )
                ],
                "Prepare",
            )
            if answer is None:
                return None
            ward_id = answer["ward"]
        if ward_id is not None:
            agreed = self.ops.read(
                lambda s: priorities.agreed_priority(s, ward_id=ward_id, cycle_id=natural_id("cycle", cycle))
            )
            if agreed is not None:
                cycle = str(self.cycle.next())
        dialog = MeetingPrep(self.ops, self.clock, ward_id=ward_id, cycle=cycle, parent=self)
        dialog.open()
        return dialog

    # --- leaflets -------------------------------------------------------------------------------------------

    def preview_leaflet(self, priority_id: uuid.UUID) -> LeafletPreview:
        ward_code, cycle = self.ops.read(
            lambda s: (lambda p: (p.ward.code, p.cycle.code))(common.fetch(s, Priority, priority_id))
        )
        dialog = LeafletPreview(self.ops, self.clock, ward_code, cycle, self)
        dialog.open()
        return dialog

    def cycle_leaflets(self) -> None:
        from commmatters_desktop.reports.leaflet import LeafletFormat
        from commmatters_desktop.ui.leaflet_preview import batch_leaflets

        cycle = self.board.selected_cycle() or str(self.cycle)
        answer = forms.ask_form(
            self,
            f"Leaflets for {cycle}",
            "A leaflet for every ward whose priority has feedback recorded.",
            [
                Field(
                    "format",
                    "Format",
                    Kind.CHOICE,
                    value=LeafletFormat.A4,
                    choices=[(f.label, f) for f in LeafletFormat],
                )
            ],
            "Choose folder…",
        )
        if answer is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Save the leaflets in", str(Path.home()))
        if not folder:
            return
        written, refused, cancelled = batch_leaflets(
            self.ops, self.clock, cycle, Path(folder), answer["format"], self
        )
        lines = [f"{len(written)} leaflet{'s' if len(written) != 1 else ''} saved in {folder}."]
        if cancelled:
            lines.append("Stopped when you pressed Cancel.")
        lines += refused[:10]
        QMessageBox.information(self, "Leaflets", "\n\n".join(lines))

    def force_identity(self) -> None:
        from commmatters_desktop.core.services import force

        current = self.ops.read(force.force_name)
        answer = forms.ask_form(
            self,
            "Force name and logo",
            "Printed at the top of every leaflet.",
            [
                Field("name", "Force name", required=True, value=current),
                Field("logo", "Change the logo", Kind.CHECK, value=False),
            ],
            "Save",
        )
        if answer is None:
            return
        logo: bytes | None = None
        if answer["logo"]:
            path, _ = QFileDialog.getOpenFileName(
                self, "Choose the logo", str(Path.home()), "Images (*.png *.jpg)"
            )
            if path:
                try:
                    logo = Path(path).read_bytes()
                except OSError as exc:
                    QMessageBox.warning(self, "Logo not read", f"{path} could not be read: {exc.strerror}.")
                    return
        try:
            self.ops.run(lambda s: force.set_force(s, name=answer["name"], logo=logo))
        except UserError as exc:
            QMessageBox.warning(self, "Not changed", exc.message)
            return
        self.statusBar().showMessage(f"Leaflets will be published as '{answer['name']}'.", 8000)

    # --- wards --------------------------------------------------------------------------------------------------

    def _ward_fields(self, ward: queries.WardDetail | None) -> list[Field]:
        return [
            Field(
                "code",
                "ONS ward code",
                required=True,
                value=ward.code if ward else "",
                hint="A letter and eight digits, like E05000650",
            ),
            Field("name", "Ward name", required=True, value=ward.name if ward else ""),
            Field("la_name", "Local authority", value=ward.la_name if ward else ""),
            Field(
                "team_contact",
                "Contact route for residents",
                value=ward.team_contact if ward else "",
                hint="A team mailbox or 101, never an officer's own phone",
            ),
            Field("engagement_url", "Online engagement page", value=ward.engagement_url if ward else ""),
        ]

    def add_ward(self) -> None:
        answer = forms.ask_form(self, "Add a ward", "", self._ward_fields(None), "Add ward")
        if answer is None:
            return
        code = answer.pop("code")

        def create(s: Session) -> object:
            ward = wards.create_ward(s, code=code, name=answer["name"], la_name=answer["la_name"])
            return wards.update_ward(
                s, ward=ward, team_contact=answer["team_contact"], engagement_url=answer["engagement_url"]
            )

        def remove(s: Session) -> None:
            ward = wards.ward_by_code(s, code)
            if ward is not None:
                common.tombstone(s, ward, "undo of add")

        if self.ops.do("Add a ward", create, remove):
            self.tabs.setCurrentWidget(self.ward_view)
            self.ward_view.search.setText(code)

    def edit_ward(self) -> None:
        ward_id = self.ward_view.selected_ward()
        if ward_id is None:
            return
        detail = self.ops.read(lambda s: queries.ward_detail(s, ward_id, cycle=str(self.cycle)))
        if detail is None:
            return
        fields = [f for f in self._ward_fields(detail) if f.key != "code"]
        answer = forms.ask_form(self, f"Edit {detail.name}", f"Ward {detail.code}", fields, "Save")
        if answer is None:
            return
        old = {
            "name": detail.name,
            "la_name": detail.la_name,
            "team_contact": detail.team_contact,
            "engagement_url": detail.engagement_url,
        }

        def write(values: dict[str, str]) -> Callable[[Session], object]:
            return lambda s: wards.update_ward(s, ward=common.fetch(s, Ward, ward_id), **values)

        self.ops.do(f"Edit ward {detail.name}", write(answer), write(old))

    def import_wards(self) -> None:
        from commmatters_desktop.importers.ons_wards import apply_ward_lookup, read_ward_lookup

        path, _ = QFileDialog.getOpenFileName(
            self, "Import an ONS ward lookup", str(Path.home()), "CSV files (*.csv)"
        )
        if not path:
            return
        try:
            lookup = read_ward_lookup(Path(path))
        except UserError as exc:
            QMessageBox.warning(self, "Nothing was imported", exc.message)
            return
        summary = self.ops.attempt(lambda s: apply_ward_lookup(s, lookup))
        if summary is not None:
            lines = [f"{Path(path).name}: {summary.describe()}."]
            lines += [f"Line {line}: {reason}" for line, reason in summary.skipped[:20]]
            QMessageBox.information(self, "Wards imported", "\n".join(lines))

    # --- the vault -----------------------------------------------------------------------------------------------

    def _backup(self) -> None:
        suggested = str(Path.home() / f"commmatters-backup-{self.clock.now():%Y%m%d}.db")
        path, _ = QFileDialog.getSaveFileName(self, "Back up vault", suggested, "Vault backup (*.db)")
        if not path:
            return
        try:
            target = self.vault.backup(Path(path))
        except UserError as exc:
            QMessageBox.warning(self, "Backup not written", exc.message)
            return
        self.statusBar().showMessage(f"Encrypted backup written to {target}", 10_000)

    def _check(self) -> None:
        problems = self.vault.check()
        if problems or self.vault.warnings():
            QMessageBox.critical(
                self,
                "The vault has problems",
                "The integrity check found:\n\n"
                + "\n".join([*problems[:10], *self.vault.warnings()])
                + (
                    f"\n\nClose the app and run '{APP_NAME} restore' (it puts back the newest of the vault's own "
                    f"backups) or '{APP_NAME} salvage FOLDER'."
                    if problems
                    else "\n\nSync now to take back what the shared folder holds."
                ),
            )
        else:
            QMessageBox.information(
                self,
                "Vault healthy",
                "Every page decrypts, the database structure is intact and the audit trail is unbroken.",
            )

    def choose_autolock(self) -> None:
        choices = [(f"{m} minutes", float(m)) for m in (2, 5, 10, 15, 30)]
        current = self.settings.autolock_minutes(DEFAULT_MINUTES)
        answer = forms.ask_form(
            self,
            "Auto-lock",
            "How long may the window sit unused before it locks itself?",
            [Field("minutes", "Lock after", Kind.CHOICE, value=current, choices=choices)],
            "Save",
        )
        if answer is None:
            return
        minutes = float(answer["minutes"])
        self.settings.set_autolock_minutes(minutes)
        self.idle.set_minutes(minutes)
        self.lock_screen.set_minutes(minutes)
        self.statusBar().showMessage(f"The window will lock after {minutes:g} minutes without use.", 8000)

    def lock(self) -> None:
        if self.locked:
            return
        self.plan.commit_pending()
        self.idle.pause()
        self.pages.setCurrentWidget(self.lock_screen)
        # Nothing of the vault may be readable while locked: the menus, the toolbar (whose undo
        # button names the last edit) and any status message go with the content.
        self.menuBar().setEnabled(False)
        self.menuBar().hide()
        self.toolbar.hide()
        self.statusBar().clearMessage()
        self.lock_screen.reset()
        self._update_actions()

    def unlock(self, passphrase: str) -> None:
        if not self.vault.verify_passphrase(passphrase):
            self.lock_screen.refuse()
            return
        self.pages.setCurrentIndex(0)
        self.menuBar().setEnabled(True)
        self.menuBar().show()
        self.toolbar.show()
        self.lock_screen.reset()
        self.idle.resume()
        self._update_actions()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_TITLE}",
            f"<p><b>{APP_TITLE}</b> {build.current().describe()}</p>"
            "<p>Hyper-local problem solving for neighbourhood policing: one community priority per ward per "
            "quarter, a SARA plan, a week of action and feedback to the community.</p>"
            "<p>Ward boundaries contain public sector information licensed under the Open Government "
            "Licence v3.0.</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.plan.commit_pending()
        if self.sync_on_close:
            self.sync_now(quiet=True)
        self.settings.save_window(self.saveGeometry(), self.saveState())
        super().closeEvent(event)


def window_title(vault: Vault) -> str:
    if vault.is_demo:
        return f"DEMO — {APP_TITLE} — Demo Force (Greater Manchester wards)"
    return f"{APP_TITLE} — {vault.folder.name}"
