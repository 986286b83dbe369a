"""Running a ward panel (PACT) meeting: preparation on the officer's screen, then the projector.

:class:`MeetingPrep` is private to the officer: it shows nominations as residents wrote them beside
what the projector will show, and lets the officer redact, merge, import and add. :class:`MeetingView`
is the public screen: large type, high contrast, keyboard driven, and built only from
:class:`~commmatters_desktop.core.meeting.Agenda`, which holds nothing a resident could be named by.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core import meeting as meetings
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.enums import AgencyKind, Channel, NominationStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.ids import new_id
from commmatters_desktop.core.meeting import Agenda
from commmatters_desktop.core.queries import NominationRow
from commmatters_desktop.core.services import engagement
from commmatters_desktop.reports.publish import write_file
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.models.record_table import (
    Column,
    Editor,
    RecordDelegate,
    RecordTableModel,
    parse_date,
    show_date,
)
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import ChoiceCombo, button, fit_to_screen, keep_place, share_width


class MeetingPrep(QDialog):
    """The officer's screen: get the nominations ready, then put the meeting on the projector."""

    def __init__(
        self,
        ops: Operations,
        clock: Clock,
        *,
        ward_id: uuid.UUID | None,
        cycle: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("meetingPrep")
        self.setWindowTitle("Ward panel meeting: preparation (not for the projector)")
        fit_to_screen(self, 1180, 720)
        self.ops, self.clock = ops, clock
        self.meeting_id: uuid.UUID | None = None
        self.view: MeetingView | None = None

        rows = ops.read(lambda s: queries.ward_rows(s, cycle=cycle))
        self._codes = {row.id: row.code for row in rows}
        self.ward = ChoiceCombo(
            self, [(f"{row.name} ({row.la_name}, {row.code})", row.id) for row in rows], name="meetingWard"
        )
        self.ward.setAccessibleName("Ward")
        if ward_id is not None:
            self.ward.select(ward_id)
        self.cycle = QComboBox(self)
        self.cycle.setObjectName("meetingCycle")
        self.cycle.setAccessibleName("Quarter the panel chooses a priority for")
        codes = sorted({*ops.read(queries.cycle_codes), cycle}, reverse=True)
        self.cycle.addItems(codes)
        self.cycle.setCurrentText(cycle)
        self.date = QLineEdit(self)
        self.date.setObjectName("meetingDate")
        self.date.setAccessibleName("Meeting date")
        self.date.setPlaceholderText("dd/mm/yyyy")
        self.venue = QLineEdit(self)
        self.venue.setObjectName("meetingVenue")
        self.venue.setAccessibleName("Venue")
        self.attendance = QSpinBox(self)
        self.attendance.setObjectName("meetingAttendance")
        self.attendance.setAccessibleName("Attendance (number of people)")
        self.attendance.setRange(0, 2000)
        self.decisions = QPlainTextEdit(self)
        self.decisions.setObjectName("meetingDecisions")
        self.decisions.setAccessibleName("Actions and notes agreed (no residents' names)")
        self.decisions.setFixedHeight(70)
        self.decisions.setTabChangesFocus(True)

        self.model: RecordTableModel[NominationRow] = RecordTableModel(
            [
                Column(
                    "On the projector as (approved)",
                    lambda n: n.display,
                    "display",
                    Editor.TEXT,
                    current=lambda n: n.display if n.approved else n.suggested,
                ),
                Column("Suggested draft (masked)", lambda n: "" if n.approved else n.suggested),
                Column("As the resident wrote it (never shown)", lambda n: n.wording),
                Column("Suspected personal data", lambda n: "; ".join(n.suspects)),
                Column("From", lambda n: n.raised_through),
                Column("Support", lambda n: str(n.combined_support)),
                Column("Votes", lambda n: "" if n.votes is None else str(n.votes), "votes", Editor.NUMBER),
                Column("Status", lambda n: n.status.label + ("" if n.approved else " · awaiting approval")),
            ],
            self,
            warn=lambda n: bool(n.suspects) and not n.approved,
        )
        self.model.edit_requested.connect(self._edit)
        self.model.invalid.connect(self.show_message)
        self.table = QTableView(self)
        self.table.setObjectName("meetingNominations")
        self.table.setAccessibleName("Nominations")
        self.table.setModel(self.model)
        self.table.setItemDelegate(RecordDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        # The three wordings side by side, so the officer compares them whole before the meeting.
        share_width(self.table, wide=(0, 1, 2))
        self.message = QLabel(self)
        self.message.setObjectName("meetingMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #7f0000; padding: 6px; font-weight: bold;")
        self.message.hide()

        form = QFormLayout()
        form.addRow("Ward:", self.ward)
        form.addRow("Priority for:", self.cycle)
        details = QHBoxLayout()
        for label, widget in (("Date:", self.date), ("Venue:", self.venue), ("Attendance:", self.attendance)):
            details.addWidget(QLabel(label, self))
            details.addWidget(widget, 1 if widget is self.venue else 0)
        form.addRow(details)
        form.addRow("Actions and notes agreed:", self.decisions)
        buttons = QHBoxLayout()
        for text, name, handler in (
            ("Add nomination…", "meetingAdd", self.add_nomination),
            ("Import poll CSV…", "meetingImport", self.import_csv),
            ("Merge…", "meetingMerge", self.merge),
            ("Approve suggested wording", "meetingApprove", self.approve_suggested),
            ("Review public wording…", "meetingReview", self.review_wording),
            ("Print minutes…", "meetingMinutes", self.save_minutes),
        ):
            buttons.addWidget(button(self, text, name, handler))
        buttons.addStretch(1)
        self.start = button(self, "Start meeting mode ▶", "meetingStart", self.start_meeting)
        self.start.setDefault(True)
        buttons.addWidget(self.start)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.ward.currentIndexChanged.connect(lambda _i: self.load())
        self.cycle.currentIndexChanged.connect(lambda _i: self.load())
        self.ops.changed.connect(self.reload_table)
        self.ops.changed.connect(self._refresh_attendance)
        self.load()

    @property
    def ward_id(self) -> uuid.UUID:
        value = self.ward.value()
        assert isinstance(value, uuid.UUID)
        return value

    @property
    def ward_code(self) -> str:
        return self._codes[self.ward_id]

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- the meeting record -----------------------------------------------------------------------------

    def load(self) -> None:
        """The ward's meeting for the quarter (a new one is suggested if none is booked)."""
        found = self.ops.read(
            lambda s: meetings.meeting_for(s, ward_code=self.ward_code, cycle=self.cycle.currentText())
        )
        self.meeting_id = found.id if found else None
        start = CycleCode.parse(self.cycle.currentText()).start
        self.date.setText(show_date(found.held_on if found else max(self.clock.today(), start)))
        self.venue.setText(found.venue if found else "")
        self.attendance.setValue(found.attendance or 0 if found else 0)
        self.decisions.setPlainText(found.decisions if found else "")
        self.reload_table()

    def _refresh_attendance(self) -> None:
        """Attendance typed on the projector shows here too, so saving this screen never overwrites it."""
        if self.meeting_id is None or self.attendance.hasFocus():
            return
        meeting_id = self.meeting_id
        held = self.ops.read(lambda s: meetings.attendance(s, meeting_id))
        if held is not None:
            self.attendance.setValue(held)

    def reload_table(self) -> None:
        rows = self.ops.read(
            lambda s: queries.nomination_rows(s, cycle=self.cycle.currentText(), ward_code=self.ward_code)
        )
        keep_place(self.table, lambda: self.model.set_rows(rows))

    def save_details(self) -> uuid.UUID | None:
        """Create or update the meeting from the fields; None (and a message) if something is wrong."""
        try:
            held_on = parse_date(self.date.text()) or self.clock.today()
        except UserError as exc:
            self.show_message(exc.message)
            return None
        ward_id, cycle, meeting_id = self.ward_id, self.cycle.currentText(), self.meeting_id
        venue, attendance, notes = self.venue.text(), self.attendance.value(), self.decisions.toPlainText()

        def save(s: Session) -> uuid.UUID:
            return engagement.save_meeting(
                s,
                meeting_id=meeting_id,
                ward_id=ward_id,
                cycle=cycle,
                held_on=held_on,
                venue=venue,
                attendance=attendance,
                decisions=notes,
            )

        try:
            self.meeting_id = self.ops.run(save)
        except UserError as exc:
            self.show_message(exc.message)
            return None
        self.show_message("")
        return self.meeting_id

    # --- nominations ------------------------------------------------------------------------------------------

    def _edit(self, row: NominationRow, name: str, value: Any) -> None:
        if name == "display":
            self.ops.execute(commands.RedactNomination(row.id, str(value)))
        elif name == "votes":
            self.ops.execute(commands.RecordVotes(row.id, None if value is None else int(value)))

    def approve_suggested(self) -> None:
        """The officer approves the masked drafts of the selected nominations (all awaiting, if none)."""
        selected = {i.row() for i in self.table.selectionModel().selectedRows()}
        rows = [
            r for i, r in enumerate(self.model.rows()) if (i in selected or not selected) and not r.approved
        ]
        if not rows:
            self.show_message("Every nomination's public wording is already approved.")
            return
        ids = [r.id for r in rows]
        try:
            self.ops.run(lambda s: engagement.approve_suggested_wordings(s, ids))
        except UserError as exc:
            self.show_message(exc.message)
            return
        self.show_message(f"Approved the suggested public wording of {len(ids)} nomination(s).")

    def review_wording(self) -> QDialog | None:
        """Everything the projector and the minutes would refuse, with drafts to approve."""
        from commmatters_desktop.ui.public_wording import PublicWordingDialog

        agenda = self.agenda()
        if agenda is None:
            return None
        if not agenda.pending:
            self.show_message("Everything the meeting screen and the minutes show is approved.")
            return None
        dialog = PublicWordingDialog(self.ops, agenda.pending, self)
        dialog.open()
        return dialog

    def add_nomination(self) -> None:
        answer = forms.ask_form(
            self,
            "Add a nomination",
            "Typed in during or before the meeting.",
            [
                Field("wording", "What was raised", Kind.MULTILINE, required=True),
                Field(
                    "channel",
                    "Raised",
                    Kind.CHOICE,
                    value=Channel.PANEL,
                    choices=[(c.label, c) for c in Channel],
                ),
                Field("support", "How many people", value="1"),
                Field("category", "Category"),
            ],
            "Add",
        )
        if answer is None:
            return
        try:
            from commmatters_desktop.importers.nominations import parse_support

            support = parse_support(str(answer["support"]))
        except UserError as exc:
            self.show_message(f"Not added: {exc.message}.")
            return
        self.ops.execute(
            commands.AddNomination(
                self.ward_id,
                self.cycle.currentText(),
                answer["wording"],
                answer["channel"],
                support,
                answer["category"],
                self.clock.today(),
            )
        )

    def import_csv(self) -> None:
        """Import a poll export: the columns are guessed, and the officer confirms or changes them."""
        from commmatters_desktop.importers.csvfile import read_csv
        from commmatters_desktop.importers.nominations import FIELDS, guess_mapping, parse_nominations

        path, _ = QFileDialog.getOpenFileName(
            self, "Import nominations", str(Path.home()), "CSV files (*.csv)"
        )
        if not path:
            return
        try:
            table = read_csv(Path(path))
        except UserError as exc:
            self.show_message(exc.message)
            return
        guessed = guess_mapping(table.headers)
        choices = [("(not in this file)", None), *((h, h) for h in table.headers)]
        answer = forms.ask_form(
            self,
            "Match the columns",
            f"Which column of {Path(path).name} holds each piece? Rows without a ward "
            f"code are taken as {self.ward.currentText()}.",
            [
                Field(
                    name,
                    name.replace("_", " ").capitalize(),
                    Kind.CHOICE,
                    value=guessed[name],
                    choices=choices,
                )
                for name in FIELDS
            ],
            "Import",
        )
        if answer is None:
            return
        try:
            parsed = parse_nominations(table, ward=self.ward_code, mapping=answer)
        except UserError as exc:
            self.show_message(exc.message)
            return
        cycle = self.cycle.currentText()
        result = self.ops.attempt(lambda s: engagement.import_nominations(s, parsed.records, cycle=cycle))
        if result is not None:
            problems = sorted([*parsed.problems, *result.skipped])
            lines = [
                f"{Path(path).name}: {result.added} added, {result.merged} merged, {len(problems)} skipped."
            ]
            lines += [f"line {line}: {reason}" for line, reason in problems[:8]]
            self.show_message("\n".join(lines))

    def merge(self) -> None:
        rows = [r for r in self.model.rows() if r.status is NominationStatus.OPEN]
        if len(rows) < 2:
            self.show_message("There need to be two open nominations to merge.")
            return
        choices = [(r.display[:80], r.id) for r in rows]
        answer = forms.ask_form(
            self,
            "Merge two nominations",
            "The second joins the first: both wordings are kept and their support is added together.",
            [
                Field("keep", "Keep", Kind.CHOICE, value=rows[0].id, choices=choices),
                Field("absorb", "Merge into it", Kind.CHOICE, value=rows[1].id, choices=choices),
            ],
            "Merge",
        )
        if answer is None:
            return
        self.ops.execute(commands.MergeNominations(answer["keep"], answer["absorb"]))

    # --- the meeting and its minutes ------------------------------------------------------------------------

    def agenda(self) -> Agenda | None:
        meeting_id = self.save_details()
        if meeting_id is None:
            return None
        today, demo = self.clock.today(), self.ops.vault.is_demo
        return self.ops.read(lambda s: meetings.agenda(s, meeting_id, today=today, demo=demo))

    def start_meeting(self) -> MeetingView | None:
        agenda = self.agenda()
        if agenda is None:
            return None
        try:
            agenda.require_cleared("The meeting screen")
        except UserError as exc:
            self.show_message(exc.message)
            return None
        self.view = MeetingView(self.ops, self.clock, agenda.meeting_id)
        screens = QGuiApplication.screens()
        screen = screens[1] if len(screens) > 1 else (self.screen() or screens[0])  # projector: the second
        self.view.setScreen(screen)
        # The whole screen even where the window manager ignores full-screen requests.
        self.view.setGeometry(screen.geometry())
        self.view.showFullScreen()
        self.view.activateWindow()
        return self.view

    def save_minutes(self) -> Path | None:
        from commmatters_desktop.reports.minutes import render_minutes

        agenda = self.agenda()
        if agenda is None:
            return None
        try:
            agenda.require_cleared("The minutes")
        except UserError as exc:
            self.show_message(exc.message)
            return None
        name = f"minutes-{agenda.ward_code}-{agenda.held_on:%Y-%m-%d}.pdf"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the minutes", str(Path.home() / name), "PDF (*.pdf)"
        )
        if not path:
            return None
        target = Path(path if path.lower().endswith(".pdf") else f"{path}.pdf")
        try:
            write_file(target, render_minutes(agenda), what="The minutes")
        except UserError as exc:
            self.show_message(exc.message)
            return None
        self.show_message(f"Minutes saved to {target}.")
        return target


STAGES = ("Welcome", "Last quarter", "Nominations", "The vote", "Decision", "Thank you")
HINT = (
    "← → agenda   ↑ ↓ choose   0–9 type a count   Tab lead agency / title   A add agency   Enter record   "
    "Esc leave"
)
#: The parts of the decision the officer moves between with Tab.
PARTS = ("choice", "lead", "title")


class MeetingView(QWidget):
    """The projector screen. Everything on it comes from the Agenda: nothing identifies a resident."""

    decided = Signal(object)

    def __init__(
        self, ops: Operations, clock: Clock, meeting_id: uuid.UUID, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("meetingView")
        self.setWindowTitle("Ward panel meeting")
        self.setAccessibleName("Ward panel meeting, public screen")
        self.ops, self.clock, self.meeting_id = ops, clock, meeting_id
        self.stage = 0
        self.selected = 0
        self.lead = 0
        #: Which part of the decision Tab has reached: the nomination, the lead agency or the title.
        self.part = "choice"
        #: Digits typed on the Welcome stage (attendance) and on the vote (hands): never shared.
        self.attendance_typed = ""
        self.typed = ""
        #: The priority's short title; suggested from the chosen nomination until the officer types.
        self.title_text = ""
        self.title_edited = False
        #: Nominations shown per page, so a long list pages instead of running off the screen.
        self.per_page = 8
        self.page = 0
        self.confirming = False
        self.setStyleSheet("QWidget#meetingView { background: #0b1f3a; } QLabel { color: #ffffff; }")
        self.title = QLabel(self)
        self.title.setObjectName("meetingTitle")
        self.title.setWordWrap(True)
        self.body = QLabel(self)
        self.body.setObjectName("meetingBody")
        self.body.setWordWrap(True)
        # The screen decides the size, never the text: a long ward name or list wraps or pages.
        wraps = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        wraps.setHeightForWidth(True)
        self.title.setSizePolicy(wraps)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.hint = QLabel(HINT, self)
        self.hint.setObjectName("meetingHint")
        self.hint.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setObjectName("meetingNote")
        self.note.setWordWrap(True)
        for label in (self.hint, self.note):
            label.setSizePolicy(wraps)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 32, 48, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.hint)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.agenda = self._load()
        self.lead = self._default_lead()
        self.redraw()

    def _load(self) -> Agenda:
        today, demo = self.clock.today(), self.ops.vault.is_demo
        return self.ops.read(lambda s: meetings.agenda(s, self.meeting_id, today=today, demo=demo))

    def _default_lead(self) -> int:
        """The ward's own neighbourhood team if there is one; the officer can change it with Tab."""
        agencies = self.agenda.agencies
        for wanted in (f"{self.agenda.la_name} Neighbourhood", "Neighbourhood"):
            found = next((i for i, o in enumerate(agencies) if wanted.lower() in o.label.lower()), None)
            if found is not None:
                return found
        return 0

    # --- drawing ----------------------------------------------------------------------------------------------

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.redraw()

    def redraw(self) -> None:
        """Large type readable at five metres: sizes follow the screen's height."""
        base = max(18, self.height() // 24)
        self.title.setStyleSheet(f"font-size: {int(base * 1.6)}px; font-weight: bold; color: #ffd166;")
        self.body.setStyleSheet(f"font-size: {base}px;")
        self.hint.setStyleSheet(f"font-size: {max(12, base // 2)}px; color: #c8d3e6;")
        self.note.setStyleSheet(f"font-size: {max(14, int(base * 0.7))}px; color: #ffd166;")
        a = self.agenda
        demo = " · DEMO" if a.demo else ""
        self.title.setText(f"{STAGES[self.stage]} — {a.ward_name}{demo}")
        render = getattr(self, f"_stage_{self.stage}")
        layout = self.layout()
        if layout is not None:
            layout.activate()  # measure the body as it is now laid out, not as it was before a resize
        if self.stage in (2, 3) and self.body.height() > 0:
            self._fit_page(lambda: render(a))
        self.body.setText(render(a))

    def _fit_page(self, render: Any) -> None:
        """As many nominations a page as the screen shows in full, measured, not guessed: long wordings
        wrap onto two lines and a projector at 150% has fewer pixels."""
        width, room = self.body.width(), self.body.height()
        low, high = 1, max(1, len(self.agenda.shown_nominations))
        while low < high:
            self.per_page = (low + high + 1) // 2
            self.body.setText(render())
            if self.body.heightForWidth(width) <= room:
                low = self.per_page
            else:
                high = self.per_page - 1
        self.per_page = low

    def _page_of(self, count: int) -> tuple[int, int]:
        """The slice of nominations on screen: the page holding the selection while voting or deciding."""
        pages = max(1, -(-count // self.per_page))
        page = self.selected // self.per_page if self.stage in (3, 4) else min(self.page, pages - 1)
        return page * self.per_page, pages

    def _stage_0(self, a: Agenda) -> str:
        people = "" if a.attendance in (None, 0) else f"<p>{a.attendance} people here tonight.</p>"
        if self.attendance_typed:
            people = f"<p><span style='color:#ffd166'><b>{self.attendance_typed}</b></span> people here tonight.</p>"
        return (
            f"<p>Ward panel meeting for <b>{_e(a.ward_name)}</b>, {_e(a.la_name)}</p>"
            f"<p>{in_words(a.held_on, weekday=True)} · {_e(a.venue)}</p>{people}"
            f"<p>Tonight we hear what happened last quarter, then choose <b>one</b> priority for "
            f"{_quarter(a.cycle)}.</p>"
        )

    def _stage_1(self, a: Agenda) -> str:
        last = a.last_quarter
        if last is None:
            return "<p>There is no result from last quarter to report at this meeting.</p>"
        did = "".join(f"<li>{_e(item)}</li>" for _agency, items in last.we_did for item in items[:2])
        figure = last.figures[0] if last.figures else None
        changed = ""
        if figure is not None:
            from commmatters_desktop.core.leaflets import figure_text

            changed = (
                f"<p><b>What changed:</b> {_e(figure.name)}: {figure_text(figure.before)} → "
                f"{figure_text(figure.after)}</p>"
            )
        return (
            f"<p><b>You said:</b> “{_e(last.you_said)}”</p><p><b>We did:</b> {_e(last.summary_action)}</p>"
            f"<ul>{did}</ul>{changed}"
        )

    def _nomination_lines(self, a: Agenda, *, votes: bool) -> str:
        lines = []
        shown = a.shown_nominations
        first, pages = self._page_of(len(shown))
        for index, n in list(enumerate(shown))[first : first + self.per_page]:
            chosen = index == self.selected and self.stage in (3, 4) and self.part == "choice"
            marker = "▶ " if chosen else ""
            support = n.raised_through
            count = ""
            if votes:
                if chosen and self.typed:
                    count = f" <span style='color:#ffd166'><b>{self.typed}</b> hands</span>"
                elif n.votes is None:
                    count = " <span style='color:#c8d3e6'>not counted yet</span>"
                else:
                    count = f" <span style='color:#ffd166'><b>{n.votes}</b> hands</span>"
            style = "background:#1d3d6b;" if chosen else ""
            lines.append(
                f"<p style='{style}'>{index + 1}. {marker}{_e(n.display)} "
                f"<span style='color:#c8d3e6'>({n.combined_support}: {support})</span>{count}</p>"
            )
        if pages > 1:
            more = "→ for more" if self.stage == 2 else "↑ ↓ for more"
            lines.append(
                f"<p style='color:#c8d3e6'>Page {first // self.per_page + 1} of {pages} · "
                f"{len(shown)} nominations · {more}</p>"
            )
        return "".join(lines) or "<p>No nominations yet.</p>"

    def _stage_2(self, a: Agenda) -> str:
        return "<p>What residents raised, and how many:</p>" + self._nomination_lines(a, votes=False)

    def _stage_3(self, a: Agenda) -> str:
        return "<p>Show of hands for each (↑ ↓ choose, type the count):</p>" + self._nomination_lines(
            a, votes=True
        )

    def _stage_4(self, a: Agenda) -> str:
        if a.decided:
            return f"<p>The panel agreed: <b>{_e(a.decided)}</b></p><p>Lead agency: <b>{_e(a.decided_lead)}</b></p>"
        shown = a.shown_nominations
        if not shown:
            return "<p>There are no nominations to decide between.</p>"
        choice = shown[min(self.selected, len(shown) - 1)]
        lead = (
            a.agencies[self.lead].label
            if a.agencies
            else "none yet: press Enter (or A) to add the lead agency now"
        )
        on = "background:#1d3d6b;"
        cursor = "▏" if self.part == "title" else ""
        confirm = (
            "<p style='color:#ffd166'>Press Enter again to record this decision.</p>"
            if self.confirming
            else ""
        )
        return (
            f"<p>Priority for {_quarter(a.cycle)}:</p>"
            f"<p style='{on if self.part == 'choice' else ''}'><b>{_e(choice.display)}</b></p>"
            f"<p style='{on if self.part == 'lead' else ''}'>Lead agency: <b>{_e(lead)}</b></p>"
            f"<p style='{on if self.part == 'title' else ''}'>Short title: <b>{_e(self.title_text)}</b>{cursor}</p>"
            f"{confirm}"
        )

    def _stage_5(self, a: Agenda) -> str:
        decided = (
            f"<p>Our priority: <b>{_e(a.decided)}</b>, led by {_e(a.decided_lead)}.</p>" if a.decided else ""
        )
        return (
            f"{decided}<p>Thank you for coming. We will report back on what was done in a "
            "“You said, we did” leaflet and at the next ward panel.</p>"
        )

    # --- keyboard -------------------------------------------------------------------------------------------------

    def _typing_title(self) -> bool:
        return self.stage == 4 and self.part == "title" and not self.agenda.decided

    def _leave_stage(self, step: int) -> None:
        self._save_typed()
        self._save_attendance()
        count = len(self.agenda.shown_nominations)
        pages = max(1, -(-count // self.per_page))
        if self.stage == 2 and 0 <= self.page + step < pages:
            self.page += step  # a long list pages before the agenda moves on
            return
        self.stage = min(max(self.stage + step, 0), len(STAGES) - 1)
        self.page = 0 if step > 0 else max(0, pages - 1)
        self.confirming = False
        self.part = "choice"
        if self.stage == 3 and step > 0:
            self.selected = 0
        if self.stage == 4 and not self.agenda.decided:
            self.selected = self._most_votes()
            self._suggest_title()

    def _suggest_title(self) -> None:
        shown = self.agenda.shown_nominations
        if shown and not self.title_edited:
            self.title_text = meetings.suggest_title(shown[min(self.selected, len(shown) - 1)].display)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        count = len(self.agenda.shown_nominations)
        if key == Qt.Key.Key_Escape:
            self.close()
            return
        if self._typing_title() and key == Qt.Key.Key_Backspace:
            self.title_text, self.title_edited = self.title_text[:-1], True
            self.confirming = False
        elif self._typing_title() and text and text.isprintable() and key not in (Qt.Key.Key_Tab,):
            if len(self.title_text) < meetings.TITLE_LENGTH:
                self.title_text, self.title_edited = self.title_text + text, True
            self.confirming = False
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space):
            self._leave_stage(+1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace) and not (
            key == Qt.Key.Key_Backspace and (self.typed or self.attendance_typed)
        ):
            self._leave_stage(-1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.stage in (3, 4):
            self._save_typed()
            step = 1 if key == Qt.Key.Key_Down else -1
            if self.stage == 4 and self.part == "lead" and self.agenda.agencies:
                self.lead = (self.lead + step) % len(self.agenda.agencies)
            elif count and (self.stage == 3 or self.part == "choice"):
                self.selected = (self.selected + step) % count
                if self.stage == 4:
                    self._suggest_title()
            self.confirming = False
        elif (
            self.stage == 4
            and not self.agenda.decided
            and (
                key == Qt.Key.Key_A
                or (key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.agenda.agencies)
            )
        ):
            self.add_lead_agency()
        elif key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.stage == 4:
            step = -1 if key == Qt.Key.Key_Backtab else 1
            self.part = PARTS[(PARTS.index(self.part) + step) % len(PARTS)]
        elif text.isdigit() and self.stage == 0:
            self.attendance_typed = (self.attendance_typed + text)[-4:]
        elif text.isdigit() and self.stage == 3:
            self.typed = (self.typed + text)[-4:]
        elif key == Qt.Key.Key_Backspace and self.attendance_typed:
            self.attendance_typed = self.attendance_typed[:-1]
        elif key == Qt.Key.Key_Backspace and self.typed:
            self.typed = self.typed[:-1]
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.stage == 0:
            self._save_attendance()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.stage == 3:
                self._save_typed()
            elif self.stage == 4 and not self.agenda.decided:
                if self.confirming:
                    self._decide()
                else:
                    self.confirming = True
        else:
            super().keyPressEvent(event)
            return
        self.redraw()

    def add_lead_agency(self) -> uuid.UUID | None:
        """The panel names a lead the vault does not hold yet: add it here rather than stop the meeting."""
        answer = forms.ask_form(
            self,
            "Add the lead agency",
            "The partner agency the panel wants to lead this priority. It is added to the vault's partners.",
            [
                Field("name", "Agency name", required=True),
                Field("kind", "Kind", Kind.CHOICE, value=AgencyKind.LOCAL_AUTHORITY,
                      choices=[(k.label, k) for k in AgencyKind]),
            ],
            "Add",
        )  # fmt: skip
        if answer is None:
            return None
        made = new_id()
        if not self.ops.execute(commands.AddAgency(made, answer["name"], answer["kind"])):
            return None
        self.agenda = self._load()
        self.lead = next((i for i, o in enumerate(self.agenda.agencies) if o.id == made), 0)
        self.part, self.confirming = "choice", False
        self.note.setText(
            f"{answer['name']} added as a partner agency: press Enter twice to record the decision."
        )
        self.redraw()
        return made

    def _most_votes(self) -> int:
        shown = self.agenda.shown_nominations
        return max(
            range(len(shown)), key=lambda i: (shown[i].votes or 0, shown[i].combined_support), default=0
        )

    def _save_typed(self) -> None:
        if self.stage != 3 or not self.typed:
            return
        row = self.agenda.shown_nominations[self.selected]
        votes = int(self.typed)
        self.typed = ""
        self.ops.execute(commands.RecordVotes(row.id, votes))
        self.agenda = self._load()

    def _save_attendance(self) -> None:
        if self.stage != 0 or not self.attendance_typed:
            return
        attendance = int(self.attendance_typed)
        self.attendance_typed = ""
        if self.meeting_id is not None:
            self.ops.execute(commands.SetAttendance(self.meeting_id, attendance))
        self.agenda = self._load()

    def _decide(self) -> None:
        shown = self.agenda.shown_nominations
        if not shown or not self.agenda.agencies:
            return
        choice, lead = shown[self.selected], self.agenda.agencies[self.lead].id
        if not choice.approved:
            self.note.setText(
                "That nomination's public wording is not approved: approve it on the officer's screen."
            )
            self.confirming = False
            return
        title = self.title_text.strip() or meetings.suggest_title(choice.display)
        # Undoable like any edit (Ctrl+Z in the window): a decision recorded in error is taken back whole.
        self.confirming = False
        undo = self.ops.execute(commands.RecordPanelDecision(self.meeting_id, choice.id, lead, title))
        if not isinstance(undo, commands.UndoPanelDecision):
            self.note.setText(self.ops.last_refusal)  # the rule's words (already agreed this quarter, say)
            return
        self.agenda = self._load()
        self.note.setText("")
        self.decided.emit(undo.decision.priority_id)


def _e(text: str) -> str:
    return html.escape(text)


def _quarter(code: str) -> str:
    cycle = CycleCode.parse(code)
    return f"{cycle.start:%B} to {cycle.end:%B %Y}"
