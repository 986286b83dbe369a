"""Wards: adding, editing and importing them, and preparing a ward's panel meeting."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import natural_id
from commmatters_desktop.core.services import priorities
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.meeting import MeetingPrep


def _ward_fields(ward: queries.WardDetail | None) -> list[Field]:
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


class WardsController(Controller):
    def add_ward(self) -> None:
        answer = forms.ask_form(self.window, "Add a ward", "", _ward_fields(None), "Add ward")
        if answer is None:
            return
        code = answer["code"]
        if self.ops.execute(commands.AddWard(**answer)):
            self.window.tabs.setCurrentWidget(self.window.ward_view)
            self.window.ward_view.search.setText(code)

    def edit_ward(self) -> None:
        ward_id = self.window.ward_view.selected_ward()
        if ward_id is None:
            self.say("Choose a ward on the Wards tab first.")
            return
        cycle = str(self.window.cycle)
        detail = self.ops.read(lambda s: queries.ward_detail(s, ward_id, cycle=cycle))
        if detail is None:
            return
        fields = [f for f in _ward_fields(detail) if f.key != "code"]
        answer = forms.ask_form(self.window, f"Edit {detail.name}", f"Ward {detail.code}", fields, "Save")
        if answer is None:
            return
        self.ops.execute(commands.EditRecord.of("ward", ward_id, answer, f"Edit ward {detail.name}"))

    def import_wards(self) -> None:
        from commmatters_desktop.importers.ons_wards import apply_ward_lookup, read_ward_lookup

        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import an ONS ward lookup", str(Path.home()), "CSV files (*.csv)"
        )
        if not path:
            return
        try:
            lookup = read_ward_lookup(Path(path))
        except UserError as exc:
            QMessageBox.warning(self.window, "Nothing was imported", exc.message)
            return
        summary = self.ops.attempt(lambda s: apply_ward_lookup(s, lookup))
        if summary is not None:
            lines = [f"{Path(path).name}: {summary.describe()}."]
            lines += [f"Line {line}: {reason}" for line, reason in summary.skipped[:20]]
            QMessageBox.information(self.window, "Wards imported", "\n".join(lines))

    def open_meeting(self) -> MeetingPrep | None:
        """Meeting preparation for the selected ward: this quarter, or next if this one's is agreed.

        With no ward chosen on the ward list or the board, it asks which ward: opening some other
        ward's meeting on a projector is worse than one more question.
        """
        w = self.window
        shown, card = w.tabs.currentWidget(), w.board.current_card()
        ward_id = (
            card.ward_id
            if shown is w.board and card is not None
            else w.ward_view.selected_ward()
            if shown is w.ward_view
            else None
        )
        cycle = str(w.cycle)
        if ward_id is None:
            rows = self.ops.read(lambda s: queries.ward_rows(s, cycle=cycle))
            if not rows:
                QMessageBox.information(
                    w,
                    "No wards yet",
                    "Add or import the force's wards first (Wards menu), then prepare a meeting.",
                )
                return None
            answer = forms.ask_form(
                w,
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
                cycle = str(w.cycle.next())
        dialog = MeetingPrep(self.ops, self.clock, ward_id=ward_id, cycle=cycle, parent=w)
        dialog.open()
        return dialog
