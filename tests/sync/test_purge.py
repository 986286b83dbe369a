"""Retention and purge on three laptops: after a purge and a round of syncs, the purged text is in no file
under any vault folder or the shared folder: not in plain bytes, not in the decrypted database pages
(free pages and the WAL included), not in any decrypted change file or snapshot, nor in later backups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select

from commmatters_desktop.core import retention
from commmatters_desktop.core.enums import ActionKind, Channel, PersonRole
from commmatters_desktop.core.models import Action, Nomination, Person, Priority, SaraPlan, WardRole
from commmatters_desktop.core.services import common, engagement, people, priorities, wards
from commmatters_desktop.sync import files
from commmatters_desktop.sync.engine import team_keys
from commmatters_desktop.sync.purge import purge
from tests.sync.conftest import TEAM_PASSPHRASE

PAGE, RESERVE = 4096, 80
PLANTED = (
    "Brzęczyszczykiewicz",
    "Plimsoll-Vane",
    "07700 900777",
    "wojtek.b@example.org",
    "Featherstonehaugh",
)
KEPT = "Astley Bridge"


def decrypt_pages(data: bytes, key: bytes, *, offset: int = 0, stride: int = PAGE) -> bytes:
    """SQLCipher 4 pages (AES-256-CBC, IV in the reserved tail) decrypted with the raw vault key."""
    out = []
    for start in range(offset, len(data) - PAGE + 1, stride):
        page = data[start : start + PAGE]
        body_from = 16 if start == 0 and offset == 0 else 0
        iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        out.append(decryptor.update(page[body_from : PAGE - RESERVE]) + decryptor.finalize())
    return b"".join(out)


def decrypted_vault(folder: Path, key: bytes) -> bytes:
    found = []
    for path in folder.rglob("*.db"):
        found.append(decrypt_pages(path.read_bytes(), key))
    for wal in folder.rglob("*-wal"):
        data = wal.read_bytes()
        found.append(
            decrypt_pages(data, key, offset=32 + 24, stride=PAGE + 24)
        )  # frame header, then the page
    return b"\n".join(found)


def decrypted_shared(shared: Path, laptop: Any) -> str:
    team = team_keys(laptop.vault, shared, TEAM_PASSPHRASE)
    texts = []
    for path in (shared / files.ROOT).rglob("*"):
        if path.is_file() and path.suffix in (".cmchange", ".cmsnap"):
            change_file = files.decode(path.read_bytes(), team_id=team.team_id, keys=team.keys)
            texts += [c.value + str(json.loads(c.value)) for c in change_file.changes]
    return "\n".join(texts)


def backups_of(laptop: Any) -> Path:
    return laptop.folder.parent / f"backups-{laptop.name}"


def everywhere(laptops: list[Any], shared: Path) -> list[tuple[str, str]]:
    """(where, planted string) for every trace found."""
    found = []
    roots = [laptop.folder for laptop in laptops] + [backups_of(laptop) for laptop in laptops] + [shared]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                for planted in PLANTED:
                    for encoded in (planted.encode(), planted.encode("utf-16-le")):
                        if encoded in raw:
                            found.append((str(path), planted))
    for laptop in laptops:
        key = laptop.vault._key
        plain = decrypted_vault(laptop.folder, key) + decrypted_vault(backups_of(laptop), key)
        assert KEPT.encode() in plain  # the decryption works: kept data is visible
        for planted in PLANTED:  # as stored in a column, and as the change log's JSON escapes it
            if planted.encode() in plain or json.dumps(planted)[1:-1].encode() in plain:
                found.append((f"{laptop.name}: decrypted database", planted))
        shared_text = decrypted_shared(shared, laptop)
        for planted in PLANTED:
            if planted in shared_text:
                found.append((f"{laptop.name}: decrypted shared files", planted))
    return found


def plant(laptop: Any) -> None:
    with laptop.vault.unit_of_work("PC A") as s:
        ward = wards.create_ward(s, code="E05000650", name=KEPT, la_name="Bolton")
        member = people.create_person(s, full_name="Wojciech Brzęczyszczykiewicz", role=PersonRole.PANEL_MEMBER,
                                      phone="07700 900777", email="wojtek.b@example.org")  # fmt: skip
        people.assign(s, ward=ward, person=member, role=PersonRole.PANEL_MEMBER)
        nomination = engagement.nominate(s, ward=ward, wording="Bikes again, ask Bronwen Featherstonehaugh",
                                         channel=Channel.ONLINE, cycle="2026-Q4")  # fmt: skip
        p = priorities.propose(s, ward=ward, title="Off-road bikes", cycle="2026-Q4")
        del nomination
        s.flush()
        plan = SaraPlan(priority_id=p.id, victim="Mrs Plimsoll-Vane at the corner")
        s.add(plan)
        p.closed_on = laptop.clock.today()


def mention(laptop: Any, **fields: str) -> None:
    """An officer on ``laptop`` writes the member's name into their own notes (not personal fields)."""
    with laptop.vault.unit_of_work(laptop.name) as s:
        p = s.scalars(select(Priority)).one()
        if "description" in fields:
            s.add(Action(priority_id=p.id, description=fields["description"], kind=ActionKind.PREVENTION))
        if "problem" in fields:
            p.plan.problem_statement = fields["problem"]  # type: ignore[union-attr]


def test_purge_reaches_every_file_on_three_laptops(laptops: list[Any], shared: Path) -> None:
    a, b, c = laptops
    plant(a)
    for laptop in (a, b, c):
        laptop.sync(shared)
    # Names in officers' notes go with the person: written on laptops other than the one that purges.
    mention(b, description="Ring Wojciech Brzęczyszczykiewicz about the gate; Brzęczyszczykiewicz rang back")
    mention(c, problem="Mr Brzęczyszczykiewicz says the bikes cut through at night")
    for laptop in (b, c, a, b, c):
        laptop.sync(shared)
    before = everywhere(laptops, shared)  # the planted data really is everywhere first
    for laptop in laptops:
        assert {(f"{laptop.name}: decrypted database", p) for p in PLANTED} <= set(before)
        assert (f"{laptop.name}: decrypted shared files", "Brzęczyszczykiewicz") in before
    with a.vault.unit_of_work("PC A") as s:  # the member leaves the panel
        for role in s.scalars(select(WardRole)):
            common.tombstone(s, role)
    for laptop in laptops:
        laptop.clock.advance(days=800)
    with a.vault.reading() as s:
        due = retention.due(s, a.clock.today())
    assert {d.rule for d in due} == {"panel", "sara", "wording"}
    assert all("Brzęczyszczykiewicz" not in d.label for d in due)  # the review list names no one
    purge(a.vault, due, reason="Quarterly retention review")
    for laptop in (a, b, c, a, b, c):
        laptop.sync(shared)
    for laptop in laptops:
        backups_of(laptop).mkdir()
        assert laptop.vault.backup(backups_of(laptop)).exists()
    assert everywhere(laptops, shared) == []
    with c.vault.reading() as s:
        person = s.scalars(select(Person)).one()
        assert person.full_name == retention.PURGED and person.phone == retention.PURGED
        assert s.scalars(select(Nomination)).one().wording == retention.PURGED
        assert s.scalars(select(Priority)).one().title == "Off-road bikes"  # not personal: kept
        assert retention.due(s, c.clock.today()) == []
        notes = [a.description for a in s.scalars(select(Action))] + [
            s.scalars(select(SaraPlan)).one().problem_statement
        ]
        assert notes == [
            "Ring [name removed] about the gate; [name removed] rang back",
            "Mr [name removed] says the bikes cut through at night",
        ]
