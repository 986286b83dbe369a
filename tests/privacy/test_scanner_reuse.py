"""The privacy scanner's automaton is built once and reused by later units of work until the names
the vault holds change: an added, renamed or purged person is never scanned with a stale automaton."""

from __future__ import annotations

import datetime as dt

from commmatters_desktop.core import changes, privacy, retention
from commmatters_desktop.core.enums import PersonRole
from commmatters_desktop.core.models import Person
from commmatters_desktop.core.services import people
from commmatters_desktop.storage.vault import Vault


def _held(vault: Vault, text: str) -> list[str]:
    """The held names the next unit of work's scanner finds in ``text``."""
    with vault.unit_of_work() as s:
        return [f.text for f in privacy.scanner(s).scan(text) if f.kind == "name"]


def _scanner(vault: Vault) -> privacy.Scanner:
    with vault.reading() as s:
        return privacy.scanner(s)


def test_later_units_reuse_the_automaton_until_a_person_is_added_renamed_or_purged(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        zelda = people.create_person(s, full_name="Zelda Marchbanks", role=PersonRole.PANEL_MEMBER).id
    built = _scanner(vault)
    assert _scanner(vault) is built  # nothing changed: the same automaton, not a new one
    assert _held(vault, "Ask Zelda Marchbanks") == ["Zelda Marchbanks"]

    with vault.unit_of_work() as s:
        quentin = people.create_person(s, full_name="Quentin Ashdown", role=PersonRole.KEY_INDIVIDUAL).id
    assert _scanner(vault) is not built
    assert _held(vault, "Quentin Ashdown called again") == ["Quentin Ashdown"]

    with vault.unit_of_work() as s:
        person = s.get(Person, quentin)
        assert person is not None
        people.update_person(s, person=person, full_name="Quentin Ashworth")
    assert _held(vault, "Quentin Ashworth called again") == ["Quentin Ashworth"]
    assert _held(vault, "Quentin Ashdown called again") == []  # the old name is no longer held

    with vault.unit_of_work() as s:
        item = retention.Due("person", str(zelda), "panel", "panel member", ("full_name",),
                             dt.date(2020, 1, 1), dt.date(2022, 1, 1))  # fmt: skip
        retention.order_purge(s, [item], reason="Erasure request")
    assert _held(vault, "Ask Zelda Marchbanks") == []
    assert _held(vault, "Quentin Ashworth called again") == ["Quentin Ashworth"]


def test_a_name_added_in_a_bulk_unit_is_caught_by_its_next_scan(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        people.create_person(s, full_name="Orla Penhallow", role=PersonRole.PANEL_CHAIR)
    _scanner(vault)
    with vault.unit_of_work() as unit, changes.bulk(unit) as s:
        held = [
            f.text for f in privacy.scanner(s).scan("Orla Penhallow, Idris Vantongeren") if f.kind == "name"
        ]
        assert held == ["Orla Penhallow"]
        people.create_person(s, full_name="Idris Vantongeren", role=PersonRole.KEY_INDIVIDUAL)
        found = [f.text for f in privacy.scanner(s).scan("Ask Idris Vantongeren") if f.kind == "name"]
        assert found == ["Idris Vantongeren"]
