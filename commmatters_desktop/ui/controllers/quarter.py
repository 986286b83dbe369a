"""The quarter: weeks of action on the calendar, calendar invites, partners' action lists, and the
calendar, partners' and overview tabs' data."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox
from sqlalchemy.orm import Session

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import ScheduleMode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.overview import overview
from commmatters_desktop.core.partner_actions import PartnerAction, open_action_counts, open_actions
from commmatters_desktop.core.services import force, planning
from commmatters_desktop.reports.publish import write_file
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.views.cycle_views import set_cycles


class QuarterController(Controller):
    def refresh_views(self) -> None:
        """The calendar, partners' actions and overview, reloaded only while one of them is shown."""
        w = self.window
        shown = w.tabs.currentWidget()
        if shown not in (w.calendar, w.partners, w.overview):
            return
        today = self.clock.today()
        codes = self.ops.read(queries.cycle_codes)
        if shown is w.calendar:
            set_cycles(w.calendar.cycle, codes, str(w.cycle))
            cycle = w.calendar.cycle.currentText()
            w.calendar.show_data(self.ops.read(lambda s: planning.calendar_data(s, cycle)))
        elif shown is w.partners:
            agency = w.partners.selected_agency()

            def page(offset: int, limit: int) -> list[PartnerAction]:
                """One page of the list, read from the vault as the table scrolls."""
                return self.ops.read(
                    lambda s: open_actions(s, today=today, agency=agency, offset=offset, limit=limit)
                )

            def counts() -> tuple[int, int]:
                """Counted after the first page is read, from the pages that page brought in."""
                return self.ops.read(lambda s: open_action_counts(s, today=today, agency=agency))

            w.partners.set_actions(page, counts, [o.label for o in self.ops.read(queries.agency_options)])
        else:
            set_cycles(w.overview.cycle, codes, str(w.cycle))
            cycle = w.overview.cycle.currentText()
            w.overview.show_overview(self.ops.read(lambda s: overview(s, cycle=cycle, today=today)))

    def set_week(self, ward_id: uuid.UUID, week: dt.date | None) -> None:
        self.ops.execute(commands.SetWeek(ward_id, self.window.calendar.cycle.currentText(), week))

    def toggle_unavailable(self, week: dt.date) -> None:
        cycle = self.window.calendar.cycle.currentText()
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
            self.window,
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
                self.window, "Not planned", getattr(exc, "message", "Wards per week must be a number.")
            )
            return
        verdict = QMessageBox.question(
            self.window,
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
        self.window.tabs.setCurrentWidget(self.window.calendar)

    def export_ics(self, cycle: str) -> Path | None:
        from commmatters_desktop.reports.ics import calendar

        suggested = str(Path.home() / f"community-matters-{cycle}.ics")
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export calendar invites", suggested, "Calendar (*.ics)"
        )
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
            write_file(target, self.ops.read(build), what=f"The calendar for {cycle}")
        except UserError as exc:
            QMessageBox.warning(self.window, "Not exported", exc.message)
            return None
        self.say(f"Calendar invites for {cycle} written to {target}")
        return target

    def print_partner_list(self, agency: str) -> Path | None:
        from commmatters_desktop.reports.action_list import render_action_list

        if self.window.partners.selected_agency() is None:
            QMessageBox.information(
                self.window, "Choose a partner", "Choose the partner whose list to print first."
            )
            return None
        suggested = str(Path.home() / f"actions-{agency.lower().replace(' ', '-')}.pdf")
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save the partner's list", suggested, "PDF (*.pdf)"
        )
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
        try:
            write_file(target, data, what=f"{agency}'s list")
        except UserError as exc:
            QMessageBox.warning(self.window, "Not saved", exc.message)
            return None
        self.say(f"{agency}'s list written to {target}")
        return target
