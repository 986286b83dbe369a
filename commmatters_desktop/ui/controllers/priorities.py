"""Moving priorities on the board: the rules decide, the user gives reasons, every move can be undone.

Every move is a core command (``core.commands``): the controller asks the services what it needs to
know (``priorities.move_facts``), asks the officer for a reason or the agreement's details, and hands
the command to the operations helper, which applies it and keeps its inverse for undo.
"""

from __future__ import annotations

import uuid

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core.enums import PIPELINE, PriorityStatus
from commmatters_desktop.core.services import priorities
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind

S = PriorityStatus


class PrioritiesController(Controller):
    def step(self, priority_id: uuid.UUID, direction: int) -> None:
        """One column right (+1) or left (-1) along the lifecycle."""
        status = self.ops.read(lambda s: priorities.move_facts(s, priority_id)).status
        if status not in PIPELINE:
            self.window.refused(f"It is {status.label}: use the Priority menu to change that.")
            return
        index = PIPELINE.index(status) + direction
        if 0 <= index < len(PIPELINE):
            self.request_move(priority_id, PIPELINE[index])
        elif direction > 0:
            self.window.refused(
                "It is Closed: nothing comes after Closed. To work on it again, add next quarter's priority."
            )
        else:
            self.window.refused(
                "It is Nominated: that is the first step. Use Not taken forward if the panel declined it."
            )

    def request_move(self, priority_id: uuid.UUID, target: PriorityStatus) -> None:
        """Move a priority as the user asked; the service decides, and every move can be undone."""
        board = self.window.board
        self.window.plan.commit_pending()
        board.show_message("")
        facts = self.ops.read(lambda s: priorities.move_facts(s, priority_id, target))
        if target is facts.status:
            return
        if facts.refusal:
            self.window.refused(facts.refusal)
            return
        if target is S.ESCALATED:
            why = forms.ask_reason(self.window, "Escalate to CSP tasking", "Why does this need CSP tasking?")
            if why is not None:
                self.ops.execute(commands.Escalate(priority_id, why))
        elif target is S.NOT_TAKEN_FORWARD:
            why = forms.ask_reason(self.window, "Not taken forward", "What reason did the panel give?")
            if why is not None:
                self.ops.execute(commands.NotTakenForward(priority_id, why))
        elif facts.needs_agreement:
            self._agree(facts, target)
        else:
            self.ops.execute(commands.MovePriority(priority_id, target, facts.title))
        board.select(priority_id)

    def _agree(self, facts: priorities.MoveFacts, target: PriorityStatus) -> None:
        agencies = self.ops.read(queries.agency_options)
        meetings = self.ops.read(
            lambda s: queries.meeting_options(s, ward_id=facts.ward_id, cycle=facts.cycle)
        )
        answer = forms.ask_form(
            self.window,
            "Agree the priority",
            f"Record how the panel agreed '{facts.title}' and which agency leads it.",
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
        if answer is not None:
            self.ops.execute(commands.Agree(facts.id, answer["lead"], answer["meeting"], target))

    def de_escalate(self, priority_id: uuid.UUID) -> None:
        self.ops.execute(commands.DeEscalate(priority_id))

    def reconsider(self, priority_id: uuid.UUID) -> None:
        self.ops.execute(commands.Reconsider(priority_id))
