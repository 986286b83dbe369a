"""Quarterly cycles as records: created on first use so any command can name a quarter."""

from __future__ import annotations

from sqlalchemy.orm import Session

from commmatters_desktop.core.changes import get, today
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.models import Cycle, natural_id


def cycle(session: Session, code: str | CycleCode | None = None) -> Cycle:
    """The cycle for ``code`` (default: the quarter containing today), created if it is new."""
    if code is None:
        parsed = CycleCode.containing(today(session))
    else:
        parsed = code if isinstance(code, CycleCode) else CycleCode.parse(code)
    record = get(session, Cycle, natural_id("cycle", str(parsed)))
    if record is None:
        record = Cycle(id=natural_id("cycle", str(parsed)), code=str(parsed))
        session.add(record)
    elif record.deleted:
        record.deleted = False
    return record
