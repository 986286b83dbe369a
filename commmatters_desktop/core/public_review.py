"""Everything a ward's public outputs for a quarter would refuse, in one list to approve from.

The gate (:mod:`core.public`) refuses at the moment an output is made; an officer preparing for a
panel or the end of a quarter wants the whole list first: the leaflet ("You said, we did"), the
projector and minutes of each panel meeting that quarter, and the quarterly report and police.uk
export (the priority's "You said" and "We did"). One refusal per text, whichever surface found it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import public
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.errors import NotFound, UserError
from commmatters_desktop.core.leaflets import leaflet_content
from commmatters_desktop.core.meeting import agenda
from commmatters_desktop.core.models import PanelMeeting, Ward, natural_id
from commmatters_desktop.core.services.priorities import agreed_priority


def pending(
    session: Session, *, ward_code: str, cycle: str, today: dt.date, demo: bool
) -> list[public.Refusal]:
    """What stands between this ward's quarter and its public outputs, each text once."""
    code = str(CycleCode.parse(cycle))
    ward = session.scalars(
        select(Ward).where(Ward.code == ward_code.upper(), Ward.deleted.is_(False))
    ).first()
    if ward is None:
        raise NotFound(
            f"There is no ward {ward_code.upper()} in the vault. Check the code with 'wards list'."
        )
    found: list[public.Refusal] = []
    try:
        leaflet_content(session, ward_code=ward.code, cycle=code, today=today, force_name="", demo=demo)
    except public.NotPublic as refused:
        found += refused.refusals
    except UserError:
        pass  # no agreed priority yet, or nothing done: there is no leaflet to refuse
    meetings = session.scalars(
        select(PanelMeeting)
        .where(PanelMeeting.ward_id == ward.id, PanelMeeting.deleted.is_(False))
        .where(PanelMeeting.cycle_id == natural_id("cycle", code))
        .order_by(PanelMeeting.held_on)
    )
    for meeting in meetings:
        found += agenda(session, meeting.id, today=today, demo=demo).pending
    priority = agreed_priority(session, ward_id=ward.id, cycle_id=natural_id("cycle", code))
    if priority is not None:
        pieces = [
            public.piece("Quarterly report and police.uk", priority, f)
            for f in ("public_issue", "public_action")
        ]
        found += public.check(session, [p for p in pieces if p.text], allow=[ward.team_contact])
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for refusal in found:
        if refusal.piece.key not in seen:
            seen.add(refusal.piece.key)
            unique.append(refusal)
    return unique


def wards(session: Session) -> list[tuple[str, str]]:
    """(label, code) of every live ward, for choosing which ward's quarter to review."""
    rows = session.execute(select(Ward.name, Ward.code).where(Ward.deleted.is_(False)).order_by(Ward.name))
    return [(f"{name} ({code})", code) for name, code in rows]
