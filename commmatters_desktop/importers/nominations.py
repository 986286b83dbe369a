"""Nomination CSVs from online engagement: the generic format, or any poll export mapped by hand.

The generic format is ``ward_code,wording,category,support,source,date,reference`` with header names
in any case and order; extra columns are ignored. For any other export, the columns are guessed and
the officer confirms or changes the mapping in the app. Bad rows are reported by line; good rows
still import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from commmatters_desktop.core.enums import Channel
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services.engagement import NominationRecord
from commmatters_desktop.core.services.wards import check_ward_code
from commmatters_desktop.importers.csvfile import CsvTable, guess_columns, read_csv

FIELDS = ("ward_code", "wording", "category", "support", "source", "date", "reference")
#: Header names seen in real exports, per field (already normalised: lower case, underscores).
ALIASES: dict[str, tuple[str, ...]] = {
    "ward_code": ("ward_code", "ward", "wardcode", "ward_id", r"wd\d{2}cd"),
    "wording": ("wording", "nomination", "issue", "priority", "suggestion", "comment", "response", "text",
                "what_should_we_focus_on", "what_is_the_biggest_issue", "answer"),
    "category": ("category", "theme", "topic", "type"),
    "support": ("support", "votes", "count", "responses", "supporters", "number"),
    "source": ("source", "channel", "platform", "via"),
    "date": ("date", "submitted", "submitted_at", "created", "created_at", "timestamp"),
    "reference": ("reference", "ref", "id", "response_id", "submission_id"),
}  # fmt: skip
_NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}  # fmt: skip
_CHANNELS: tuple[tuple[str, Channel], ...] = (
    ("nextdoor", Channel.ONLINE),
    ("panel", Channel.PANEL), ("pact", Channel.PANEL), ("meeting", Channel.PANEL),
    ("survey", Channel.SURVEY), ("door", Channel.SURVEY), ("street", Channel.SURVEY),
    ("partner", Channel.PARTNER), ("council", Channel.PARTNER), ("school", Channel.PARTNER),
    ("officer", Channel.OFFICER), ("pcso", Channel.OFFICER), ("police", Channel.OFFICER),
    ("online", Channel.ONLINE), ("nextdoor", Channel.ONLINE), ("poll", Channel.ONLINE), ("web", Channel.ONLINE),
    ("email", Channel.ONLINE), ("facebook", Channel.ONLINE), ("alert", Channel.ONLINE), ("app", Channel.ONLINE),
)  # fmt: skip


@dataclass
class NominationFile:
    source: str
    headers: list[str]
    mapping: dict[str, str | None]
    records: list[NominationRecord] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def guess_mapping(headers: list[str]) -> dict[str, str | None]:
    """Each field's column, by the names real exports use; None where nothing fits."""
    return guess_columns(headers, {name: ALIASES[name] for name in FIELDS})


def read_nominations(path: Path, *, ward: str | None = None,
                     mapping: dict[str, str | None] | None = None) -> NominationFile:  # fmt: skip
    return parse_nominations(read_csv(path), ward=ward, mapping=mapping)


def parse_nominations(table: CsvTable, *, ward: str | None = None,
                      mapping: dict[str, str | None] | None = None) -> NominationFile:  # fmt: skip
    mapping = mapping or guess_mapping(table.headers)
    if not mapping.get("wording"):
        raise UserError(
            f"{table.source} has no column for the nomination's wording (its columns are: "
            f"{table.describe_headers()}). Use the generic header ward_code,wording,category,support,source,date,"
            "reference, or map the columns in the app. Nothing was imported."
        )
    if not mapping.get("ward_code") and not ward:
        raise UserError(
            f"{table.source} has no ward_code column: say which ward it is for with --ward CODE. Nothing was imported."
        )
    default_ward = check_ward_code(ward) if ward else None
    result = NominationFile(table.source, table.headers, mapping)
    result.problems.extend(table.problems)
    for row in table.rows:
        try:
            result.records.append(_record(row.line, row.get, mapping, default_ward))
        except UserError as exc:
            result.problems.append((row.line, exc.message))
    return result


def _record(
    line: int, get: object, mapping: dict[str, str | None], default_ward: str | None
) -> NominationRecord:
    def value(name: str) -> str:
        column = mapping.get(name)
        return get(column) if column else ""  # type: ignore[operator]

    wording = " ".join(value("wording").split())
    if not wording:
        raise UserError("the wording is empty")
    code = value("ward_code") or default_ward or ""
    if not code:
        raise UserError("the ward code is empty (give it in the file, or the ward with --ward)")
    return NominationRecord(
        line=line,
        ward_code=check_ward_code(code),
        wording=wording,
        channel=parse_channel(value("source")),
        support=parse_support(value("support")),
        category=value("category"),
        raised_on=parse_date(value("date")),
        reference=value("reference"),
    )


def parse_support(text: str) -> int:
    """ "12", "12 votes", "twelve", or blank (one person raised it)."""
    cleaned = text.strip().lower()
    if not cleaned:
        return 1
    digits = re.search(r"\d[\d,]*", cleaned)
    if digits:
        number = int(digits.group().replace(",", ""))
    elif cleaned.split()[0] in _NUMBERS:
        number = _NUMBERS[cleaned.split()[0]]
    else:
        raise UserError(f"the support '{text.strip()}' is not a number")
    if number < 1:
        raise UserError(f"the support '{text.strip()}' should be at least 1")
    return number


def parse_channel(text: str) -> Channel:
    """Where it came from, by whole words ("Nextdoor poll" is online, "door to door" a survey)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    if not words:
        return Channel.ONLINE
    return next((channel for word, channel in _CHANNELS if word in words), Channel.OTHER)


def parse_date(text: str) -> dt.date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                    "%d/%m/%Y %H:%M", "%d %B %Y", "%d %b %Y"):  # fmt: skip
        try:
            return dt.datetime.strptime(cleaned[:19] if "T" in cleaned else cleaned, pattern).date()
        except ValueError:
            continue
    raise UserError(f"the date '{cleaned}' is not a date (use 30/11/2026 or 2026-11-30)")
