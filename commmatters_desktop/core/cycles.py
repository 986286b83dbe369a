"""Quarterly cycles such as ``2026-Q4``: parsing, dates and "the current one"."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from commmatters_desktop.core.errors import ValidationError

_CODE = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class CycleCode:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> CycleCode:
        match = _CODE.match(text)
        if not match:
            raise ValidationError(f"'{text}' is not a quarter. Write it as YEAR-QN, for example 2027-Q1.")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> CycleCode:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> CycleCode:
        return CycleCode(self.year + self.quarter // 4, self.quarter % 4 + 1)

    def previous(self) -> CycleCode:
        return CycleCode(self.year - (1 if self.quarter == 1 else 0), (self.quarter - 2) % 4 + 1)

    def weeks(self) -> list[dt.date]:
        """Mondays of the weeks that start inside the quarter: the candidate weeks of action."""
        first_monday = self.start + dt.timedelta(days=(7 - self.start.weekday()) % 7)
        weeks: list[dt.date] = []
        day = first_monday
        while day <= self.end:
            weeks.append(day)
            day += dt.timedelta(days=7)
        return weeks
