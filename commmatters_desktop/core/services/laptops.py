"""The team's laptops by name: set at a laptop's first sync, shown wherever another laptop is meant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.changes import audit
from commmatters_desktop.core.models import Laptop, natural_id
from commmatters_desktop.core.services.common import required


def name_laptop(session: Session, *, device_id: str, name: str) -> Laptop:
    """Give this laptop the name colleagues will see (for example "PC Shaw's laptop, Bolton")."""
    cleaned = required(name, "Give the laptop a name colleagues will recognise.")[:80]
    laptop = session.get(Laptop, natural_id("laptop", device_id))
    if laptop is None:
        laptop = Laptop(id=natural_id("laptop", device_id), device_id=device_id, name=cleaned)
        session.add(laptop)
    else:
        laptop.name = cleaned
    audit(session, "name laptop", laptop, cleaned)
    return laptop


def laptop_name(session: Session, device_id: str) -> str:
    """The laptop's name, or a short form of its id when it has not named itself yet."""
    found = session.scalar(
        select(Laptop.name).where(Laptop.device_id == device_id, Laptop.deleted.is_(False))
    )
    return found or (f"laptop {device_id[:6]}" if device_id else "another laptop")
