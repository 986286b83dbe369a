"""What a ward panel (PACT) meeting shows in public, and what its minutes record.

Everything here is safe for a projector by construction: last quarter's result comes through the
leaflet's content rules (so through the same privacy gate), and nominations appear only in their
redacted or masked wording. The officer's own screen may show more; the public screen only this.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import public, queries
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import NominationStatus
from commmatters_desktop.core.errors import NotFound, UserError
from commmatters_desktop.core.leaflets import LeafletContent, leaflet_content
from commmatters_desktop.core.models import Nomination, PanelMeeting, Ward
from commmatters_desktop.core.services.force import force_name
from commmatters_desktop.core.services.priorities import agreed_priority

#: A priority's title is a board card's heading and a leaflet's headline: a few words, not a sentence.
TITLE_LENGTH = 60


def suggest_title(wording: str) -> str:
    """A short title from a nomination's public wording: its first clause, cut at a word, no longer
    than :data:`TITLE_LENGTH`. The officer can change it at the decision; it is only a start."""
    text = " ".join(wording.split())
    for stop in (". ", "; ", ", ", " - ", " – "):
        head = text.split(stop, 1)[0]
        if 12 <= len(head) < len(text):
            text = head
            break
    text = text.rstrip(".;,:!? ")
    if len(text) <= TITLE_LENGTH:
        return text
    words = text[: TITLE_LENGTH + 1].rsplit(" ", 1)[0].split()
    while len(words) > 2 and words[-1].casefold() in _DANGLING:
        words.pop()  # never end on "the", "this", "on"...
    return " ".join(words).rstrip(".;,:!? ") or text[:TITLE_LENGTH]


_DANGLING = frozenset(
    "a an and at by for from in into of on or the their this that to with near behind".split()
)


@dataclass(frozen=True)
class Agenda:
    meeting_id: uuid.UUID
    ward_id: uuid.UUID
    ward_code: str
    ward_name: str
    la_name: str
    cycle: str
    held_on: dt.date
    venue: str
    attendance: int | None
    force_name: str
    demo: bool
    #: Last quarter's "You said, we did" (None: nothing to report, or held back, see ``last_note``).
    last_quarter: LeafletContent | None
    last_note: str
    nominations: list[queries.NominationRow]
    agencies: list[queries.Option]
    #: The priority this meeting agreed, if it has decided.
    decided: str = ""
    decided_lead: str = ""
    decisions: str = ""
    previous_cycle: str = field(default="")
    #: Texts the gate refuses (unapproved, changed since approval, or flagged): shown as a notice on
    #: screen; the meeting mode and the minutes refuse to start while any remain.
    pending: list[public.Refusal] = field(default_factory=list)

    def require_cleared(self, what: str) -> None:
        """The gate, for the projector and the minutes: refuse with the list of what to approve."""
        if self.pending:
            raise public.NotPublic(what, self.pending)

    @property
    def open_nominations(self) -> list[queries.NominationRow]:
        return [n for n in self.nominations if n.status is NominationStatus.OPEN]

    @property
    def shown_nominations(self) -> list[queries.NominationRow]:
        """Everything the panel considers: merged nominations appear within the one they joined."""
        return [n for n in self.nominations if n.status is not NominationStatus.MERGED]


def agenda(session: Session, meeting_id: uuid.UUID, *, today: dt.date, demo: bool) -> Agenda:
    meeting = session.get(PanelMeeting, meeting_id)
    if meeting is None or meeting.deleted:
        raise NotFound("That panel meeting no longer exists.")
    ward = session.get(Ward, meeting.ward_id)
    assert ward is not None
    code = _cycle_code(session, meeting)
    previous = str(CycleCode.parse(code).previous())
    last, note = None, ""
    try:
        last = leaflet_content(session, ward_code=ward.code, cycle=previous, today=today,
                               force_name=force_name(session), demo=demo)  # fmt: skip
    except UserError as exc:
        note = exc.message
    decided = agreed_priority(session, ward_id=ward.id, cycle_id=meeting.cycle_id)
    lead = ""
    if decided is not None and decided.lead_agency_id is not None:
        lead = next((o.label for o in queries.agency_options(session) if o.id == decided.lead_agency_id), "")
    nominations = queries.nomination_rows(session, cycle=code, ward_code=ward.code)
    pieces: list[public.Piece] = []
    pending: list[public.Refusal] = []
    for index, n in enumerate((n for n in nominations if n.status is not NominationStatus.MERGED), 1):
        if n.approved:
            pieces.append(
                public.Piece(f"Nomination {index}", "nomination", str(n.id), "public_wording", n.display)
            )
        else:  # the officer is offered the masked draft, never the resident's words
            draft = public.Piece(
                f"Nomination {index}", "nomination", str(n.id), "public_wording", n.suggested
            )
            pending.append(public.Refusal(draft, "no public wording approved yet"))
    for n in nominations:
        if n.status is NominationStatus.NOT_TAKEN_FORWARD and n.reason:
            record = session.get(Nomination, n.id)
            assert record is not None
            pieces.append(public.piece("Not taken forward", record, "reason"))
    title = public.piece("Decision", decided, "title") if decided is not None else None
    notes = public.piece("Actions and notes agreed", meeting, "decisions")
    venue = public.piece("Venue", meeting, "venue")
    pieces += [p for p in (title, notes, venue) if p is not None]
    pending += public.check(session, pieces)
    refused = {r.piece.key for r in pending}

    def cleared(piece: public.Piece) -> str:
        return "" if piece.key in refused else piece.text

    return Agenda(
        meeting_id=meeting.id, ward_id=ward.id, ward_code=ward.code, ward_name=ward.name, la_name=ward.la_name,
        cycle=code, held_on=meeting.held_on, venue=cleared(venue), attendance=meeting.attendance,
        force_name=force_name(session), demo=demo, last_quarter=last, last_note=note,
        nominations=[_cleared_row(n, refused) for n in nominations],
        agencies=queries.agency_options(session),
        decided=cleared(title) if title is not None else "", decided_lead=lead,
        decisions=cleared(notes), previous_cycle=previous, pending=pending,
    )  # fmt: skip


def _cleared_row(row: queries.NominationRow, refused: set[tuple[str, str, str]]) -> queries.NominationRow:
    """The row as the public may see it: refused text replaced by the notice, the reason likewise."""
    import dataclasses

    display = (
        row.display
        if (row.approved and ("nomination", str(row.id), "public_wording") not in refused)
        else queries.AWAITING_APPROVAL
    )
    reason = row.reason if ("nomination", str(row.id), "reason") not in refused else "reason not yet approved"
    return dataclasses.replace(row, display=display, reason=reason)


def _cycle_code(session: Session, meeting: PanelMeeting) -> str:
    from commmatters_desktop.core.models import Cycle

    cycle = session.get(Cycle, meeting.cycle_id)
    assert cycle is not None
    return cycle.code


def attendance(session: Session, meeting_id: uuid.UUID) -> int | None:
    """The meeting's head count as the vault holds it now (typed on the projector, say)."""
    return session.scalar(select(PanelMeeting.attendance).where(PanelMeeting.id == meeting_id))


def meeting_for(session: Session, *, ward_code: str, cycle: str) -> PanelMeeting | None:
    """The ward's panel meeting in the cycle (the latest, if there were several)."""
    from commmatters_desktop.core.models import natural_id
    from commmatters_desktop.core.services.wards import ward_by_code

    ward = ward_by_code(session, ward_code)
    if ward is None:
        raise NotFound(f"There is no ward {ward_code.upper()} in the vault.")
    return session.scalars(
        select(PanelMeeting)
        .where(
            PanelMeeting.ward_id == ward.id,
            PanelMeeting.cycle_id == natural_id("cycle", str(CycleCode.parse(cycle))),
            PanelMeeting.deleted.is_(False),
        )
        .order_by(PanelMeeting.held_on.desc())
    ).first()
