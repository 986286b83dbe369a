"""Dates in words, as GOV.UK and the forces' own leaflets write them: "8 January 2027", no leading zero."""

from __future__ import annotations

import datetime as dt


def in_words(day: dt.date, *, weekday: bool = False, year: bool = True) -> str:
    """'8 January 2027'; 'Friday 8 January 2027' with ``weekday``; '8 January' without ``year``.

    ``%d`` would print "08": read aloud from a projector or a leaflet, it is not how anyone writes a date.
    """
    words = f"{day.day} {day:%B}"
    if year:
        words += f" {day.year}"
    return f"{day:%A} {words}" if weekday else words
