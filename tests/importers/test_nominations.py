"""Nomination CSVs with real-world mess, and importing them twice."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from commmatters_desktop.core.enums import Channel
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.queries import nomination_rows
from commmatters_desktop.core.services import engagement
from commmatters_desktop.importers.csvfile import parse_csv
from commmatters_desktop.importers.nominations import (
    guess_mapping,
    parse_channel,
    parse_nominations,
    parse_support,
    read_nominations,
)
from commmatters_desktop.storage.vault import Vault

MESSY = (
    "Reference,WARD_CODE,Wording,Support,Source,Date,Category,Notes from the poll tool\r\n"
    'NX-1,E05000650,"Drug dealing in the park, every evening",12 votes,Nextdoor poll,2026-12-01,Drugs,x\r\n'
    "NX-2,e05000650,Drugs in Queens Park,twelve,Nextdoor,01/12/2026,Drugs,\r\n"
    "\r\n"
    "NX-3,E05000650,Speeding,lots,online,2026-12-02,Roads,\r\n"
    "NX-4,E05000650,,4,online,2026-12-02,,\r\n"
    "NX-5,E05000650,Litter by the shops,2,street survey,31/02/2026,,\r\n"
    'NX-6,E05000651,"Cars parked on the pavement, again",,panel,2026-12-03,Roads,\r\n'
)


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "poll.csv"
    path.write_bytes(data)
    return path


def test_bom_crlf_quoted_commas_blank_lines_extra_columns_and_text_counts(tmp_path: Path) -> None:
    parsed = read_nominations(write(tmp_path, codecs.BOM_UTF8 + MESSY.encode()))
    assert [(r.line, r.ward_code, r.wording, r.support, r.channel) for r in parsed.records] == [
        (2, "E05000650", "Drug dealing in the park, every evening", 12, Channel.ONLINE),
        (3, "E05000650", "Drugs in Queens Park", 12, Channel.ONLINE),
        (8, "E05000651", "Cars parked on the pavement, again", 1, Channel.PANEL),
    ]
    assert parsed.problems == [
        (5, "the support 'lots' is not a number"),
        (6, "the wording is empty"),
        (7, "the date '31/02/2026' is not a date (use 30/11/2026 or 2026-11-30)"),
    ]


def test_header_names_in_any_case_and_order_and_a_ward_given_separately() -> None:
    table = parse_csv("SUPPORT,Wording,source\n5,Fly-tipping behind the Co-op,Facebook\n", "poll.csv")
    parsed = parse_nominations(table, ward="e05000652")
    (record,) = parsed.records
    assert (record.ward_code, record.support, record.channel) == ("E05000652", 5, Channel.ONLINE)


def test_a_poll_export_is_mapped_by_its_own_names() -> None:
    headers = ["response_id", "submitted_at", "what_should_we_focus_on", "votes", "platform"]
    assert guess_mapping(headers) == {"ward_code": None, "wording": "what_should_we_focus_on", "category": None,
                                      "support": "votes", "source": "platform", "date": "submitted_at",
                                      "reference": "response_id"}  # fmt: skip


def test_files_without_wording_or_ward_are_refused_whole() -> None:
    with pytest.raises(UserError, match="no column for the nomination's wording"):
        parse_nominations(parse_csv("a,b\n1,2\n", "x.csv"))
    with pytest.raises(UserError, match="say which ward it is for with --ward CODE"):
        parse_nominations(parse_csv("wording\nSpeeding\n", "x.csv"))


@pytest.mark.parametrize(("text", "expected"), [("", 1), ("7", 7), ("1,204", 1204), ("12 votes", 12),
                                                 ("Twelve", 12), ("three people", 3)])  # fmt: skip
def test_support_as_people_write_it(text: str, expected: int) -> None:
    assert parse_support(text) == expected


@pytest.mark.parametrize(
    ("text", "channel"),
    [("Nextdoor poll", Channel.ONLINE), ("Door to door survey", Channel.SURVEY), ("PACT meeting", Channel.PANEL),
     ("Council", Channel.PARTNER), ("carrier pigeon", Channel.OTHER), ("", Channel.ONLINE)],
)  # fmt: skip
def test_channels_are_read_by_whole_words(text: str, channel: Channel) -> None:
    assert parse_channel(text) is channel


def test_importing_twice_adds_nothing_and_a_changed_count_is_merged(tmp_path: Path, vault: Vault) -> None:
    from commmatters_desktop.core.services import wards

    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge")
        wards.create_ward(s, code="E05000651", name="Bradshaw")
    path = write(tmp_path, MESSY.encode())
    with vault.unit_of_work() as s:
        first = engagement.import_nominations(s, read_nominations(path).records, cycle="2027-Q1")
    with vault.unit_of_work() as s:
        second = engagement.import_nominations(s, read_nominations(path).records, cycle="2027-Q1")
    assert (first.added, second.added, second.merged) == (3, 0, 0)
    assert second.skipped == [(2, "already imported"), (3, "already imported"), (8, "already imported")]
    path.write_bytes(MESSY.replace("12 votes", "15 votes").encode())
    with vault.unit_of_work() as s:
        third = engagement.import_nominations(s, read_nominations(path).records, cycle="2027-Q1")
    assert (third.added, third.merged) == (0, 1)
    with vault.reading() as s:
        assert sorted(r.support for r in nomination_rows(s, cycle="2027-Q1")) == [1, 12, 15]


def test_an_unbalanced_quote_is_reported_by_line_and_swallows_nothing(tmp_path: Path) -> None:
    """Issue 12: the open quote on line 3 used to swallow lines 4-5 into one wording, reported as success."""
    text = (
        "ward_code,wording,support\n"
        "E05000650,Speeding on Chorley Old Road,3\n"
        'E05000650,"Dog fouling by the school,2\n'
        "E05000650,Drugs in the park,5\n"
        "E05000651,Parking on the pavement,4\n"
    )
    parsed = read_nominations(write(tmp_path, text.encode()))
    assert [r.wording for r in parsed.records] == ["Speeding on Chorley Old Road"]
    ((line, reason),) = parsed.problems
    assert line == 3 and "lines 3-5" in reason and "not closed" in reason and "fix the quote" in reason


def test_a_line_break_inside_a_quoted_field_is_still_allowed(tmp_path: Path) -> None:
    text = 'ward_code,wording,support\nE05000650,"Speeding on Chorley Old Road\nnear the school",3\n'
    parsed = read_nominations(write(tmp_path, text.encode()))
    assert (
        parsed.problems == [] and parsed.records[0].wording == "Speeding on Chorley Old Road near the school"
    )
