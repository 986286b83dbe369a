"""What a "You said, we did" leaflet says, decided in one place (the PDF layout lives in reports/).

The content comes only from public fields: the priority's public wording, completed actions' notes,
measures and the ward's team contact route. Figures under 5 are shown as "fewer than 5". Before
anything is drawn, the whole text goes through the privacy gate; a finding refuses the leaflet
with a list of what to redact and where.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from commmatters_desktop.core import public
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.enums import FINISHED_ACTION, ActionKind, ActionStatus, Channel
from commmatters_desktop.core.errors import NotFound, UserError
from commmatters_desktop.core.models import PanelMeeting, Priority, natural_id
from commmatters_desktop.core.services.engagement import support_by_channel
from commmatters_desktop.core.services.priorities import agreed_priority
from commmatters_desktop.core.services.wards import ward_by_code

SMALL_NUMBER = 5
OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."
MAX_DONE_ITEMS = 8


@dataclass(frozen=True)
class Figure:
    """One before/after measure as residents will read it."""

    name: str
    unit: str
    before_label: str
    after_label: str
    before: float | None
    after: float | None
    #: False when a figure had to be suppressed (under 5), so no chart may show its true size.
    chartable: bool
    source: str


@dataclass(frozen=True)
class LeafletContent:
    force_name: str
    ward_name: str
    ward_code: str
    la_name: str
    cycle: str
    period: str
    you_said: str
    raised_by: int
    channels: list[str]
    we_did: list[tuple[str, list[str]]]
    summary_action: str
    figures: list[Figure]
    next_steps: list[str]
    next_meeting: str
    contact: str
    engagement_url: str
    show_ogl: bool
    demo: bool
    priority_id: object = field(default=None)
    #: Where each printed text comes from: what the gate checks (approved public wording only).
    pieces: list[public.Piece] = field(default_factory=list, compare=False, repr=False)


class PersonalDataFound(public.NotPublic):
    """A leaflet refused by the gate (the same gate as the minutes and the projector)."""

    def __init__(self, ward: str, refusals: list[public.Refusal]) -> None:
        super().__init__(f"The leaflet for {ward}", refusals)
        self.message += (
            " Approve or correct it with Review public wording… in the leaflet preview "
            "(or 'public approve' on the command line), then try again."
        )
        self.args = (self.message,)


def figure_text(value: float | None) -> str:
    if value is None:
        return "not yet measured"
    if value < SMALL_NUMBER:
        return f"fewer than {SMALL_NUMBER}"
    return f"{value:g}"


def quarter_period(code: str) -> str:
    cycle = CycleCode.parse(code)
    return f"{cycle.start:%B} to {cycle.end:%B %Y}"


def leaflet_content(
    session: Session, *, ward_code: str, cycle: str, today: dt.date, force_name: str, demo: bool
) -> LeafletContent:
    ward = ward_by_code(session, ward_code)
    if ward is None:
        raise NotFound(
            f"There is no ward {ward_code.upper()} in the vault. Check the code with 'wards list'."
        )
    priority = agreed_priority(
        session, ward_id=ward.id, cycle_id=natural_id("cycle", str(CycleCode.parse(cycle)))
    )
    if priority is None:
        raise UserError(
            f"{ward.name} has no agreed priority in {cycle}, so there is nothing to feed back yet."
        )
    priority = session.scalars(
        select(Priority)
        .where(Priority.id == priority.id)
        .options(selectinload(Priority.actions), selectinload(Priority.measures), selectinload(Priority.plan))
    ).one()

    support, channels = _support(session, priority)
    you_said = public.piece("You said", priority, "public_issue" if priority.public_issue else "title")
    pieces = [you_said]
    if priority.public_action:
        pieces.append(public.piece("We did", priority, "public_action"))
    done: dict[str, list[public.Piece]] = defaultdict(list)
    for action in priority.actions:
        if action.status is ActionStatus.DONE and action.kind is not ActionKind.FEEDBACK:
            owner = action.owner_agency.name if action.owner_agency else "Police"
            note = "completion_note" if action.completion_note else "description"
            done[owner].append(public.piece("We did", action, note, label=owner))
    we_did, shown = [], 0
    for agency in sorted(done):
        items = done[agency][: max(0, MAX_DONE_ITEMS - shown)]
        if items:
            we_did.append((agency, [item.text for item in items]))
            pieces += items
            shown += len(items)
    # The leaflet is itself the feedback: feedback actions are not "what happens next" for residents.
    steps = [
        public.piece("What happens next", a, "description")
        for a in priority.actions
        if a.status not in FINISHED_ACTION and a.kind is not ActionKind.FEEDBACK
    ][:5]
    pieces += steps
    next_steps = [step.text for step in steps]
    if priority.plan and priority.plan.outcome is not None and priority.plan.outcome.value != "achieved":
        next_steps.insert(
            0, "The work continues: the problem is not yet solved, and the ward team will keep at it."
        )
    pieces += [public.piece("What changed", m, "name") for m in priority.measures]
    figures = [
        Figure(
            name=m.name,
            unit=m.unit,
            before_label=m.baseline_period or "Before",
            after_label=m.after_period or "After",
            before=m.baseline_value,
            after=m.after_value,
            chartable=all(v is not None and v >= SMALL_NUMBER for v in (m.baseline_value, m.after_value)),
            source=m.source,
        )
        for m in priority.measures
    ]
    meeting = session.scalars(
        select(PanelMeeting)
        .where(PanelMeeting.ward_id == ward.id, PanelMeeting.deleted.is_(False), PanelMeeting.held_on > today)
        .order_by(PanelMeeting.held_on)
    ).first()
    if meeting is not None:
        pieces.append(public.piece("Get involved", meeting, "venue", label="where the panel meets"))
    content = LeafletContent(
        force_name=force_name,
        ward_name=ward.name,
        ward_code=ward.code,
        la_name=ward.la_name,
        cycle=str(CycleCode.parse(cycle)),
        period=quarter_period(cycle),
        you_said=you_said.text,
        raised_by=support,
        channels=channels,
        we_did=we_did,
        summary_action=priority.public_action,
        figures=figures,
        next_steps=next_steps,
        next_meeting=(
            f"The next ward panel meets on {in_words(meeting.held_on, weekday=True)} at {meeting.venue}. "
            "Everyone is welcome."
            if meeting else "Ask the ward team when the next ward panel meets: everyone is welcome."
        ),
        contact=ward.team_contact or "Call 101 (non-emergency) and ask for the neighbourhood team.",
        engagement_url=ward.engagement_url,
        show_ogl=any(_crime_source(f.source) for f in figures),
        demo=demo,
        priority_id=priority.id,
        pieces=pieces,
    )  # fmt: skip
    refusals = public.check(session, pieces, allow=[content.contact])
    if refusals:
        raise PersonalDataFound(ward.name, refusals)
    return content


def wards_with_feedback(session: Session, cycle: str) -> list[str]:
    """Ward codes whose agreed priority in ``cycle`` has feedback recorded: the batch's leaflets."""
    from commmatters_desktop.core.enums import AGREED_OR_LATER
    from commmatters_desktop.core.models import Feedback, Ward

    return list(
        session.scalars(
            select(Ward.code)
            .join(Priority, Priority.ward_id == Ward.id)
            .join(Feedback, Feedback.priority_id == Priority.id)
            .where(
                Priority.cycle_id == natural_id("cycle", str(CycleCode.parse(cycle))),
                Priority.deleted.is_(False),
                Priority.status.in_(AGREED_OR_LATER),
                Feedback.deleted.is_(False),
                Ward.deleted.is_(False),
            )
            .distinct()
            .order_by(Ward.code)
        )
    )


