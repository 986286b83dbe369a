"""Dates in words: how an officer writes them on a leaflet or reads them from a projector."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from commmatters_desktop.core.dates import in_words


def test_a_date_in_words_has_no_leading_zero() -> None:
    day = dt.date(2027, 1, 8)
    assert in_words(day) == "8 January 2027"
    assert in_words(day, weekday=True) == "Friday 8 January 2027"
    assert in_words(day, year=False) == "8 January"
    assert in_words(dt.date(2026, 11, 21)) == "21 November 2026"


def test_no_date_written_out_in_words_has_a_leading_zero() -> None:
    """'%d %B' prints "08 January": every date written out in words (leaflets, minutes, letters, plans)
    goes through in_words. Reading a date someone typed may still accept that form; the short forms of
    tables and cards ("08 Feb") are left as they are."""
    package = Path(__file__).resolve().parents[2] / "commmatters_desktop"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if "importers" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"%d %B", line)
    ]
    assert found == []
