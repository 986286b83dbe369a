"""Partner contact lists and ward rosters as they really arrive: encodings, separators, broken quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from commmatters_desktop.core.enums import AgencyKind, PersonRole
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.people_queries import agency_rows, person_rows
from commmatters_desktop.core.services import wards
from commmatters_desktop.importers import people as importer
from commmatters_desktop.importers.csvfile import parse_csv, read_csv
from commmatters_desktop.storage.vault import Vault

DATA = Path(__file__).resolve().parents[1] / "data" / "people"


@pytest.fixture
def hulme(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05011368", name="Hulme", la_name="Manchester")
        wards.create_ward(s, code="E05011372", name="Moss Side", la_name="Manchester")


def test_a_latin1_crlf_contact_list_imports_once(vault: Vault, hulme: None) -> None:
    parsed = importer.read_people(DATA / "partner-contacts-latin1.csv", "contacts")
    assert parsed.mapping["agency"] == "organisation" and parsed.mapping["wards"] == "wards_covered"
    assert parsed.problems == [(6, "the agency is empty")]
    assert [r.agency for r in parsed.contacts][3] == "St Mary’s Primary"  # cp1252's curly apostrophe
    assert [r.kind for r in parsed.contacts] == [AgencyKind.LOCAL_AUTHORITY, AgencyKind.HOUSING, AgencyKind.FIRE,
                                                 AgencyKind.SCHOOL]  # fmt: skip
    with vault.unit_of_work() as s:
        first = importer.apply_contacts(s, parsed.contacts)
    assert (first.agencies_added, first.people_added, first.links_added) == (
        3,
        3,
        4,
    )  # the fire row: bad ward
    assert first.skipped == [(4, "there is no ward 'E05099999' in the vault (import the wards first)")]
    with vault.unit_of_work() as s:
        reread = importer.read_people(DATA / "partner-contacts-latin1.csv", "contacts")
        again = importer.apply_contacts(s, reread.contacts)
    assert (again.agencies_added, again.people_added, again.people_updated, again.links_added) == (0, 0, 0, 0)
    with vault.reading() as s:
        council = next(a for a in agency_rows(s) if a.name == "Manchester City Council")
        assert council.wards == ["E05011368", "E05011372"] and council.contacts == [
            "Priya Shah (ASB officer)"
        ]


def test_a_roster_with_a_bom_marks_the_ward_officer(vault: Vault, hulme: None) -> None:
    parsed = importer.read_people(DATA / "ward-roster-bom.csv", "roster")
    assert parsed.mapping["ward_code"] == "ward" and parsed.mapping["title"] == "collar_number"
    assert parsed.problems == [
        (5, "the role 'Chief Superintendent-ish' is not PC, PCSO, sergeant, inspector or ward officer")
    ]
    for _ in range(2):
        with vault.unit_of_work() as s:
            summary = importer.apply_roster(s, parsed.roster)
    assert summary.people_added == summary.links_added == 0
    with vault.reading() as s:
        rows = {r.full_name: r for r in person_rows(s)}
    assert set(rows) == {"PC Dan Hughes", "Sam Patel", "Lee Ford"}  # Dan's second row matched by email
    assert (
        rows["PC Dan Hughes"].ward_officer_of == ["E05011368"]
        and rows["PC Dan Hughes"].role is PersonRole.CONSTABLE
    )
    assert rows["Sam Patel"].role is PersonRole.PCSO and rows["Lee Ford"].role is PersonRole.SERGEANT


def test_the_officer_can_map_columns_by_hand(vault: Vault, hulme: None) -> None:
    table = parse_csv("Where,Who,Grade,Lead?\nHulme,Jo Sharp,Police Community Support Officer,Y\n", "x.csv")
    guessed = importer.guess_mapping("roster", table.headers)
    assert guessed["ward_code"] is None
    with pytest.raises(
        UserError, match=r"no column for ward code, name \(its columns are: where, who, grade, lead\)"
    ):
        importer.parse_people(table, "roster")
    mapping = {**guessed, "ward_code": "where", "name": "who", "role": "grade", "ward_officer": "lead"}
    (record,) = importer.parse_people(table, "roster", mapping).roster
    assert (record.role, record.ward_officer, record.ward) == (PersonRole.PCSO, True, "Hulme")


def test_semicolon_files_are_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes("Organisation;Contact;Email\r\nCouncil;Priya;p@example.org\r\n".encode("cp1252"))
    with pytest.raises(UserError, match=r"separated by semicolons \(;\), not commas"):
        read_csv(path)
    path.write_text("ward\tname\trole\nHulme\tJo\tPC\n")
    with pytest.raises(UserError, match="separated by tabs"):
        read_csv(path)


def test_an_unbalanced_quote_is_reported_by_line_not_swallowed(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        'agency,name,role\nCouncil,Priya Shah,ASB officer\nOne Manchester,"Tom Okafor,Housing\n'
        "GMFRS,Jo Lee,Advisor\nSchool,Ann Brown,Head\n"
    )
    table = read_csv(path)
    assert [r.values["name"] for r in table.rows] == ["Priya Shah"], "the good row before the quote comes in"
    ((line, reason),) = table.problems
    assert line == 3 and "not closed" in reason and "lines 3-5" in reason and "fix the quote" in reason
    path.write_text('agency,name\nCouncil,"Priya" Shah\n')
    with pytest.raises(UserError, match="line 2 is not valid CSV"):
        read_csv(path)


def test_a_quoted_cell_over_two_lines_is_still_one_row(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text('agency,name,wards\nCouncil,Priya Shah,"Hulme;\nMoss Side"\nGMFRS,Jo Lee,Hulme\n')
    table = read_csv(path)
    assert [(r.line, r.values["name"]) for r in table.rows] == [(2, "Priya Shah"), (4, "Jo Lee")]
    (first, _second) = importer.parse_people(table, "contacts").contacts
    assert first.wards == ["Hulme", "Moss Side"]


def test_an_unknown_kind_is_a_bad_row_but_a_blank_one_is_guessed() -> None:
    table = parse_csv("agency,kind,name\nBolton NHS Trust,,Ann\nX Ltd,Spaceship,Bob\n", "k.csv")
    parsed = importer.parse_people(table, "contacts")
    assert [r.kind for r in parsed.contacts] == [AgencyKind.HEALTH]
    assert parsed.problems[0][0] == 3 and "the kind 'Spaceship' is not one of" in parsed.problems[0][1]