def record_distribution(
    session: Session, *, content: LeafletContent, file_hash: str, fmt_label: str, on: dt.date | None = None
) -> bool:
    """A leaflet going out is feedback given: record it with its hash (once per distinct file)."""
    from commmatters_desktop.core.enums import FeedbackChannel
    from commmatters_desktop.core.models import Feedback
    from commmatters_desktop.core.services import response
    from commmatters_desktop.core.services.common import fetch

    priority = fetch(session, Priority, content.priority_id, "priority")  # type: ignore[arg-type]
    already = session.scalars(
        select(Feedback).where(
            Feedback.priority_id == priority.id, Feedback.file_hash == file_hash, Feedback.deleted.is_(False)
        )
    ).first()
    if already is not None:
        return False
    response.record_feedback(
        session,
        priority=priority,
        channel=FeedbackChannel.LEAFLET,
        summary=f"'You said, we did' leaflet ({fmt_label}) for {content.ward_name}",
        given_on=on,
        file_hash=file_hash,
    )
    return True


def _crime_source(source: str) -> bool:
    lowered = source.lower()
    return any(word in lowered for word in ("police", "crime", "asb"))


def _support(session: Session, priority: Priority) -> tuple[int, list[str]]:
    """How many people raised it, and through which channels, in the leaflet's words."""
    if priority.nomination_id is None:
        return 0, []
    by_channel = support_by_channel(session, priority.nomination_id)
    words = {channel: CHANNEL_WORDS.get(channel, channel.label.lower()) for channel in by_channel}
    if len(by_channel) == 1:  # "raised by 36 people through a partner", never "(36)" again
        return sum(by_channel.values()), list(words.values())
    return sum(by_channel.values()), [f"{words[c]} ({count})" for c, count in sorted(by_channel.items())]


CHANNEL_WORDS = {
    Channel.PANEL: "at the ward panel",
    Channel.ONLINE: "online",
    Channel.SURVEY: "in a street survey",
    Channel.PARTNER: "through a partner",
    Channel.OFFICER: "to the ward officer",
}
