"""The audit trail is tamper-evident: delete, edit or re-order rows (even with the vault key and the
append-only triggers dropped) and ``audit verify`` and ``check`` say so; export records its reason."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from commmatters_desktop import cli
from commmatters_desktop.core import audit
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import PersonRole
from commmatters_desktop.core.models import AuditEvent
from commmatters_desktop.core.services import people, wards
from commmatters_desktop.storage.engine import connect_raw
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False)
    return code, out.getvalue(), err.getvalue()


def fill(vault: Vault) -> None:
    with vault.unit_of_work("PC 1234 Khan") as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        for n in range(4):
            person = people.create_person(s, full_name=f"Resident Number{n}", role=PersonRole.PANEL_MEMBER)
            people.assign(s, ward=ward, person=person, role=PersonRole.PANEL_MEMBER)


def tamper(vault: Vault, *statements: str) -> None:
    """What someone holding the key could do with a SQLCipher shell."""
    connection = connect_raw(vault.db_path, vault._key)
    try:
        connection.execute("DROP TRIGGER audit_event_no_update")
        connection.execute("DROP TRIGGER audit_event_no_delete")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def problems(vault: Vault) -> list[str]:
    with vault.reading() as s:
        return [p.message for p in audit.verify(s, vault.audit_key)]


def test_an_untouched_trail_verifies(vault: Vault) -> None:
    fill(vault)
    assert problems(vault) == [] and vault.check() == []


SWAP = (
    "UPDATE audit_event SET id = -1 WHERE id = 3",
    "UPDATE audit_event SET id = 3 WHERE id = 4",
    "UPDATE audit_event SET id = 4 WHERE id = -1",
)


@pytest.mark.parametrize(
    ("how", "statements", "expected"),
    [
        ("delete", ("DELETE FROM audit_event WHERE id = 3",), "events 3 to 3 are missing"),
        ("edit", ("UPDATE audit_event SET actor = 'someone else' WHERE id = 2",), "event 2"),
        ("re-order", SWAP, "does not follow the one before it"),
        ("delete the newest", ("DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)",),
         "the newest events were removed"),
        ("unsealed insert", ("INSERT INTO audit_event (at, actor, device, action, entity, row_id, summary, uid, mac)"
                             " SELECT at, actor, device, 'delete', entity, row_id, '', 'x', '' FROM audit_event"
                             " WHERE id = 1",), "has no seal"),
    ],
)  # fmt: skip
def test_tampering_is_detected(
    vault: Vault, clock: FixedClock, how: str, statements: tuple[str, ...], expected: str
) -> None:
    fill(vault)
    tamper(vault, *statements)
    found = problems(vault)
    assert any(expected in p for p in found), (how, found)
    assert any(p.startswith("audit trail:") for p in vault.check())
    folder = vault.folder
    vault.close()
    code, out, _ = run(clock, "--data-dir", folder, "audit", "verify")
    assert code == 1 and "tampered" in out
    code, _, _ = run(clock, "--data-dir", folder, "check")
    assert code == 1


def test_the_key_is_needed_to_rebuild_the_chain(vault: Vault) -> None:
    """Re-sealing with any other key (say, a guess at the vault key itself) does not verify."""
    fill(vault)
    with vault.reading() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    forged, previous = [], ""
    for row in rows:
        previous = audit.seal(vault._key, previous, row)
        forged.append(f"UPDATE audit_event SET mac = '{previous}' WHERE id = {row.id}")
    tamper(vault, *forged)
    assert problems(vault)


def test_list_filters_and_export_records_its_reason(vault: Vault, clock: FixedClock, tmp_path: Path) -> None:
    fill(vault)
    folder = vault.folder
    vault.close()
    code, out, _ = run(clock, "--data-dir", folder, "audit", "list", "--ward", "E05000650", "--json")
    assert code == 0
    rows: list[dict[str, Any]] = json.loads(out)
    assert {r["action"] for r in rows} >= {"assign", "create"}
    assert all("Resident" not in r["summary"] for r in rows)  # the trail names roles, not residents
    code, out, _ = run(clock, "--data-dir", folder, "audit", "list", "--person", "nobody at all")
    assert code == 0 and out.strip() == "No events match."
    code, _, err = run(clock, "--data-dir", folder, "audit", "export", "--out", tmp_path / "a.csv")
    assert code == 1 and "--reason" in err
    code, _, _ = run(clock, "--data-dir", folder, "audit", "export", "--out", tmp_path / "a.csv",
                     "--reason", "DPO review 2026")  # fmt: skip
    assert code == 0
    exported = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8-sig"))))
    assert len(exported) == len(rows)
    with Vault.open(folder, keystore=KeyringStore(), clock=clock) as reopened, reopened.reading() as s:
        newest = audit.events(s, limit=1)[0]
        assert newest["action"] == "export audit" and "DPO review 2026" in newest["summary"]
        assert [p.message for p in audit.verify(s, reopened.audit_key)] == []
