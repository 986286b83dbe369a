"""Record ids ordered by time (UUID version 7, RFC 9562), and the vault's settings for long builds."""

from __future__ import annotations

import random
import uuid

from sqlalchemy import select

from commmatters_desktop.core import changes, ids
from commmatters_desktop.core.enums import AgencyKind
from commmatters_desktop.core.models import AuditEvent, Ward
from commmatters_desktop.core.services import people, wards
from commmatters_desktop.storage.vault import Vault

MOMENT_MS = 1_795_000_000_000  # 2026-11-18, a frozen clock's millisecond


def test_an_id_is_a_version_7_uuid_whose_first_48_bits_are_the_millisecond() -> None:
    made = ids.IdSource.seeded(1, MOMENT_MS)()
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert made.int >> 80 == MOMENT_MS


def test_ids_increase_within_one_millisecond_and_when_the_clock_steps_back() -> None:
    moments = iter([MOMENT_MS] * 500 + [MOMENT_MS - 5_000] * 500 + [MOMENT_MS + 1] * 10)
    source = ids.IdSource(lambda: next(moments), random.Random(3).getrandbits)
    made = [source() for _ in range(1010)]
    assert made == sorted(made) and len(set(made)) == 1010
    assert [str(i) for i in made] == sorted(str(i) for i in made)  # as the vault stores and compares them
    assert made[999].int >> 80 == MOMENT_MS  # a clock set back never moves ids back


def test_a_full_counter_moves_on_to_the_next_millisecond() -> None:
    """2**41 ids or more in one millisecond (a frozen clock): the timestamp is borrowed from the next."""
    source = ids.IdSource(lambda: MOMENT_MS, random.Random(5).getrandbits)
    first = source()
    source._counter = (1 << 42) - 1  # as after 2**41 ids in the same millisecond
    made = [source(), source()]
    assert [i.int >> 80 for i in made] == [MOMENT_MS + 1, MOMENT_MS + 1]
    assert [first, *made] == sorted([first, *made])


def test_a_seeded_source_repeats_itself_and_the_system_one_does_not() -> None:
    one, two = ids.IdSource.seeded("force", MOMENT_MS), ids.IdSource.seeded("force", MOMENT_MS)
    assert [one() for _ in range(5)] == [two() for _ in range(5)]
    assert ids.IdSource.seeded("other", MOMENT_MS)() != ids.IdSource.seeded("force", MOMENT_MS)()
    system = ids.IdSource()
    assert system() != system()


def test_new_records_and_audit_events_get_time_ordered_ids_from_the_source_in_use(vault: Vault) -> None:
    expected = ids.IdSource.seeded(7, MOMENT_MS)
    with ids.use(ids.IdSource.seeded(7, MOMENT_MS)), vault.unit_of_work() as s:
        agency = people.create_agency(s, name="Borough Council", kind=AgencyKind.LOCAL_AUTHORITY)
    with vault.reading() as s:
        uid = s.scalars(select(AuditEvent.uid).where(AuditEvent.row_id == str(agency.id))).one()
    assert agency.id == expected()  # the record's key first, then its audit event's
    assert uuid.UUID(uid) == expected()
    later = ids.new_id()  # the system clock and randomness again after the block
    assert later.version == 7 and later.int >> 80 > MOMENT_MS


def _pragmas(vault: Vault) -> tuple[int, int, int]:
    with vault.engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            int(connection.exec_driver_sql(f"PRAGMA {name}").scalar() or 0)
            for name in ("cache_size", "synchronous", "wal_autocheckpoint")
        )


def test_building_keeps_a_large_cache_across_bulk_units_and_restores_the_usual_settings(vault: Vault) -> None:
    usual = _pragmas(vault)
    assert usual[1:] == (2, 1000)  # 2 = FULL: every commit waits for the disk
    with vault.building(cache_mib=256):
        with vault.unit_of_work() as unit, changes.bulk(unit) as s:
            wards.create_ward(s, code="E05990102", name="Built Ward")
        assert _pragmas(vault) == (-256 * 1024, 1, 65536)  # kept after the bulk unit ended
    assert _pragmas(vault) == usual
    with vault.reading() as s:
        assert s.scalars(select(Ward.name).where(Ward.code == "E05990102")).one() == "Built Ward"
