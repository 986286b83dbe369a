"""Nominations for the meeting screens, with what a public screen may show."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from commmatters_desktop.core.enums import (
    Channel,
    NominationStatus,
)
from commmatters_desktop.core.models import (
    Nomination,
    Ward,
    natural_id,
)

# --- nominations and the panel meeting ------------------------------------------------------------------------


#: What a public screen shows for a nomination whose public wording is not approved yet.
AWAITING_APPROVAL = "(wording awaiting the officer's approval)"


@dataclass(frozen=True)
class NominationRow:
    id: uuid.UUID
    ward_code: str
    ward_name: str
    cycle: str
    wording: str
    #: What a public screen may show: the approved public wording, or a notice that it awaits approval.
    display: str
    #: True when something in the resident's wording looks like personal data (see ``suspects``).
    masked: bool
    category: str
    channel: Channel
    support: int
    combined_support: int
    #: Support per channel, this nomination and any merged into it.
    channels: dict[str, int]
    votes: int | None
    status: NominationStatus
    reason: str
    merged_into: uuid.UUID | None
    raised_on: dt.date | None
    #: The public wording is approved (and neither it nor the resident's wording changed since).
    approved: bool = False
    #: The app's masked draft, offered for approval; never shown in public until approved.
    suggested: str = ""
    #: What the detector suspects in the resident's wording (highlighted on the officer's screen).
    suspects: tuple[str, ...] = ()

    @property
    def raised_through(self) -> str:
        """Where its support came from: "survey" when one channel raised all of it (never "survey 19"
        beside a support of 19), "panel 9, online 30" when several did."""
        if len(self.channels) == 1:
            return next(iter(self.channels)).lower()
        return ", ".join(f"{name.lower()} {count}" for name, count in self.channels.items())

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("wording")  # the raw wording may hold personal data: exported only as masked
        data.pop("suspects")
        data.update(
            id=str(self.id), channel=self.channel.value, status=self.status.value,
            merged_into=str(self.merged_into) if self.merged_into else None,
            raised_on=self.raised_on.isoformat() if self.raised_on else None,
        )  # fmt: skip
        return data


def nomination_rows(session: Session, *, cycle: str, ward_code: str | None = None) -> list[NominationRow]:
    from commmatters_desktop.core import privacy, public

    query = (
        select(Nomination)
        .join(Ward, Ward.id == Nomination.ward_id)
        .where(
            Nomination.deleted.is_(False),
            Nomination.cycle_id == natural_id("cycle", cycle),
            Ward.deleted.is_(False),
        )
        .options(joinedload(Nomination.ward))
        .order_by(Ward.la_name, Ward.name, Nomination.support.desc())
    )
    if ward_code:
        query = query.where(Ward.code == ward_code.strip().upper())
    found = list(session.scalars(query).unique())
    scanner = privacy.scanner(session)
    merged: dict[uuid.UUID, list[Nomination]] = defaultdict(list)
    for n in found:
        if n.merged_into_id is not None:
            merged[n.merged_into_id].append(n)
    rows = []
    for n in found:
        family = [n, *merged.get(n.id, [])]
        channels: dict[str, int] = defaultdict(int)
        for member in family:
            channels[member.channel.label] += member.support
        findings = scanner.scan(n.wording)
        approved = bool(n.public_wording) and public.approved(session, n, "public_wording")
        display = n.public_wording if approved else AWAITING_APPROVAL
        rows.append(
            NominationRow(
                id=n.id, ward_code=n.ward.code, ward_name=n.ward.name, cycle=cycle, wording=n.wording,
                display=display, masked=bool(findings), category=n.category, approved=approved,
                suggested=privacy.mask(n.wording, findings), suspects=tuple(f.text for f in findings),
                channel=n.channel, support=n.support, combined_support=sum(m.support for m in family),
                channels=dict(channels), votes=n.votes, status=n.status, reason=n.reason,
                merged_into=n.merged_into_id, raised_on=n.raised_on,
            )
        )  # fmt: skip
    return rows
