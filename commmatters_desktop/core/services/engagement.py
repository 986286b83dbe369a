"""Engagement: nominations from the community and the ward panel meetings that decide on them."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, public
from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.enums import Channel, NominationStatus, PriorityStatus
from commmatters_desktop.core.errors import RuleViolation, ValidationError
from commmatters_desktop.core.models import Agency, Nomination, PanelMeeting, Priority, Ward, natural_id
from commmatters_desktop.core.services import cycles
from commmatters_desktop.core.services.common import count, fetch, required, tombstone


def nominate(
    session: Session,
    *,
    ward: Ward,
    wording: str,
    channel: Channel,
    cycle: str | None = None,
    category: str = "",
    support: int = 1,
    raised_on: dt.date | None = None,
    source_ref: str | None = None,
) -> Nomination:
    """Record an issue the community raised for ``ward`` in ``cycle`` (default: this quarter)."""
    if support < 1:
        raise ValidationError("Support is the number of people who raised it: at least 1.")
    cycle_record = cycles.cycle(session, cycle)
    record = Nomination(
        # An imported row has the same id on every laptop that imports the same file.
        id=natural_id("nomination", f"{ward.code}|{cycle_record.code}|{source_ref}")
        if source_ref
        else uuid.uuid4(),
        ward_id=ward.id,
        cycle_id=cycle_record.id,
        wording=required(wording, "Write down what the community raised."),
        channel=channel,
        category=category.strip(),
        support=support,
        raised_on=raised_on,
        source_ref=source_ref,
    )
    session.add(record)
    changes.flush(session)
    audit(session, "nominate", record, f"{channel.label} nomination for {ward.name}")
    return record


def decline_nomination(session: Session, *, nomination: Nomination, reason: str) -> None:
    """The panel did not take it forward: the reason is kept so the community can be told why."""
    if nomination.status is not NominationStatus.OPEN:
        raise RuleViolation(f"That nomination is already {nomination.status.label}.")
    nomination.reason = required(reason, "Record why the panel did not take it forward.")
    nomination.status = NominationStatus.NOT_TAKEN_FORWARD
    audit(session, "decline", nomination, nomination.reason)
    public.approve_typed(session, nomination, ("reason",))


def record_meeting(
    session: Session,
    *,
    ward: Ward,
    held_on: dt.date,
    venue: str,
    cycle: str | None = None,
    attendance: int | None = None,
    decisions: str = "",
) -> PanelMeeting:
    """A ward panel (PACT) meeting; attendance is a head count, never a list of residents."""
    meeting = PanelMeeting(
        ward_id=ward.id,
        cycle_id=cycles.cycle(session, cycle).id,
        held_on=held_on,
        venue=required(venue, "Say where the panel met."),
        attendance=count(attendance, "attendance"),
        decisions=decisions.strip(),
    )
    session.add(meeting)
    changes.flush(session)
    audit(session, "meeting", meeting, f"panel meeting for {ward.name} on {held_on.isoformat()}")
    public.approve_typed(session, meeting, ("venue", "decisions"))
    return meeting


def merge_nominations(session: Session, *, keep: Nomination, absorb: Nomination) -> Nomination:
    """Near-duplicates ("drug dealing in the park" / "drugs in Queens Park") become one.

    The absorbed nomination keeps its own wording and support and points at the kept one, so the
    combined support counts both and both wordings stay on record.
    """
    if keep.id == absorb.id:
        raise ValidationError("Choose two different nominations to merge.")
    if (keep.ward_id, keep.cycle_id) != (absorb.ward_id, absorb.cycle_id):
        raise RuleViolation("Only nominations for the same ward and quarter can be merged.")
    for nomination in (keep, absorb):
        if nomination.status is not NominationStatus.OPEN:
            raise RuleViolation(f"'{nomination.wording[:40]}' is already {nomination.status.label}.")
    for child in session.scalars(select(Nomination).where(Nomination.merged_into_id == absorb.id)):
        child.merged_into_id = keep.id  # what absorb had absorbed moves with it
    absorb.status = NominationStatus.MERGED
    absorb.merged_into_id = keep.id
    audit(session, "merge", keep, "two nominations merged")
    return keep


def unmerge_nomination(session: Session, *, nomination: Nomination) -> None:
    """Undo a merge: the nomination stands on its own again."""
    if nomination.status is not NominationStatus.MERGED:
        raise RuleViolation("That nomination was not merged.")
    nomination.status = NominationStatus.OPEN
    nomination.merged_into_id = None
    audit(session, "unmerge", nomination)


def support_by_channel(session: Session, nomination_id: uuid.UUID) -> dict[Channel, int]:
    """How many people raised it through each channel: the nomination and any merged into it."""
    by_channel: dict[Channel, int] = {}
    # Two indexed lookups, not one OR that makes SQLite read every nomination (once per leaflet).
    family = [
        *session.scalars(select(Nomination).where(Nomination.id == nomination_id)),
        *session.scalars(select(Nomination).where(Nomination.merged_into_id == nomination_id)),
    ]
    for member in (n for n in family if not n.deleted):
        by_channel[member.channel] = by_channel.get(member.channel, 0) + member.support
    return by_channel


def combined_support(session: Session, nomination: Nomination) -> int:
    return sum(support_by_channel(session, nomination.id).values())


def redact_nomination(session: Session, *, nomination: Nomination, public_wording: str) -> None:
    """The officer writes and approves the wording shown on the projector and printed in minutes.

    The resident's original is kept, unshown. Blank clears the public wording (nothing is shown).
    """

    if not public_wording.strip():
        nomination.public_wording = ""
        audit(session, "redact", nomination, "public wording cleared")
        return
    public.approve(session, nomination, "public_wording", public_wording)


def approve_suggested_wording(session: Session, *, nomination: Nomination) -> str:
    """The officer accepts the app's masked draft as the public wording (recorded as their approval)."""
    from commmatters_desktop.core import privacy

    draft = privacy.scanner(session).suggest(nomination.wording)
    redact_nomination(session, nomination=nomination, public_wording=draft)
    return draft


