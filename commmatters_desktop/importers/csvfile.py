"""Reading real-world CSV files: BOMs, CRLF, Excel's Latin-1, UTF-16, headers in any case.

Whatever the encoding, the reader returns clean text rows keyed by a normalised header, each
with the line number a user will find in a spreadsheet, or raises a :class:`UserError` that says
what is wrong with the file as a whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from commmatters_desktop.core.errors import UserError

MAX_BYTES = 200 * 1024 * 1024


def normalise_header(name: str) -> str:
    """``" WD22CD "`` → ``"wd22cd"``; ``"Support count"`` → ``"support_count"``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


def decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UserError(
            f"{source} is not a text CSV file (it contains binary data). Export it as CSV and try again."
        )
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding if encoding == "utf-16" else "utf-8-sig", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; cp1252 is Latin-1 plus curly quotes.
        return data.decode("cp1252", errors="replace")


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]

    def get(self, column: str | None) -> str:
        return self.values.get(column, "").strip() if column else ""


@dataclass(frozen=True)
class CsvTable:
    source: str
    headers: list[str]
    rows: list[CsvRow]
    #: Rows not taken, each with its line and why (every importer reports these with its own).
    problems: list[tuple[int, str]] = field(default_factory=list)

    def column(self, *patterns: str) -> str | None:
        """The first header matching one of the regular expressions, preferring the newest vintage."""
        for pattern in patterns:
            matches = sorted((h for h in self.headers if re.fullmatch(pattern, h)), reverse=True)
            if matches:
                return matches[0]
        return None

    def describe_headers(self) -> str:
        return ", ".join(self.headers) if self.headers else "none"


def guess_columns(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    """Each field's column by the names real exports use (regular expressions, first match wins)."""
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for name, patterns in aliases.items():
        found = next(
            (h for alias in patterns for h in headers if h not in taken and re.fullmatch(alias, h)), None
        )
        mapping[name] = found
        if found:
            taken.add(found)
    return mapping


def read_csv(path: Path) -> CsvTable:
    source = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UserError(
                f"{source} is larger than {MAX_BYTES // 2**20} MB; split it and import the parts."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"There is no file at {path}. Check the name and folder.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder, not a CSV file.") from None
    except PermissionError:
        raise UserError(f"{path} cannot be read: permission denied.") from None
    return parse_csv(decode(data, source), source)


def parse_csv(text: str, source: str) -> CsvTable:
    # strict: an unclosed quote is an error at its line, not every later row read into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    headers: list[str] = []
    rows: list[CsvRow] = []
    started = [1]
    problems: list[tuple[int, str]] = []
    try:
        for line, cells in _records(reader, started):
            if not headers:
                headers = [normalise_header(c) for c in cells]
                _check_separator(cells, source)
                continue
            swallowed = _swallowed_rows(cells, len(headers))
            if swallowed:
                last = line + sum(c.rstrip("\n").count("\n") for c in cells)
                problems.append(
                    (
                        line,
                        f'a quote (") opened on this line is not closed, so lines {line}-{last} ran together '
                        f"into one field ({swallowed} of them look like rows of their own); none of them was "
                        "imported: fix the quote and import the file again",
                    )
                )
                continue
            values = {h: cells[i] if i < len(cells) else "" for i, h in enumerate(headers) if h}
            rows.append(CsvRow(line, values))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc) and headers:
            # The rows before the quote are good and come in; from the quote to the end nothing does.
            last = text.count("\n") + (0 if text.endswith("\n") else 1)
            problems.append(
                (
                    started[0],
                    f'a quote (") opened on this line is not closed, so lines {started[0]}-{last} ran '
                    "together into one field; none of them was imported: fix the quote and import the file "
                    "again",
                )
            )
            return CsvTable(source, headers, rows, problems)
        raise UserError(
            f"{source} line {started[0]} is not valid CSV ({exc}): check its quotes and import again; "
            "nothing was imported."
        ) from None
    if not headers:
        raise UserError(f"{source} is empty: there is no header row.")
    return CsvTable(source, headers, rows, problems)


def _swallowed_rows(cells: list[str], columns: int) -> int:
    """How many lines inside this record's fields look like rows of the file (an unbalanced quote
    swallows the rows after it into one field). A field may legitimately hold a line break, such as
    an address; it is only suspect when a line in it splits into as many cells as the header."""
    if columns < 2:
        return 0
    count = 0
    for cell in cells:
        for text in cell.splitlines()[1:]:
            parts = next(csv.reader([text]), [])
            if len(parts) >= columns and parts[0].strip():
                count += 1
    return count


_SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}


def _check_separator(header: list[str], source: str) -> None:
    """A one-column header holding another separator: Excel in a European locale, or a TSV file."""
    if len(header) != 1:
        return
    for separator, name in _SEPARATORS.items():
        if separator in header[0]:
            raise UserError(
                f"{source} is separated by {name}, not commas. Save it as 'CSV (comma delimited)' "
                "(or open it in a spreadsheet and export it as CSV) and import again; nothing was imported."
            )


def _records(reader: Iterator[list[str]], started: list[int]) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the line each starts on; ``started`` tracks the record being read."""
    for cells in reader:
        here = started[0]
        started[0] = getattr(reader, "line_num", here) + 1
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are common in hand-edited files
        yield here, cells
