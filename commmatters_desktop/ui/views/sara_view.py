"""The SARA plan of one priority: Scanning, Analysis, Response, Assessment, and the feedback given.

Edits save as you type (after a short pause, or when you leave the field) through undoable
commands; there is no Save button to forget. Fields that may hold personal data are marked, because
nothing in them may ever reach a public screen or a leaflet.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.enums import ActionKind, ActionStatus, FeedbackChannel, Outcome
from commmatters_desktop.core.queries import ActionRow, FeedbackRow, MeasureRow, Option, PlanDetail
from commmatters_desktop.core.read.plan import PERSONAL_PLAN_FIELDS
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.models.record_table import (
    Column,
    Editor,
    RecordDelegate,
    RecordTableModel,
    show_date,
    show_number,
)
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import ChoiceCombo, button, keep_place, share_width

if TYPE_CHECKING:  # Qt Charts load with the first priority shown, not at start
    from commmatters_desktop.ui.evidence_chart import EvidencePanels

SAVE_DELAY_MS = 800
PERSONAL = PERSONAL_PLAN_FIELDS
PERSONAL_NOTE = "Personal data: never shown on a public screen or printed on a leaflet."

SECTIONS: dict[str, list[tuple[str, str]]] = {
    "Scanning": [
        ("problem_statement", "Problem statement"),
        ("evidence", "Evidence"),
        ("baseline", "Baseline data"),
    ],
    "Analysis": [
        ("victim", "Victim"),
        ("offender", "Offender"),
        ("location", "Location"),
        ("guardian", "Guardians (who protect the victim)"),
        ("handler", "Handlers (who influence the offender)"),
        ("manager", "Managers (who control the place)"),
        ("causes", "Causes"),
    ],
}
PUBLIC_FIELDS = [
    ("public_issue", "You said (in the community's words)"),
    ("public_action", "We did (plain English)"),
]


def _enum_choices(kind: type[Any]) -> list[tuple[str, Any]]:
    return [(member.label, member) for member in kind]


def _choice_label(card: queries.PriorityCard) -> str:
    return f"{card.ward_name} ({card.la_name}): {card.title} [{card.status.label}]"


class PlanText(QPlainTextEdit):
    """A plan field that saves itself a moment after typing stops, or when focus leaves it."""

    def __init__(
        self, key: str, label: str, save: Callable[[str, str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.key = key
        self.saved_text = ""
        self._save = save
        self.setObjectName(f"plan_{key}")
        self.setAccessibleName(label)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(56)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SAVE_DELAY_MS)
        self.timer.timeout.connect(self.commit)
        self.textChanged.connect(self._typed)
        if key in PERSONAL:
            self.setAccessibleDescription(PERSONAL_NOTE)
            self.setToolTip(PERSONAL_NOTE)
            self.setStyleSheet("QPlainTextEdit { background: #fff4f4; border: 1px solid #c62828; }")

    @property
    def pending(self) -> bool:
        return self.toPlainText() != self.saved_text

    def load(self, text: str) -> None:
        """Show the saved text, unless the user is in the middle of changing it."""
        if self.pending and self.hasFocus():
            self.saved_text = text
            return
        self.saved_text = text
        if self.toPlainText() != text:
            self.blockSignals(True)
            self.setPlainText(text)
            self.blockSignals(False)

    def _typed(self) -> None:
        self.timer.start()

    def commit(self) -> None:
        self.timer.stop()
        if self.pending:
            self._save(self.key, self.toPlainText())

    def focusOutEvent(self, event: Any) -> None:
        self.commit()
        super().focusOutEvent(event)


class SaraPlanView(QWidget):
    #: The user asked to move the shown priority: (priority id, direction +1/-1).
    step_requested = Signal(object, int)
    #: Preview the "You said, we did" leaflet of the shown priority.
    leaflet_requested = Signal(object)

    def __init__(self, operations: Operations, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saraPlanView")
        self.ops = operations
        self.clock = clock
        self.detail: PlanDetail | None = None
        self._agencies: list[Option] = []
        self._people: list[Option] = []
        self.texts: dict[str, PlanText] = {}

        self.picker = ChoiceCombo(self, name="saraPriorityPicker")
        self.picker.setAccessibleName("Priority whose SARA plan is shown")
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setMinimumContentsLength(40)
        self.picker.activated.connect(lambda _i: self.show_priority(self.picker.value()))
        self.title = QLineEdit(self)
        self.title.setObjectName("saraTitle")
        self.title.setAccessibleName("Priority title")
        self.title.editingFinished.connect(self._title_edited)
        self.summary = QLabel(self)
        self.summary.setObjectName("saraSummary")
        self.summary.setWordWrap(True)
        self.blockers = QLabel(self)
        self.blockers.setObjectName("saraBlockers")
        self.blockers.setWordWrap(True)
        self.blockers.setStyleSheet("color: #8a4b00; font-weight: bold;")
        self.back = QPushButton("◀ Move back", self)
        self.back.setObjectName("saraMoveBack")
        self.back.setAccessibleName("Move the priority back one step")
        self.forward = QPushButton("Next step ▶", self)
        self.forward.setObjectName("saraMoveForward")
        self.forward.setAccessibleName("Move the priority to its next step")
        self.back.clicked.connect(lambda: self._step(-1))
        self.forward.clicked.connect(lambda: self._step(+1))
        self.message = QLabel(self)
        self.message.setObjectName("saraMessage")
        self.message.setAccessibleName("Plan message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("background: #fdecea; color: #7f0000; padding: 6px; font-weight: bold;")
        self.message.hide()
        self.empty = QLabel("Choose a priority above, or open one from the board or a ward's page.", self)
        self.empty.setObjectName("saraEmpty")

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("saraTabs")
        self.tabs.setAccessibleName("SARA plan sections")
        for section, fields in SECTIONS.items():
            self.tabs.addTab(self._text_page(fields), section)
        self.tabs.addTab(self._response_page(), "Response")
        self.tabs.addTab(self._assessment_page(), "Assessment")
        self.tabs.addTab(self._feedback_page(), "Feedback")
        self._evidence: EvidencePanels | None = None  # built when a priority is first shown

        head = QGridLayout()
        head.addWidget(QLabel("Priority:", self), 0, 0)
        head.addWidget(self.picker, 0, 1, 1, 3)
        head.addWidget(QLabel("Title:", self), 1, 0)
        head.addWidget(self.title, 1, 1)
        head.addWidget(self.back, 1, 2)
        head.addWidget(self.forward, 1, 3)
        head.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.blockers)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.tabs, 1)
        self.ops.refused.connect(self.show_message)
        self._set_enabled(False)

    # --- building the pages --------------------------------------------------------------------------------

    def _text_page(self, fields: list[tuple[str, str]]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in fields:
            editor = PlanText(key, label, self._save_plan_text, page)
            self.texts[key] = editor
            caption = QLabel(f"{label} ⚠ personal data" if key in PERSONAL else label, page)
            if key in PERSONAL:
                caption.setStyleSheet("color: #b00020; font-weight: bold;")
                caption.setToolTip(PERSONAL_NOTE)
            caption.setBuddy(editor)
            form.addRow(caption, editor)
        scroller = QScrollArea(self)
        scroller.setWidgetResizable(True)
        scroller.setWidget(page)
        return scroller

    def _table(self, name: str, model: RecordTableModel[Any]) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setModel(model)
        table.setItemDelegate(RecordDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        model.invalid.connect(self.show_message)
        return table

    def _response_page(self) -> QWidget:
        self.action_model: RecordTableModel[ActionRow] = RecordTableModel(
            [
                Column("Action", lambda a: a.description, "description", Editor.TEXT),
                Column("Kind", lambda a: a.kind.label, "kind", Editor.CHOICE, lambda: _enum_choices(ActionKind),
                       current=lambda a: a.kind),
                Column("Owner agency", lambda a: a.owner_agency, "owner_agency_id", Editor.CHOICE,
                       lambda: [("(none)", None), *((o.label, o.id) for o in self._agencies)],
                       current=lambda a: a.owner_agency_id),
                Column("Owner", lambda a: a.owner_person, "owner_person_id", Editor.CHOICE,
                       lambda: [("(none)", None), *((o.label, o.id) for o in self._people)],
                       current=lambda a: a.owner_person_id),
                Column("Due", lambda a: show_date(a.due_on), "due_on", Editor.DATE),
                Column("Status", lambda a: a.status.label + (" (overdue)" if a.overdue else ""), "status",
                       Editor.CHOICE, lambda: _enum_choices(ActionStatus), current=lambda a: a.status),
                Column("What was done / why cancelled", lambda a: a.completion_note, "completion_note", Editor.TEXT),
            ],
            self,
            warn=lambda a: a.overdue,
        )  # fmt: skip
        self.action_model.edit_requested.connect(self._edit_action)
        self.actions_table = self._table("actionsTable", self.action_model)
        self.actions_table.setAccessibleName("Actions (Response)")
        share_width(self.actions_table, wide=(0, 2, 7))  # what is to be done, by whom, and what was
        buttons = QHBoxLayout()
        buttons.addWidget(button(self, "Add action…", "addActionButton", self.add_action))
        buttons.addWidget(button(self, "Remove action", "removeActionButton", self.remove_action))
        buttons.addStretch(1)
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(self.actions_table, 1)
        layout.addLayout(buttons)
        return page

    def _assessment_page(self) -> QWidget:
        def number(header: str, attr: str) -> Column[MeasureRow]:
            return Column(header, lambda m: show_number(getattr(m, attr)), attr, Editor.NUMBER)

        def text(header: str, attr: str) -> Column[MeasureRow]:
            return Column(header, lambda m: str(getattr(m, attr)), attr, Editor.TEXT)

        self.measure_model: RecordTableModel[MeasureRow] = RecordTableModel(
            [
                text("Measure", "name"), text("Source", "source"), text("Unit", "unit"),
                text("Baseline period", "baseline_period"), number("Baseline", "baseline_value"),
                number("Target", "target_value"), text("After period", "after_period"),
                number("Result", "after_value"),
            ],
            self,
        )  # fmt: skip
        self.measure_model.edit_requested.connect(self._edit_measure)
        self.measures_table = self._table("measuresTable", self.measure_model)
        self.measures_table.setAccessibleName("Measures (before and after)")
        share_width(self.measures_table, wide=(0, 1))  # the measure and its source
        self.outcome = ChoiceCombo(
            self, [("Not assessed yet", None), *_enum_choices(Outcome)], name="saraOutcome"
        )
        self.outcome.setAccessibleName("Outcome")
        self.outcome.activated.connect(lambda _i: self._outcome_chosen())
        assessment = PlanText("assessment", "Assessment: what the measures show", self._save_plan_text, self)
        self.texts["assessment"] = assessment
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(self.measures_table, 1)
        row = QHBoxLayout()
        row.addWidget(button(self, "Add measure…", "addMeasureButton", self.add_measure))
        row.addStretch(1)
        row.addWidget(QLabel("Outcome:", self))
        row.addWidget(self.outcome)
        layout.addLayout(row)
        layout.addWidget(QLabel("Assessment: what the measures show, and what residents say", self))
        layout.addWidget(assessment)
        return page

    def _feedback_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        words = QGroupBox("What residents will read", page)
        form = QFormLayout(words)
        for key, label in PUBLIC_FIELDS:
            editor = PlanText(key, label, self._save_public_text, words)
            self.texts[key] = editor
            form.addRow(label, editor)
        layout.addWidget(words)
        self.feedback_model: RecordTableModel[FeedbackRow] = RecordTableModel(
            [
                Column("Channel", lambda f: f.channel.label),
                Column("Given on", lambda f: show_date(f.given_on)),
                Column("What was fed back", lambda f: f.summary),
                Column("Leaflet file", lambda f: f.file_hash[:12]),
            ],
            self,
        )
        self.feedback_table = self._table("feedbackTable", self.feedback_model)
        self.feedback_table.setAccessibleName("Feedback given to the community")
        layout.addWidget(self.feedback_table, 1)
        row = QHBoxLayout()
        row.addWidget(button(self, "Record feedback…", "recordFeedbackButton", self.record_feedback))
        row.addWidget(button(self, "Preview leaflet…", "previewLeafletButton", self._preview))
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # --- loading ---------------------------------------------------------------------------------------------

    def set_choices(self, cards: list[queries.PriorityCard]) -> None:
        self.picker.set_choices(
            [(_choice_label(card), card.id) for card in sorted(cards, key=lambda c: (c.la_name, c.ward_name))]
        )
        if self.detail is not None:
            self.picker.select(self.detail.id)

    def update_choices(self, cards: list[queries.PriorityCard]) -> None:
        """Relabel the changed cards in the picker (a new title or status) without rebuilding it."""
        for card in cards:
            index = self.picker.index_of(card.id)
            if index >= 0:
                self.picker.setItemText(index, _choice_label(card))

    def _picker_labels(self) -> list[str]:
        return [self.picker.itemText(i) for i in range(self.picker.count())]

    def show_priority(self, priority_id: uuid.UUID | None) -> None:
        self.commit_pending()
        self.show_message("")
        if priority_id is None:
            self.detail = None
            self._set_enabled(False)
            return
        self.detail = None
        self.reload(priority_id)

    def reload(self, priority_id: uuid.UUID | None = None, *, options: bool = True) -> None:
        """Show the priority (the one shown when None) as the vault has it now.

        ``options=False`` after an edit that changed no agency or person: the pickers' choices
        (every partner and official) stay as they are, and the evidence panels only redraw when
        another priority is shown or the evidence itself changed (they follow the change sets).
        """
        shown = self.detail.id if self.detail else None
        target = priority_id or shown
        if target is None:
            return
        today = self.clock.today()
        with_options = options or not self._agencies

        def load(s: Session) -> tuple[PlanDetail | None, list[Option], list[Option]]:
            return (
                queries.plan_detail(s, target, today=today),
                queries.agency_options(s) if with_options else self._agencies,
                queries.people_options(s) if with_options else self._people,
            )

        detail, self._agencies, self._people = self.ops.read(load)
        self.detail = detail
        if detail is None:
            self._set_enabled(False)
            return
        if not self.picker.select(detail.id):
            # A priority of another quarter than the board's, opened from a ward page or the overview:
            # it joins the picker, so the picker never names a different ward from the plan shown.
            label = f"{detail.ward_name} ({detail.cycle}): {detail.title} [{detail.status.label}]"
            self.picker.set_choices(
                [*zip(self._picker_labels(), self.picker.values(), strict=True), (label, detail.id)]
            )
            self.picker.select(detail.id)
        if not self.title.hasFocus():
            self.title.setText(detail.title)
        week = f" · week of action {detail.week_start:%d %b %Y}" if detail.week_start else ""
        lead = f" · lead {detail.lead_agency}" if detail.lead_agency else " · no lead agency yet"
        self.summary.setText(
            f"<b>{detail.ward_name}</b> ({detail.ward_code}) · {detail.cycle} · "
            f"<b>{detail.status.label}</b>{lead}{week}"
        )
        self.blockers.setText("Next step blocked: " + "; ".join(detail.blockers) if detail.blockers else "")
        self.blockers.setVisible(bool(detail.blockers))
        for key, editor in self.texts.items():
            editor.load(
                detail.public_issue
                if key == "public_issue"
                else detail.public_action
                if key == "public_action"
                else detail.fields[key]
            )
        self.outcome.select(detail.outcome)
        keep_place(self.actions_table, lambda: self.action_model.set_rows(detail.actions))
        keep_place(self.measures_table, lambda: self.measure_model.set_rows(detail.measures))
        keep_place(self.feedback_table, lambda: self.feedback_model.set_rows(detail.feedback))
        self._set_enabled(True, plan=detail.has_plan)
        if options or detail.id != shown:
            self.evidence.show_priority(detail.id)

    @property
    def evidence(self) -> EvidencePanels:
        """The crime data charts and verdict (issue 14), under Scanning and Assessment."""
        if self._evidence is None:
            from commmatters_desktop.ui.evidence_chart import add_evidence_panels

            self._evidence = add_evidence_panels(self)
        return self._evidence

    def _set_enabled(self, shown: bool, plan: bool = False) -> None:
        self.tabs.setVisible(shown)
        self.empty.setVisible(not shown)
        for widget in (self.title, self.back, self.forward):
            widget.setEnabled(shown)
        self.summary.setVisible(shown)
        for editor in self.texts.values():
            editor.setReadOnly(not plan and editor.key not in ("public_issue", "public_action"))
        self.action_model.editable = self.measure_model.editable = plan
        if shown and not plan:
            self.show_message(
                "This priority has not been agreed yet: its SARA plan starts when the panel agrees it."
            )

    def commit_pending(self) -> None:
        """Save anything typed but not yet saved (before switching priority, locking or closing)."""
        for editor in self.texts.values():
            editor.commit()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # --- edits: each one a core command (undoable, through a service) ---------------------------------------

    def _save_plan_text(self, key: str, text: str) -> None:
        if self.detail is None:
            return
        label = self.texts[key].accessibleName().split(":")[0]
        if self.ops.execute(commands.SetPlanText(self.detail.id, key, text, label)):
            self.texts[key].saved_text = text
            self.show_message("")

    def _save_public_text(self, key: str, text: str) -> None:
        if self.detail is None:
            return
        if self.ops.execute(commands.SetPriorityText(self.detail.id, key, text)):
            self.texts[key].saved_text = text

    def _title_edited(self) -> None:
        if self.detail is None or self.title.text().strip() == self.detail.title:
            return
        old = self.detail.title
        if not self.ops.execute(commands.SetPriorityText(self.detail.id, "title", self.title.text())):
            self.title.setText(old)

    def _outcome_chosen(self) -> None:
        if self.detail is None or self.detail.outcome == self.outcome.value():
            return
        self.ops.execute(commands.SetOutcome(self.detail.id, self.outcome.value()))

    def _edit_action(self, row: ActionRow, name: str, value: Any) -> None:
        if name == "status":
            self._change_status(row, value)
        elif getattr(row, name) != value:
            self.ops.execute(commands.EditAction(row.id, name, value))

    def _change_status(self, row: ActionRow, status: ActionStatus) -> None:
        if status is row.status:
            return
        note = row.completion_note
        if status in (ActionStatus.DONE, ActionStatus.CANCELLED) and not note.strip():
            question = "What was done?" if status is ActionStatus.DONE else "Why was it cancelled?"
            answer = forms.ask_reason(self, f"Mark the action {status.label.lower()}", question)
            if answer is None:
                return
            note = answer
        self.ops.execute(commands.SetActionStatus(row.id, status, note))

    def _edit_measure(self, row: MeasureRow, name: str, value: Any) -> None:
        if getattr(row, name) != value:
            self.ops.execute(commands.EditMeasure(row.id, name, value))

    def add_action(self) -> None:
        if self.detail is None:
            return
        answer = forms.ask_form(self, "Add an action", "A named, dated piece of work for police or a partner.", [
            Field("description", "What will be done", Kind.MULTILINE, required=True),
            Field("kind", "Kind", Kind.CHOICE, value=ActionKind.ENFORCEMENT, choices=_enum_choices(ActionKind)),
            Field("owner_agency", "Owner agency", Kind.CHOICE, choices=[("(none yet)", None)]
                  + [(o.label, o.id) for o in self._agencies]),
            Field("owner_person", "Owner", Kind.CHOICE, choices=[("(none yet)", None)]
                  + [(o.label, o.id) for o in self._people]),
            Field("due_on", "Due", Kind.DATE, hint="dd/mm/yyyy"),
        ], "Add action")  # fmt: skip
        if answer is None:
            return
        self.ops.execute(
            commands.AddAction(
                self.detail.id, answer["description"], answer["kind"], answer["owner_agency"],
                answer["owner_person"], answer["due_on"],
            )
        )  # fmt: skip

    def remove_action(self) -> None:
        index = self.actions_table.currentIndex()
        if not index.isValid():
            self.show_message("Select the action to remove first.")
            return
        self.ops.execute(commands.Remove("action", self.action_model.row_at(index.row()).id))

    def add_measure(self) -> None:
        if self.detail is None:
            return
        answer = forms.ask_form(self, "Add a measure", "Something you can count before and after the week.", [
            Field("name", "Measure", required=True, hint="for example: ASB reports in the park"),
            Field("source", "Source"),
            Field("unit", "Unit", value="reports"),
            Field("baseline_period", "Baseline period", value="3 months before"),
        ], "Add measure")  # fmt: skip
        if answer is None:
            return
        self.ops.execute(commands.AddMeasure(self.detail.id, **answer))

    def record_feedback(self) -> None:
        if self.detail is None:
            return
        answer = forms.ask_form(self, "Record feedback", "Feedback already given to the community.", [
            Field("channel", "How", Kind.CHOICE, value=FeedbackChannel.PANEL, choices=_enum_choices(FeedbackChannel)),
            Field("given_on", "Given on", Kind.DATE, required=True, value=self.clock.today()),
            Field("summary", "What was fed back", Kind.MULTILINE, required=True),
        ], "Record feedback")  # fmt: skip
        if answer is None:
            return
        self.ops.execute(
            commands.RecordFeedback(self.detail.id, answer["channel"], answer["summary"], answer["given_on"])
        )

    def _preview(self) -> None:
        if self.detail is not None:
            self.commit_pending()
            self.leaflet_requested.emit(self.detail.id)

    def _step(self, direction: int) -> None:
        if self.detail is not None:
            self.commit_pending()
            self.step_requested.emit(self.detail.id, direction)
