"""Feedback to those who took part: per channel, what to send back once a priority is being worked.

Only the priority's approved public wording is used (``public_issue``, ``public_action``: what the
leaflet prints), with the panel's date, the ward's engagement link and team route. Online channels
(Nextdoor, Neighbourhood Alert) get the message and nothing about anyone; the key individual mailing
carries the one thing that channel needs besides: the name and email of each key individual who gave
consent, prefers email and was contacted this quarter. The text passes the leaflet's privacy gate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from commmatters_desktop.core import privacy
from commmatters_desktop.core.changes import audit_event
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.enums import ContactChannel, PriorityStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import KinContact, Priority, Ward, natural_id
from commmatters_desktop.core.services import kin

#: Channel key (as typed on the command line) → what it is.
CHANNELS: dict[str, str] = {
    "nextdoor": "Nextdoor post",
    "alert": "Neighbourhood Alert message",
    "kin-email": "Email to the ward's key individuals",
}
#: A priority is fed back once it is being acted on, and until it is closed.
ELIGIBLE = frozenset(
    {PriorityStatus.IN_ACTION, PriorityStatus.ASSESSING, PriorityStatus.FEEDBACK_GIVEN, PriorityStatus.CLOSED}
)
NEXTDOOR_LIMIT = 2000


@dataclass(frozen=True)
class FeedbackMessage:
    ward_code: str
    ward_name: str
    subject: str
    body: str
    link: str
    #: (name, email): only for the key individual mailing.
    recipients: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class FeedbackExport:
    channel: str
    cycle: str
    messages: list[FeedbackMessage] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def headers(self) -> list[str]:
        if self.channel == "kin-email":
            return ["name", "email", "ward_code", "subject", "message"]
        return ["ward_code", "ward", "subject", "message", "link"]

    def rows(self) -> list[list[str]]:
        if self.channel == "kin-email":
            return [
                [name, email, m.ward_code, m.subject, m.body]
                for m in self.messages
                for name, email in m.recipients
            ]
        return [[m.ward_code, m.ward_name, m.subject, m.body, m.link] for m in self.messages]

    def as_json(self) -> dict[str, object]:
        return {
            "channel": self.channel,
            "cycle": self.cycle,
            "rows": [dict(zip(self.headers(), row, strict=True)) for row in self.rows()],
            "skipped": [{"ward_code": code, "reason": reason} for code, reason in self.skipped],
        }


def check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise UserError(f"There is no feedback channel '{channel}': use one of {', '.join(CHANNELS)}.")
    return channel


def feedback_export(
    session: Session,
    *,
    cycle: str,
    channel: str,
    today: dt.date,
    ward_code: str | None = None,
    demo: bool = False,
) -> FeedbackExport:
    code = CycleCode.parse(cycle)
    result = FeedbackExport(check_channel(channel), str(code))
    query = (
        select(Priority)
        .join(Ward, Ward.id == Priority.ward_id)
        .where(
            Priority.cycle_id == natural_id("cycle", str(code)),
            Priority.deleted.is_(False),
            Priority.status.in_(ELIGIBLE),
        )
        .options(joinedload(Priority.ward), joinedload(Priority.meeting))
        .order_by(Ward.name)
    )
    if ward_code:
        query = query.where(Ward.code == ward_code.strip().upper())
    names = privacy.scanner(session)
    for priority in session.scalars(query).unique():
        ward = priority.ward
        try:
            _cleared(session, priority, ward)
            message = _message(priority, ward, code, names, demo)
            if channel == "kin-email":
                message = _with_recipients(session, message, ward, code, today)
        except UserError as exc:
            result.skipped.append((ward.code, exc.message))
            continue
        result.messages.append(message)
    if ward_code and not result.messages and not result.skipped:
        result.skipped.append(
            (
                ward_code.upper(),
                f"no priority in {code} is in action or later, so there is nothing to feed back",
            )
        )
    return result


def _cleared(session: Session, priority: Priority, ward: Ward) -> None:
    """The one gate (``core.public``): "You said" and "We did" must be approved public wording."""
    from commmatters_desktop.core import public

    pieces = [
        public.piece("You said", priority, "public_issue"),
        public.piece("We did", priority, "public_action"),
    ]
    refusals = public.check(
        session, [p for p in pieces if p.text], allow=[ward.team_contact, ward.engagement_url]
    )
    if refusals:
        raise UserError(
            "the wording is not cleared for public use: it holds personal data or is not approved ("
            + "; ".join(r.describe() for r in refusals)
            + "): approve it in the SARA plan's Feedback tab or with 'public approve'"
        )


def _message(
    priority: Priority, ward: Ward, code: CycleCode, names: privacy.Scanner, demo: bool
) -> FeedbackMessage:
    issue, action = priority.public_issue.strip(), priority.public_action.strip()
    if not issue or not action:
        raise UserError(
            "no approved public wording yet: fill in 'You said' and 'We did' in the SARA plan's Feedback tab"
        )
    agreed = priority.meeting.held_on if priority.meeting else priority.agreed_on
    lines = [f"You said: {issue}", f"We did: {action}"]
    if agreed:
        lines.append(f"The ward panel agreed this priority on {in_words(agreed)}.")
    if ward.engagement_url:
        lines.append(f"Find out more and have your say: {ward.engagement_url}")
    if ward.team_contact:
        lines.append(f"Contact the ward team: {ward.team_contact}")
    body = "\n".join(lines)
    findings = names.scan(body, allow=[ward.team_contact, ward.engagement_url])
    if findings:
        listed = ", ".join(f"'{f.text}' ({f.label})" for f in findings)
        raise UserError(
            f"the wording holds personal data ({listed}): redact it in the SARA plan's Feedback tab"
        )
    subject = f"{'DEMO: ' if demo else ''}You said, we did: {ward.name}, {code.start:%B} to {code.end:%B %Y}"
    return FeedbackMessage(ward.code, ward.name, subject, body[:NEXTDOOR_LIMIT], ward.engagement_url)


def _with_recipients(
    session: Session, message: FeedbackMessage, ward: Ward, code: CycleCode, today: dt.date
) -> FeedbackMessage:
    """Key individuals of the ward who consented, prefer email, and took part this quarter."""
    took_part = set(
        session.scalars(
            select(KinContact.person_id).where(
                KinContact.deleted.is_(False),
                KinContact.ward_id == ward.id,
                KinContact.contacted_on >= code.start,
                KinContact.contacted_on <= min(code.end, today),
            )
        )
    )
    people = [
        p
        for p in kin.ward_key_individuals(session, ward)
        if p.consent_on is not None and p.email and p.preferred_contact in ("", ContactChannel.EMAIL.value)
    ]
    recipients = [(p.full_name, p.email) for p in people if p.id in took_part]
    if not recipients:
        raise UserError(
            "no key individual who consented and prefers email took part this quarter (log their contacts first)"
        )
    return FeedbackMessage(
        message.ward_code, message.ward_name, message.subject, message.body, message.link, recipients
    )


def holds_personal_data(export: FeedbackExport) -> bool:
    """Only the key-individual mailing list names people (their names and email addresses)."""
    return any(m.recipients for m in export.messages)


def record_export(session: Session, export: FeedbackExport, *, target: str, reason: str) -> None:
    """A mailing list of residents leaving the machine is recorded with its reason (DPA: accountability).

    Exports without personal data (the public wording for Nextdoor or a website) are not recorded.
    """
    if not holds_personal_data(export):
        return
    if not reason.strip():
        raise UserError(
            "This export holds key individuals' names and email addresses: give the reason for it "
            "(it is recorded in the audit trail)."
        )
    count = sum(len(m.recipients) for m in export.messages)
    audit_event(session, "export personal data", "person", "",
                f"{count} key individuals' names and email addresses for {export.cycle} feedback to "
                f"{target}: {reason.strip()}")  # fmt: skip


def to_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM and CRLF: what Excel and mail-merge tools open without asking."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
