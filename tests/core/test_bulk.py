"""A bulk unit of work (imports, the demo and force-scale builders) records exactly what a normal one does."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commmatters_desktop import demo
from commmatters_desktop.core import audit, changes, privacy
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import Channel, PersonRole
from commmatters_desktop.core.models import (
    AuditEvent,
    ChangeLog,
    FieldClock,
    Nomination,
    PublicApproval,
    Ward,
)
from commmatters_desktop.core.services import engagement, people, wards
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
    with vault.unit_of_work() as s, changes.bulk(s) if bulk else contextlib.nullcontext(s):
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
    with Vault.open(folder, keystore=KeyringStore(), clock=forcescale.clock()) as vault:
        return _written_in(vault)


def _written_in(vault: Vault) -> dict[str, Counter[tuple[object, ...]]]:
    """Everything the services wrote, without what differs by chance (random ids, stamps' order)."""
    with vault.reading() as s:
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
    # The generator's ids come from its seed and frozen clock, so the two builds name the same records:
    # the same rows to the id, and the same audit trail event by event.
    assert _exact(tmp_path / "bulk") == _exact(tmp_path / "plain")


def _exact(folder: Path) -> dict[str, object]:
    """What the vault holds, ids and all (only the change stamps, which name the device, left out)."""
    with Vault.open(folder, keystore=KeyringStore(), clock=forcescale.clock()) as vault, vault.reading() as s:
        log = s.execute(select(ChangeLog.entity, ChangeLog.row_id, ChangeLog.field, ChangeLog.value))
        trail = s.execute(
            select(
                AuditEvent.uid, AuditEvent.action, AuditEvent.entity, AuditEvent.row_id, AuditEvent.summary
            ).order_by(AuditEvent.id)
        )
        approvals = s.execute(select(PublicApproval.id, PublicApproval.row_id, PublicApproval.text_hash))
        return {
            "change log": Counter(tuple(r) for r in log),
            "field clocks": sorted(s.execute(select(FieldClock.entity, FieldClock.row_id, FieldClock.field))),
            "audit": [tuple(r) for r in trail],
            "approvals": sorted(tuple(r) for r in approvals),
        }


def test_the_force_builder_makes_the_same_vault_every_time_with_ids_in_creation_order(tmp_path: Path) -> None:
    """Fixed seed, frozen clock: two builds hold the same records under the same ids, and the ids
    (UUID version 7) sort in the order the records were made, so each unit's rows land together at
    the end of the indexes instead of at random places."""
    forcescale.build(tmp_path / "one", wards_count=2, cycle_count=1)
    forcescale.build(tmp_path / "two", wards_count=2, cycle_count=1)
    assert _exact(tmp_path / "one") == _exact(tmp_path / "two")
    with Vault.open(tmp_path / "one", keystore=KeyringStore(), clock=forcescale.clock()) as vault:
        with vault.reading() as s:
            created = [uuid.UUID(r) for r in s.scalars(select(ChangeLog.row_id).order_by(ChangeLog.seq))]
            uids = list(s.scalars(select(AuditEvent.uid).order_by(AuditEvent.id)))
    time_ordered = [i for i in dict.fromkeys(created) if i.version == 7]
    assert len(time_ordered) > 20  # every record but those with name-based ids (wards, imports, plans)
    assert time_ordered == sorted(time_ordered)  # first noted in the order they were made
    assert uids == sorted(uids) and {uuid.UUID(u).version for u in uids} == {7}


def _final_values(vault: Vault) -> Counter[tuple[str, str, str]]:
    """The last value the change log holds for each field of each row (ids masked)."""
    with vault.reading() as s:
        assert audit.verify(s, vault.audit_key) == []
        latest = (
            select(func.max(ChangeLog.seq)).group_by(ChangeLog.entity, ChangeLog.row_id, ChangeLog.field)
        ).scalar_subquery()
        rows = s.execute(
            select(ChangeLog.entity, ChangeLog.field, ChangeLog.value).where(ChangeLog.seq.in_(latest))
        )
        return Counter((e, f, _UUID.sub("<id>", v)) for e, f, v in rows)


def test_the_demo_force_built_in_bulk_holds_what_a_plain_build_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo (people, key individuals, surveys, crime, quarters of priorities) in one bulk unit: every
    field ends with the same value in the change log and field clocks, with the same audit trail and
    approvals. (A plain build also notes a survey wave's fields twice when a flush happens to fall
    between adding the wave and setting its quarter, which depends on when Python frees a cycle: the
    bulk unit holds what it loads, so that flush never falls there.)"""
    clock = FixedClock.on(dt.date(2026, 11, 21))
    with demo.build(tmp_path / "bulk", clock=clock) as bulk:
        in_bulk, bulk_rows = _final_values(bulk), _written_in(bulk)
    monkeypatch.setattr(demo.changes, "bulk", contextlib.nullcontext)
    with demo.build(tmp_path / "plain", clock=clock) as plain:
        in_plain, plain_rows = _final_values(plain), _written_in(plain)
    assert in_bulk == in_plain
    for what in ("field clocks", "audit", "approvals"):
        assert bulk_rows[what] == plain_rows[what], what


def _nomination_history(vault: Vault, ward_code: str) -> Counter[tuple[str, str, str, bool]]:
    with vault.reading() as s:
        ward = s.scalars(select(Ward).where(Ward.code == ward_code)).one()
        ids = [str(i) for i in s.scalars(select(Nomination.id).where(Nomination.ward_id == ward.id))]
        rows = s.execute(
            select(ChangeLog.entity, ChangeLog.field, ChangeLog.value, ChangeLog.base).where(
                ChangeLog.row_id.in_(ids)
            )
        )
        return Counter((e, f, _UUID.sub("<id>", v), bool(b)) for e, f, v, b in rows)


def test_an_import_runs_as_a_bulk_unit_and_writes_what_a_plain_one_writes(vault: Vault) -> None:
    records = [
        engagement.NominationRecord(n, "", f"Speeding on the main road, report {n}", Channel.ONLINE, 3 + n,
                                    reference=f"r{n}")
        for n in range(1, 6)
    ]  # fmt: skip
    for code in ("E05990101", "E05990102"):
        with vault.unit_of_work() as s:
            wards.create_ward(s, code=code, name=f"Import Ward {code[-1]}")
    plain = [dataclasses.replace(r, ward_code="E05990101") for r in records]
    bulk = [dataclasses.replace(r, ward_code="E05990102") for r in records]
    with vault.unit_of_work() as s:
        assert engagement.import_nominations.__wrapped__(s, plain, cycle=None).added == 5  # type: ignore[attr-defined]
    with vault.unit_of_work() as s:
        assert engagement.import_nominations(s, bulk, cycle=None).added == 5
        assert not changes.in_bulk(s)  # the bulk unit ends with the import
    assert _nomination_history(vault, "E05990101") == _nomination_history(vault, "E05990102")
    with vault.unit_of_work() as s:  # importing the same file again adds nothing, in bulk too
        assert engagement.import_nominations(s, bulk, cycle=None).added == 0


def test_a_bulk_unit_that_commits_before_it_ends_writes_its_history_with_the_commit(vault: Vault) -> None:
    with contextlib.ExitStack() as still_open:
        with vault.unit_of_work() as s:
            still_open.enter_context(changes.bulk(s))
            wards.create_ward(s, code="E05990201", name="Committed Ward")
        history = _history(vault, "E05990201")  # committed, though the bulk unit has not ended
        assert ("name", '"Committed Ward"', False) in history and ("code", '"E05990201"', False) in history
    with vault.reading() as s:
        assert audit.verify(s, vault.audit_key) == []
        assert s.scalars(select(AuditEvent).where(AuditEvent.summary.contains("E05990201"))).first()
