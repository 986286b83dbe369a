"""Time, in one replaceable place.

Services never call ``datetime.now()`` themselves: they ask the unit of work's clock, so tests
freeze time and the demo force can be dated relative to "today".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Timezone-aware UTC."""
        ...

    def today(self) -> dt.date: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return dt.date.today()


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, demo generation)."""

    moment: dt.datetime

    @classmethod
    def on(cls, day: dt.date, hour: int = 10) -> FixedClock:
        return cls(dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC))

    def now(self) -> dt.datetime:
        return self.moment

    def today(self) -> dt.date:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += dt.timedelta(**delta)
