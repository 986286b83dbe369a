"""data.police.uk street-level crime files, exactly as downloaded, counted by force, month, ward and type.

The files have 12 columns (``Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
LSOA code, LSOA name, Crime type, Last outcome category, Context``). What real files hold, and how each
is counted:

* a crime has a Crime ID (a hash); the same ID seen twice (an exact duplicate row, or the same month
  in two files) counts **once**;
* anti-social behaviour rows have no Crime ID and no outcome: **each row counts**, identical or not
  (police.uk snaps incidents to the same anonymised point, so identical ASB rows are separate reports);
* ``On or near`` with no street, and a missing location, are normal; only the LSOA matters;
* a row whose LSOA is not in the lookup lies outside the force's wards: skipped, with the reason;
* a row with no LSOA (police.uk could not place it), no month or no crime type: skipped, with the reason.

A folder is searched (recursively) for ``*.csv`` files and ``.zip`` archives as data.police.uk gives
them; files that are not street-level files (outcomes, stop and search) are set aside with a reason.
Reading is streamed, with a progress callback that may cancel, and touches no database: the caller
stores the tally in one transaction (:mod:`commmatters_desktop.core.services.crime`).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.importers.csvfile import normalise_header, read_csv

ASB = "Anti-social behaviour"
REQUIRED = ("crime_id", "month", "reported_by", "lsoa_code", "crime_type")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
#: Rows between progress reports (and chances to cancel).
PROGRESS_EVERY = 20_000
MAX_EXAMPLES = 25

#: Called with (bytes read so far, total bytes); return False to cancel.
Progress = Callable[[int, int], bool]


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("The crime import was cancelled; nothing was changed.")


@dataclass(frozen=True)
class WardOf:
    code: str
    la_code: str


@dataclass
class CrimeTally:
    """What a set of files says, aggregated, plus everything that was left out and why."""

    #: (force, month, ward code, crime type) → count
    counts: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    la_of_ward: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    crimes: int = 0
    asb: int = 0
    duplicates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[str, int, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    files_skipped: list[tuple[str, str]] = field(default_factory=list)

    def skip(self, source: str, line: int, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append((source, line, reason))

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def months(self) -> list[tuple[str, str]]:
        return sorted({(force, month) for force, month, _w, _c in self.counts})

    def as_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "files_skipped": [{"file": f, "reason": r} for f, r in self.files_skipped],
            "rows_read": self.rows,
            "crimes_counted": self.crimes,
            "asb_counted": self.asb,
            "duplicate_crime_ids": self.duplicates,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_examples": [{"file": f, "line": n, "reason": r} for f, n, r in self.examples],
            "months": [{"force": f, "month": m} for f, m in self.months()],
        }


# --- lookups ------------------------------------------------------------------------------------------------


def read_lsoa_lookup(path: Path) -> dict[str, WardOf]:
    """An ONS LSOA-to-ward lookup (``LSOAyyCD``, ``WDyyCD``, optional ``LADyyCD``; any vintage and case)."""
    table = read_csv(path)
    lsoa = table.column(r"lsoa\d{2}cd")
    ward = table.column(r"wd\d{2}cd")
    la = table.column(r"lad\d{2}cd")
    if lsoa is None or ward is None:
        raise UserError(
            f"{table.source} is not an LSOA-to-ward lookup: it needs LSOAyyCD and WDyyCD columns "
            f"(its columns are: {table.describe_headers()})."
        )
    lookup = {
        row.get(lsoa).upper(): WardOf(row.get(ward).upper(), row.get(la).upper())
        for row in table.rows
        if row.get(lsoa) and row.get(ward)
    }
    if not lookup:
        raise UserError(f"{table.source} has a header but no LSOAs in it.")
    return lookup


# --- files --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    name: str
    size: int
    open: Callable[[], IO[bytes]]


def expand(paths: Iterable[Path]) -> list[_Source]:
    """Files, folders (searched recursively) and zip archives, as a flat, ordered list of CSV sources."""
    sources: list[_Source] = []
    for path in paths:
        if not path.exists():
            raise UserError(f"There is no file or folder at {path}. Check the name and try again.")
        candidates = (
            sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".zip"))
            if path.is_dir()
            else [path]
        )
        if path.is_dir() and not candidates:
            raise UserError(f"{path} holds no CSV files or zip archives from data.police.uk.")
        for file in candidates:
            if file.suffix.lower() == ".zip":
                sources.extend(_zip_members(file))
            else:
                sources.append(_Source(str(file.name), file.stat().st_size, _opener(file)))
    return sources


def _opener(file: Path) -> Callable[[], IO[bytes]]:
    return lambda: open(file, "rb")


def _zip_members(file: Path) -> list[_Source]:
    try:
        with zipfile.ZipFile(file) as archive:
            members = [
                i for i in archive.infolist() if i.filename.lower().endswith(".csv") and not i.is_dir()
            ]
    except zipfile.BadZipFile:
        raise UserError(f"{file.name} is not a readable zip archive; download it again.") from None

    def member(name: str) -> Callable[[], IO[bytes]]:
        def open_member() -> IO[bytes]:
            archive = zipfile.ZipFile(file)
            handle = archive.open(name)
            handle_close = handle.close

            def close() -> None:
                handle_close()
                archive.close()

            handle.close = close  # type: ignore[method-assign]
            return handle

        return open_member

    return [_Source(f"{file.name}/{i.filename}", i.file_size, member(i.filename)) for i in sorted(
        members, key=lambda i: i.filename)]  # fmt: skip


# --- counting -----------------------------------------------------------------------------------------------


def tally_files(
    paths: Iterable[Path], lookup: dict[str, WardOf], *, progress: Progress | None = None
) -> CrimeTally:
    """Read every street-level file under ``paths`` and count it; see the module docstring for the rules."""
    sources = expand(paths)
    total = sum(s.size for s in sources) or 1
    tally = CrimeTally()
    seen_ids: set[str] = set()
    done = 0
    for source in sources:
        with source.open() as raw:
            _tally_one(source.name, raw, lookup, tally, seen_ids, progress, done, total)
        done += source.size
        if progress is not None and not progress(done, total):
            raise ImportCancelled()
    if not tally.files:
        reasons = "; ".join(f"{f}: {r}" for f, r in tally.files_skipped[:3])
        raise UserError(f"None of the files is a data.police.uk street-level crime file ({reasons}).")
    return tally


def _tally_one(
    name: str,
    raw: IO[bytes],
    lookup: dict[str, WardOf],
    tally: CrimeTally,
    seen_ids: set[str],
    progress: Progress | None,
    done_before: int,
    total: int,
) -> None:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
    try:
        _count_rows(name, raw, csv.reader(text), lookup, tally, seen_ids, progress, done_before, total)
    finally:
        text.detach()  # the caller closes the file; the wrapper must not


def _count_rows(
    name: str,
    raw: IO[bytes],
    reader: Iterator[list[str]],
    lookup: dict[str, WardOf],
    tally: CrimeTally,
    seen_ids: set[str],
    progress: Progress | None,
    done_before: int,
    total: int,
) -> None:
    try:
        header = next(reader, None)
    except csv.Error as exc:
        tally.files_skipped.append((name, f"not valid CSV ({exc})"))
        return
    columns = [normalise_header(h) for h in header or []]
    if not all(c in columns for c in REQUIRED):
        tally.files_skipped.append(
            (name, "not a street-level crime file (no Crime ID, Month, Reported by, LSOA code, Crime type)")
        )
        return
    tally.files.append(name)
    width = len(columns)
    i_id, i_month, i_force, i_lsoa, i_type = (columns.index(c) for c in REQUIRED)
    counts, la_of_ward, skip = tally.counts, tally.la_of_ward, tally.skip
    rows = _rows(reader, name, tally)
    for line, cells in rows:
        tally.rows += 1
        if tally.rows % PROGRESS_EVERY == 0 and progress is not None:
            tell = getattr(raw, "tell", None)
            position = done_before + (tell() if tell else 0)
            if not progress(min(position, total), total):
                raise ImportCancelled()
        if len(cells) != width:
            skip(name, line, f"{len(cells)} columns instead of {width}")
            continue
        month = cells[i_month].strip()
        if not _MONTH.fullmatch(month):
            skip(name, line, "no month (YYYY-MM)")
            continue
        kind = cells[i_type].strip()
        if not kind:
            skip(name, line, "no crime type")
            continue
        lsoa = cells[i_lsoa].strip().upper()
        if not lsoa:
            skip(name, line, "no LSOA: police.uk could not place it")
            continue
        ward = lookup.get(lsoa)
        if ward is None:
            skip(name, line, "outside the force's wards (LSOA not in the lookup)")
            continue
        crime_id = cells[i_id].strip()
        if crime_id:
            if crime_id in seen_ids:
                tally.duplicates += 1
                continue
            seen_ids.add(crime_id)
        if kind == ASB:
            tally.asb += 1
        else:
            tally.crimes += 1
        counts[(cells[i_force].strip(), month, ward.code, kind)] += 1
        la_of_ward[ward.code] = ward.la_code


def _rows(reader: Iterator[list[str]], name: str, tally: CrimeTally) -> Iterator[tuple[int, list[str]]]:
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            tally.skip(name, line + 1, f"not valid CSV ({exc})")
            return
        line += 1
        if cells and any(cells):
            yield line, cells
