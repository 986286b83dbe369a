"""Did it work? Before and after, against a comparison area, in plain words.

The seed's warning (a fall "in line with a similar reducing trend in Total Force") is why a change in
the target area alone proves nothing: crime falls and rises everywhere with the season and the year.
So the target's change is set beside the comparison area's change over the same months.

**Difference in differences, on the rate-ratio scale.** With target counts ``B_t`` before and ``A_t``
after, and comparison counts ``B_c`` and ``A_c``::

    target ratio      r_t = A_t / B_t
    comparison ratio  r_c = A_c / B_c
    DiD ratio         R   = r_t / r_c      (below 1: the target fell more than the background)
    DiD in points     100 * (r_t - 1) - 100 * (r_c - 1)

Counts of crimes are treated as Poisson, so ``Var(log A) ~ 1/A`` and the standard error of ``log R`` is
``sqrt(1/A_t + 1/B_t + 1/A_c + 1/B_c)``. The 95% interval is ``exp(log R +/- 1.96 SE)``. When any count is
zero, 0.5 is added to all four (Haldane's correction) so the logarithms exist. The same test on the
target alone (``sqrt(1/A_t + 1/B_t)``) tells a real change from month-to-month noise.

The verdict, in order: a difference whose interval excludes 1 beat (or did worse than) the background;
otherwise a target change that is itself within noise is "too small to tell"; otherwise a target that
moved the same way as the comparison moved "no more than the background trend".
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass

Z95 = 1.959963984540054
SMALL_NUMBER = 5


def small(value: int) -> str:
    """Figures under 5 are never printed as numbers (as on leaflets)."""
    return f"fewer than {SMALL_NUMBER}" if 0 < value < SMALL_NUMBER else f"{value:,}"


# --- months -------------------------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    year, month = text.strip().split("-")
    if len(year) != 4 or not 1 <= int(month) <= 12:
        raise ValueError(text)
    return int(year), int(month)


def add_months(month: str, n: int) -> str:
    year, m = parse_month(month)
    index = year * 12 + (m - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty if ``last`` is before ``first``)."""
    months: list[str] = []
    current = first
    while current <= last and len(months) < 1200:
        months.append(current)
        current = add_months(current, 1)
    return months


def month_label(month: str) -> str:
    year, m = parse_month(month)
    return dt.date(year, m, 1).strftime("%b %Y")


# --- the comparison -----------------------------------------------------------------------------------------


class Verdict(enum.StrEnum):
    BEAT_TREND = "beat_trend"
    WORSE_THAN_TREND = "worse_than_trend"
    IN_LINE_WITH_TREND = "in_line_with_trend"
    TOO_SMALL = "too_small_to_tell"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Comparison:
    target_before: int
    target_after: int
    comparison_before: int
    comparison_after: int

    @property
    def _corrected(self) -> tuple[float, float, float, float]:
        values = (self.target_before, self.target_after, self.comparison_before, self.comparison_after)
        shift = 0.5 if min(values) == 0 else 0.0
        return tuple(v + shift for v in values)  # type: ignore[return-value]

    @property
    def target_ratio(self) -> float:
        bt, at, _bc, _ac = self._corrected
        return at / bt

    @property
    def comparison_ratio(self) -> float:
        _bt, _at, bc, ac = self._corrected
        return ac / bc

    @property
    def target_change_pct(self) -> float:
        return _pct(self.target_before, self.target_after)

    @property
    def comparison_change_pct(self) -> float:
        return _pct(self.comparison_before, self.comparison_after)

    @property
    def did_points(self) -> float:
        """Difference in differences in percentage points (negative: fell more than the background)."""
        return self.target_change_pct - self.comparison_change_pct

    @property
    def did_ratio(self) -> float:
        return self.target_ratio / self.comparison_ratio

    @property
    def se_log_ratio(self) -> float:
        return math.sqrt(sum(1 / v for v in self._corrected))

    @property
    def interval(self) -> tuple[float, float]:
        centre, half = math.log(self.did_ratio), Z95 * self.se_log_ratio
        return math.exp(centre - half), math.exp(centre + half)

    @property
    def target_change_is_noise(self) -> bool:
        bt, at, _bc, _ac = self._corrected
        return abs(math.log(at / bt)) < Z95 * math.sqrt(1 / at + 1 / bt)

    @property
    def verdict(self) -> Verdict:
        if self.target_before + self.target_after == 0 or self.comparison_before == 0:
            return Verdict.NO_DATA
        low, high = self.interval
        if high < 1:
            return Verdict.BEAT_TREND
        if low > 1:
            return Verdict.WORSE_THAN_TREND
        if self.target_change_is_noise:
            return Verdict.TOO_SMALL
        return Verdict.IN_LINE_WITH_TREND

    def sentence(self, area: str = "the comparison area") -> str:
        """The verdict in words a ward panel understands."""
        t = _describe(self.target_change_pct)
        c = _describe(self.comparison_change_pct)
        before, after = small(self.target_before), small(self.target_after)
        counts = f"from {before} to {after}"
        lead = ""
        if 0 < min(self.target_before, self.target_after) < SMALL_NUMBER or (
            0 < max(self.target_before, self.target_after) < SMALL_NUMBER
        ):
            # A percentage of a handful would give the small figure away.
            lead = f"Went {counts}"
        else:
            lead = f"{t.capitalize()} ({counts})"
        match self.verdict:
            case Verdict.NO_DATA:
                return "Not enough data to compare: import the crime files for both periods."
            case Verdict.BEAT_TREND:
                return (
                    f"{lead} while {area} {c}: a bigger fall than the background "
                    "trend, and too large to be chance."
                )
            case Verdict.WORSE_THAN_TREND:
                return (
                    f"{lead} while {area} {c}: worse than the background trend, and too large to be chance."
                )
            case Verdict.TOO_SMALL:
                return f"{lead} while {area} {c}: the change is too small to tell from normal ups and downs."
            case Verdict.IN_LINE_WITH_TREND:
                return f"{lead}, but {area} {c} too: the change is no more than the background trend."

    def as_json(self) -> dict[str, object]:
        low, high = self.interval
        return {
            "target_before": self.target_before,
            "target_after": self.target_after,
            "comparison_before": self.comparison_before,
            "comparison_after": self.comparison_after,
            "target_change_pct": round(self.target_change_pct, 1),
            "comparison_change_pct": round(self.comparison_change_pct, 1),
            "did_points": round(self.did_points, 1),
            "did_ratio": round(self.did_ratio, 3),
            "interval_95": [round(low, 3), round(high, 3)],
            "verdict": self.verdict.value,
        }


def _pct(before: int, after: int) -> float:
    return 100.0 * (after - before) / before if before else 0.0


def _describe(change: float) -> str:
    if round(change) == 0:
        return "stayed about the same"
    return f"{'fell' if change < 0 else 'rose'} by {abs(change):.0f}%"
