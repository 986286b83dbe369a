"""The audit trail travels with sync: every laptop ends with every event, once, in its own sealed chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from commmatters_desktop.core import audit
from commmatters_desktop.core.models import AuditEvent
from commmatters_desktop.core.services import wards


def uids(laptop: Any) -> dict[str, str]:
    with laptop.vault.reading() as s:
        return {e.uid: e.device for e in s.scalars(select(AuditEvent))}


def test_three_laptops_share_one_trail_and_each_chain_verifies(laptops: list[Any], shared: Path) -> None:
    a, b, c = laptops
    with a.vault.unit_of_work("PC A") as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
    with b.vault.unit_of_work("PC B") as s:
        wards.create_ward(s, code="E05000651", name="Bradshaw", la_name="Bolton")
    for laptop in (a, b, c, a, b, c):
        laptop.sync(shared)
    trails = [uids(laptop) for laptop in (a, b, c)]
    assert trails[0] == trails[1] == trails[2]
    devices = set(trails[0].values())
    assert {a.vault.device_id, b.vault.device_id} <= devices
    for laptop in (a, b, c):
        with laptop.vault.reading() as s:
            assert audit.verify(s, laptop.vault.audit_key) == []
    # Syncing again brings nothing twice.
    before = len(trails[0])
    c.sync(shared)
    assert len(uids(c)) == before


def test_a_lost_laptops_trail_survives_on_the_others(laptops: list[Any], shared: Path) -> None:
    a, b, _c = laptops
    with a.vault.unit_of_work("PC A") as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        wards.update_ward(s, ward=ward, name="Astley Bridge North")
    a.sync(shared)
    lost = {uid for uid, device in uids(a).items() if device == a.vault.device_id}
    a.vault.close()
    b.sync(shared)
    assert lost <= set(uids(b))
