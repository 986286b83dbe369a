"""Calendar invites (.ics) for the weeks of action and for partners' due actions.

Partners do not use the app: an .ics file gives them the dates in their own calendar. Each event has
a stable UID, so importing a newer file updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from icalendar import Calendar, Event

from commmatters_desktop import APP_TITLE
from commmatters_desktop.core.partner_actions import PartnerAction

_UID_NAMESPACE = uuid.UUID("2a0b6a47-3f7e-4d1a-b3b4-4c9f0d2f9a11")


def _event(
    uid: str,
    summary: str,
    start: dt.date,
    end: dt.date,
    description: str,
    stamp: dt.datetime,
    categories: list[str],
) -> Event:
    event = Event()
    event.add("uid", f"{uuid.uuid5(_UID_NAMESPACE, uid)}@commmatters-desktop")
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", stamp)
    event.add("description", description)
    event.add("categories", categories)
    event.add("transp", "TRANSPARENT")
    return event


def calendar(
    *,
    cycle: str,
    weeks: list[tuple[str, str, str, dt.date]],
    actions: list[PartnerAction],
    stamp: dt.datetime,
    force_name: str,
    demo: bool,
) -> bytes:
    """``weeks``: (ward code, ward name, priority title, Monday). Weeks run Monday to Friday."""
    cal = Calendar()
    cal.add("prodid", f"-//{APP_TITLE}//{force_name}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{'DEMO ' if demo else ''}Community Matters {cycle}")
    prefix = "DEMO: " if demo else ""
    for code, name, title, monday in weeks:
        cal.add_component(
            _event(
                f"week:{cycle}:{code}",
                f"{prefix}Week of action: {name} — {title}",
                monday,
                monday + dt.timedelta(days=5),
                f"Community Matters week of action for {name} ({code}), {cycle}: {title}.",
                stamp,
                ["Week of action"],
            )
        )
    for action in actions:
        if action.due_on is None:
            continue
        cal.add_component(
            _event(
                f"action:{action.id}",
                f"{prefix}Due: {action.description} ({action.ward_name})",
                action.due_on,
                action.due_on + dt.timedelta(days=1),
                f"{action.agency}: {action.description}\nWard: {action.ward_name} ({action.ward_code})\n"
                f"Priority: {action.priority} ({action.cycle})\nKind: {action.kind.label}",
                stamp,
                [action.agency, "Action due"],
            )
        )
    return bytes(cal.to_ical())
