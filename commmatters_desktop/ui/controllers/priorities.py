"""Moving priorities on the board: the rules decide, the user gives reasons, every move can be undone."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from commmatters_desktop.core import queries, rules
from commmatters_desktop.core.enums import AGREED_OR_LATER, PIPELINE, PriorityStatus
from commmatters_desktop.core.models import Agency, PanelMeeting, Priority
from commmatters_desktop.core.services import common, priorities
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind

S = PriorityStatus
#: Agreement can be completed from the board when these are all that stand in its way.
_AGREEMENT_GAPS = frozenset({"no panel meeting or online ratification recorded", "no lead agency"})


class PrioritiesController(Controller):
    def step(self, priority_id: uuid.UUID, direction: int) -> None:
        """One column right (+1) or left (-1) along the lifecycle."""
        status = self.ops.read(lambda s: common.fetch(s, Priority, priority_id).status)
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
        current = self.ops.read(lambda s: common.fetch(s, Priority, priority_id))
        before = current.status
        if target is before:
            return
        refusal = self.ops.read(
            lambda s: rules.side_step_refusal(common.fetch(s, Priority, priority_id), target)
        )
        if refusal:
            self.window.refused(refusal)
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
                _undo_move(priority_id, before),
            )
        board.select(priority_id)

    def _with_reason(
        self,
        title: str,
        question: str,
        forward: Callable[[Session, str], object],
        backward: Callable[[Session], object],
    ) -> None:
        """A side-state change: ask for the reason, then make it an undoable edit."""
        answer = forms.ask_reason(self.window, title, question)
        if answer is not None:
            reason: str = answer
            self.ops.do(title, lambda s: forward(s, reason), backward)

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
            self.window,
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

        self.ops.do("Agree the priority", agree, _undo_move(pid, S.NOMINATED))

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


def _undo_move(priority_id: uuid.UUID, before: PriorityStatus) -> Callable[[Session], object]:
    def back(s: Session) -> object:
        p = common.fetch(s, Priority, priority_id)
        if before is S.NOMINATED:
            return priorities.withdraw_agreement(s, priority=p)
        return priorities.move(s, priority=p, target=before)

    return back
