"""ONS ward lookups (WDyyCD, WDyyNM, LADyyCD, LADyyNM; any vintage, any case, extra columns allowed).

A ward-to-LSOA best-fit lookup has the same ward columns plus LSOAyyCD/LSOAyyNM, so the same
importer also records which LSOAs each ward covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services.wards import (
    ImportSummary,
    WardRecord,
    import_wards,
    set_lsoas,
    ward_by_code,
)
from commmatters_desktop.importers.csvfile import CsvTable, read_csv

WARD_CODE = r"wd\d{2}cd"
WARD_NAME = r"wd\d{2}nm"


@dataclass
class WardLookup:
    vintage: str
    wards: list[tuple[int, WardRecord]] = field(default_factory=list)
    #: ward code → [(LSOA code, LSOA name)]
    lsoas: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: Rows the CSV reader could not take, by line.
    problems: list[tuple[int, str]] = field(default_factory=list)


def read_ward_lookup(path: Path) -> WardLookup:
    return parse_ward_lookup(read_csv(path))


def parse_ward_lookup(table: CsvTable) -> WardLookup:
    code_column = table.column(WARD_CODE)
    name_column = table.column(WARD_NAME)
    if code_column is None or name_column is None:
        missing = " and ".join(
            label
            for label, col in (("ward code (WDyyCD)", code_column), ("ward name (WDyyNM)", name_column))
            if col is None
        )
        raise UserError(
            f"{table.source} has no {missing} column, so it is not an ONS ward lookup "
            f"(its columns are: {table.describe_headers()}). Nothing was imported."
        )
    year = code_column[2:4]
    # Prefer the local authority columns of the same vintage as the ward columns.
    la_code = table.column(rf"lad{year}cd", r"lad\d{2}cd", r"lad\d{2}cdo")
    la_name = table.column(rf"lad{year}nm", r"lad\d{2}nm")
    lsoa_code = table.column(r"lsoa\d{2}cd")
    lsoa_name = table.column(r"lsoa\d{2}nm")
    lookup = WardLookup(vintage=f"WD{year}", problems=list(table.problems))
    seen: set[str] = set()
    for row in table.rows:
        code = row.get(code_column).upper()
        if lsoa_code and re.fullmatch(r"[EW]\d{8}", row.get(lsoa_code).upper()):
            lookup.lsoas.setdefault(code, []).append((row.get(lsoa_code).upper(), row.get(lsoa_name)))
        if code in seen:
            continue
        seen.add(code)
        lookup.wards.append(
            (
                row.line,
                WardRecord(
                    code=code,
                    name=row.get(name_column),
                    la_code=row.get(la_code).upper(),
                    la_name=row.get(la_name),
                    vintage=lookup.vintage,
                ),
            )
        )
    if not lookup.wards and not lookup.problems:
        raise UserError(f"{table.source} has a header but no wards in it. Nothing was imported.")
    return lookup


def apply_ward_lookup(session: Session, lookup: WardLookup) -> ImportSummary:
    """Import the lookup's wards, then link the LSOAs it lists to them."""
    summary = import_wards(session, lookup.wards)
    summary.skipped = sorted([*lookup.problems, *summary.skipped])
    for code, lsoas in lookup.lsoas.items():
        ward = ward_by_code(session, code)
        if ward is not None:
            summary.lsoas_linked += set_lsoas(session, ward=ward, lsoas=lsoas)
    return summary