def record_votes(session: Session, *, nomination: Nomination, votes: int | None) -> None:
    if votes is not None and votes < 0:
        raise ValidationError("A show of hands cannot be negative.")
    nomination.votes = votes


def update_meeting(
    session: Session, *, meeting: PanelMeeting, attendance: int | None = None, decisions: str | None = None,
    venue: str | None = None, held_on: dt.date | None = None,
) -> None:  # fmt: skip
    if attendance is not None:
        meeting.attendance = count(attendance, "attendance")
    if decisions is not None:
        meeting.decisions = decisions.strip()
    if venue is not None:
        meeting.venue = required(venue, "Say where the panel met.")
    if held_on is not None:
        meeting.held_on = held_on
    audit(session, "update", meeting, "meeting details")
    public.approve_typed(session, meeting, ("venue", "decisions"))


@dataclass(frozen=True)
class PanelDecision:
    """What a panel decision changed, so that it can be undone exactly."""

    priority_id: uuid.UUID
    #: The priority was made by the decision (rather than an earlier candidate being agreed).
    created: bool
    #: Nominations the decision recorded as not taken forward.
    declined: tuple[uuid.UUID, ...]
    #: Other candidate priorities of the ward's quarter the decision set aside.
    set_aside: tuple[uuid.UUID, ...]


def record_panel_decision(
    session: Session,
    *,
    meeting: PanelMeeting,
    chosen: Nomination,
    lead_agency: Agency,
    title: str,
    declined_reason: str = "Not chosen by the ward panel's vote",
) -> PanelDecision:
    """The panel agrees ONE priority from the nominations; the rest are recorded as not taken forward.

    The priority is created and agreed through the same services as everywhere else, so the
    one-per-ward-per-cycle rule and the agreement rule apply here too. A candidate priority already
    proposed from the chosen nomination is the one agreed (never a second card for the ward), and
    every other candidate of the ward's quarter is set aside with the panel's reason.
    """
    from commmatters_desktop.core.services import priorities

    if chosen.ward_id != meeting.ward_id or chosen.cycle_id != meeting.cycle_id:
        raise RuleViolation("That nomination is not for this ward panel's quarter.")
    ward = session.get(Ward, meeting.ward_id)
    assert ward is not None
    candidates = list(
        session.scalars(
            select(Priority).where(
                Priority.ward_id == meeting.ward_id,
                Priority.cycle_id == meeting.cycle_id,
                Priority.status == PriorityStatus.NOMINATED,
                Priority.deleted.is_(False),
            )
        )
    )
    existing = next((p for p in candidates if p.nomination_id == chosen.id), None)
    if existing is not None:
        priority = existing
        priority.title = required(title, "Give the priority a short title.")

        public.approve_if_clean(session, priority, "title")  # typed by the officer at the decision
    else:
        priority = priorities.propose(session, ward=ward, title=title, nomination=chosen)
    priorities.agree(session, priority=priority, lead_agency=lead_agency, meeting=meeting)
    set_aside = []
    for other in candidates:
        if other is not priority:
            priorities.not_taken_forward(
                session, priority=other, reason=f"The ward panel chose '{priority.title}' instead."
            )
            set_aside.append(other.id)
    declined = []
    for nomination in session.scalars(
        select(Nomination).where(
            Nomination.ward_id == meeting.ward_id,
            Nomination.cycle_id == meeting.cycle_id,
            Nomination.status == NominationStatus.OPEN,
            Nomination.deleted.is_(False),
        )
    ):
        votes = f" ({nomination.votes} votes)" if nomination.votes is not None else ""
        decline_nomination(session, nomination=nomination, reason=f"{declined_reason}{votes}.")
        declined.append(nomination.id)
    return PanelDecision(priority.id, existing is None, tuple(declined), tuple(set_aside))


