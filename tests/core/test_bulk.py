"""A bulk unit of work (imports, the demo and force-scale builders) records exactly what a normal one does."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop.core import audit, changes, privacy
from commmatters_desktop.core.enums import PersonRole
from commmatters_desktop.core.models import AuditEvent, ChangeLog, FieldClock, PublicApproval, Ward
from commmatters_desktop.core.services import people, wards
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault
from tests.benchmarks import forcescale


def _history(vault: Vault, code: str) -> list[tuple[str, str, bool]]:
    """(field, value, has a base) of every change-log row of the ward, in order."""
    with vault.reading() as s:
        ward = s.scalars(select(Ward).where(Ward.code == code)).one()
        rows = s.scalars(select(ChangeLog).where(ChangeLog.row_id == str(ward.id)).order_by(ChangeLog.seq))
        return [(r.field, r.value, bool(r.base)) for r in rows]


def _make_and_edit(vault: Vault, code: str, *, bulk: bool) -> None:
    with vault.unit_of_work() as unit:
        s = unit
        if bulk:
            s = changes.bulk(unit).__enter__()
        ward = wards.create_ward(s, code=code, name="Bulk Ward")
        s.flush()
        ward.name = "Bulk Ward North"
        s.flush()
        ward.name = "Bulk Ward South"
        ward.notes = "edited twice in one unit"


def test_a_bulk_unit_writes_the_same_change_log_and_field_clocks(vault: Vault) -> None:
    _make_and_edit(vault, "E05990001", bulk=False)
    _make_and_edit(vault, "E05990002", bulk=True)
    plain, bulk = _history(vault, "E05990001"), _history(vault, "E05990002")
    assert [(f, b) for f, _v, b in plain] == [(f, b) for f, _v, b in bulk]
    assert [v for f, v, _b in bulk if f == "name"][-1] == '"Bulk Ward South"'
    with vault.reading() as s:
        last = s.scalars(
            select(ChangeLog).where(ChangeLog.field == "name").order_by(ChangeLog.seq.desc())
        ).first()
        assert last is not None
        clock = s.get(FieldClock, ("ward", last.row_id, "name"))
        assert clock is not None and clock.stamp == last.stamp
        previous = s.scalars(
            select(ChangeLog.stamp)
            .where(ChangeLog.row_id == last.row_id, ChangeLog.field == "name", ChangeLog.seq < last.seq)
            .order_by(ChangeLog.seq.desc())
        ).first()
        assert last.base == previous  # the edit names the stamp it replaced, as outside a bulk unit


def test_the_names_a_bulk_unit_protects_follow_the_people_it_adds(vault: Vault) -> None:
    with vault.unit_of_work() as unit, changes.bulk(unit) as s:
        assert "Zara Quinnell" not in privacy.protected_names(s)
        people.create_person(s, full_name="Zara Quinnell", role=PersonRole.PANEL_MEMBER)
        assert "Zara Quinnell" in privacy.protected_names(s)
        assert privacy.scan("Ask Zara Quinnell about it", privacy.protected_names(s))
        person = people.create_person(s, full_name="Yann Pellow", role=PersonRole.KEY_INDIVIDUAL)
        person.full_name = "Yannick Pellow"  # an edit not yet flushed is seen too
        assert "Yannick Pellow" in privacy.protected_names(s)


def test_audit_events_in_a_bulk_unit_keep_one_sealed_chain_and_its_head(vault: Vault) -> None:
    with vault.unit_of_work() as unit, changes.bulk(unit) as s:
        for n in range(5):
            wards.create_ward(s, code=f"E0599100{n}", name=f"Chain Ward {n}")
    with vault.reading() as s:
        assert audit.verify(s, vault.audit_key) == []
        assert len(s.scalars(select(AuditEvent)).all()) >= 5


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _written(folder: Path) -> dict[str, Counter[tuple[object, ...]]]:
    """Everything the services wrote, without what differs by chance (random ids, stamps' order)."""
    with Vault.open(folder, keystore=KeyringStore(), clock=forcescale.clock()) as vault, vault.reading() as s:
        assert audit.verify(s, vault.audit_key) == []
        log = s.execute(select(ChangeLog.entity, ChangeLog.field, ChangeLog.value, ChangeLog.base))
        approvals = s.scalars(select(PublicApproval))
        return {
            "change log": Counter((e, f, _UUID.sub("<id>", v), bool(b)) for e, f, v, b in log),
            "field clocks": Counter(tuple(r) for r in s.execute(select(FieldClock.entity, FieldClock.field))),
            "audit": Counter(
                (a.action, a.entity, _UUID.sub("<id>", a.summary)) for a in s.scalars(select(AuditEvent))
            ),
            "approvals": Counter((a.entity, a.field, a.text_hash, a.source_hash) for a in approvals),
        }


def test_the_force_builder_writes_the_same_rows_in_bulk_and_plain_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every service the generator, imports and the demo use (meetings, nominations, decisions, plans,
    actions, moves, approvals, feedback), in bulk units and in plain ones: the same rows."""
    forcescale.build(tmp_path / "bulk", wards_count=3, cycle_count=2)
    monkeypatch.setattr(forcescale.changes, "bulk", contextlib.nullcontext)
    forcescale.build(tmp_path / "plain", wards_count=3, cycle_count=2)
    bulk, plain = _written(tmp_path / "bulk"), _written(tmp_path / "plain")
    for what in plain:
        assert bulk[what] == plain[what], what
    assert sum(plain["change log"].values()) > 1000
