"""Engagement: nominations from the community and the ward panel meetings that decide on them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.enums import Channel, NominationStatus
from commmatters_desktop.core.errors import RuleViolation, ValidationError
from commmatters_desktop.core.models import Nomination, PanelMeeting, Ward
from commmatters_desktop.core.services import cycles
from commmatters_desktop.core.services.common import count, required


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
    record = Nomination(
        ward_id=ward.id,
        cycle_id=cycles.cycle(session, cycle).id,
        wording=required(wording, "Write down what the community raised."),
        channel=channel,
        category=category.strip(),
        support=support,
        raised_on=raised_on,
        source_ref=source_ref,
    )
    session.add(record)
    session.flush()
    audit(session, "nominate", record, f"{channel.label} nomination for {ward.name}")
    return record


def decline_nomination(session: Session, *, nomination: Nomination, reason: str) -> None:
    """The panel did not take it forward: the reason is kept so the community can be told why."""
    if nomination.status is not NominationStatus.OPEN:
        raise RuleViolation(f"That nomination is already {nomination.status.label}.")
    nomination.reason = required(reason, "Record why the panel did not take it forward.")
    nomination.status = NominationStatus.NOT_TAKEN_FORWARD
    audit(session, "decline", nomination, nomination.reason)


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
    session.flush()
    audit(session, "meeting", meeting, f"panel meeting for {ward.name} on {held_on.isoformat()}")
    return meeting