def undo_panel_decision(session: Session, *, decision: PanelDecision) -> None:
    """Take a panel decision back (recorded in error): everything returns to how it was before it."""
    from commmatters_desktop.core.services import priorities

    priority = fetch(session, Priority, decision.priority_id, "priority")
    priorities.withdraw_agreement(session, priority=priority)
    if decision.created:
        tombstone(session, priority, "panel decision undone")
    for nomination_id in decision.declined:
        nomination = fetch(session, Nomination, nomination_id, "nomination")
        nomination.status = NominationStatus.OPEN
        nomination.reason = ""
        audit(session, "reopen", nomination, "panel decision undone")
    for other_id in decision.set_aside:
        priorities.reconsider(session, priority=fetch(session, Priority, other_id, "priority"))


@dataclass(frozen=True)
class NominationRecord:
    """One nomination as an importer read it (line number kept for the report)."""

    line: int
    ward_code: str
    wording: str
    channel: Channel
    support: int
    category: str = ""
    raised_on: dt.date | None = None
    reference: str = ""


@dataclass
class NominationImport:
    added: int = 0
    #: Already imported, with a changed support count: the count was updated.
    merged: int = 0
    #: (line, reason): already imported unchanged, or not imported because something was wrong.
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.added} added, {self.merged} merged, {len(self.skipped)} skipped"


@changes.many_records
def import_nominations(
    session: Session, records: list[NominationRecord], *, cycle: str | None
) -> NominationImport:
    """Add nominations from an online poll or survey; re-importing the same file adds nothing twice."""
    from commmatters_desktop.core.services.wards import ward_by_code

    result = NominationImport()
    cycle_id = cycles.cycle(session, cycle).id
    for record in records:
        ward = ward_by_code(session, record.ward_code)
        if ward is None:
            result.skipped.append((record.line, f"no ward {record.ward_code} in the vault"))
            continue
        reference = record.reference or _row_reference(record)
        existing = session.scalars(
            select(Nomination).where(
                Nomination.ward_id == ward.id,
                Nomination.cycle_id == cycle_id,
                Nomination.source_ref == reference,
            )
        ).first()
        if existing is not None:
            if existing.support != record.support and existing.status is NominationStatus.OPEN:
                existing.support = record.support
                result.merged += 1
            else:
                result.skipped.append((record.line, "already imported"))
            continue
        nominate(
            session, ward=ward, wording=record.wording, channel=record.channel, cycle=cycle,
            category=record.category, support=record.support, raised_on=record.raised_on, source_ref=reference,
        )  # fmt: skip
        result.added += 1
    return result


def _row_reference(record: NominationRecord) -> str:
    """A stable reference for rows without one, so the same row imported again is recognised."""
    basis = "|".join([record.ward_code.upper(), " ".join(record.wording.lower().split()), record.channel.value,
                      record.raised_on.isoformat() if record.raised_on else ""])  # fmt: skip
    return "row:" + hashlib.sha256(basis.encode()).hexdigest()[:24]


def save_meeting(
    session: Session,
    *,
    meeting_id: uuid.UUID | None,
    ward_id: uuid.UUID,
    cycle: str,
    held_on: dt.date,
    venue: str,
    attendance: int | None,
    decisions: str,
) -> uuid.UUID:
    """The meeting screen's details saved: the meeting recorded the first time, updated after that."""
    if meeting_id is None:
        made = record_meeting(
            session,
            ward=fetch(session, Ward, ward_id, "ward"),
            held_on=held_on,
            venue=venue,
            cycle=cycle,
            attendance=attendance,
            decisions=decisions,
        )
        return made.id
    update_meeting(
        session,
        meeting=fetch(session, PanelMeeting, meeting_id, "panel meeting"),
        attendance=attendance,
        decisions=decisions,
        venue=venue,
        held_on=held_on,
    )
    return meeting_id


def approve_suggested_wordings(session: Session, nomination_ids: list[uuid.UUID]) -> None:
    """The masked drafts of these nominations approved as their public wording, in one go."""
    for nomination_id in nomination_ids:
        approve_suggested_wording(session, nomination=fetch(session, Nomination, nomination_id, "nomination"))
