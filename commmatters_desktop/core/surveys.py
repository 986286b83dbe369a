"""Trust and confidence surveys: the standard items, waves per ward, "% strongly or tend to agree".

The items and scales are those of the Crime Survey for England and Wales and London's Public Attitude
Survey (DESIGN.md section 7), so a ward's figures can be set beside published ones. A wave holds
counts per item and answer, never respondents.

**Arithmetic.** For an agree item the figure is (strongly agree + tend to agree) / everyone who
answered the item, "Don't know" included in the base (as a "don't know" is not agreement); for the
"good job" item it is (excellent + good) / everyone who answered. The 95% interval is Wilson's score
interval, which behaves at small samples and at 0% and 100% where the textbook one does not. Fewer
than 10 respondents are shown, with a warning, never hidden.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import SurveyMode
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.evidence import Z95
from commmatters_desktop.core.models import SurveyResult, SurveyWave, Ward, natural_id
from commmatters_desktop.core.services import cycles

SMALL_SAMPLE = 10

AGREE_SCALE: tuple[tuple[str, str], ...] = (
    ("strongly_agree", "Strongly agree"),
    ("tend_to_agree", "Tend to agree"),
    ("neither", "Neither agree nor disagree"),
    ("tend_to_disagree", "Tend to disagree"),
    ("strongly_disagree", "Strongly disagree"),
    ("dont_know", "Don't know"),
)
GOOD_JOB_SCALE: tuple[tuple[str, str], ...] = (
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("fair", "Fair"),
    ("poor", "Poor"),
    ("very_poor", "Very poor"),
)


@dataclass(frozen=True)
class Item:
    key: str
    short: str
    question: str
    scale: tuple[tuple[str, str], ...]

    @property
    def positive(self) -> tuple[str, str]:
        return (self.scale[0][0], self.scale[1][0])

    @property
    def answers(self) -> list[str]:
        return [key for key, _label in self.scale]

    @property
    def measure(self) -> str:
        return "% excellent or good" if self.scale is GOOD_JOB_SCALE else "% strongly or tend to agree"


_AGREE = "To what extent do you agree that the police in this area "
ITEMS: tuple[Item, ...] = (
    Item("good_job", "Good job", "Taking everything into account, how good a job do you think the police in "
         "this area are doing?", GOOD_JOB_SCALE),
    Item("rely_on", "Can be relied on", _AGREE + "can be relied on to be there when you need them?", AGREE_SCALE),
    Item("respect", "Treat you with respect", _AGREE + "would treat you with respect?", AGREE_SCALE),
    Item("fair", "Treat everyone fairly", _AGREE + "treat everyone fairly whoever they are?", AGREE_SCALE),
    Item("understand", "Understand local issues", _AGREE + "understand the issues that affect this community?",
         AGREE_SCALE),
    Item("matters", "Deal with what matters", _AGREE + "are dealing with the things that matter to people in "
         "this community?", AGREE_SCALE),
    Item("listen", "Listen to local concerns", _AGREE + "listen to the concerns of local people?", AGREE_SCALE),
)  # fmt: skip
ITEM_BY_KEY = {item.key: item for item in ITEMS}
#: The headline item for trends and the report (the PCC's usual confidence measure).
HEADLINE = "matters"


def wilson(positive: int, base: int) -> tuple[float, float]:
    """Wilson's 95% score interval for a proportion, as fractions."""
    if base <= 0:
        return 0.0, 1.0
    p, z2 = positive / base, Z95 * Z95
    centre = (p + z2 / (2 * base)) / (1 + z2 / base)
    half = Z95 * math.sqrt(p * (1 - p) / base + z2 / (4 * base * base)) / (1 + z2 / base)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ItemResult:
    item: Item
    positive: int
    base: int

    @property
    def pct(self) -> float | None:
        return 100.0 * self.positive / self.base if self.base else None

    @property
    def interval(self) -> tuple[float, float]:
        low, high = wilson(self.positive, self.base)
        return 100 * low, 100 * high

    @property
    def small(self) -> bool:
        return self.base < SMALL_SAMPLE

    def text(self) -> str:
        if not self.base:
            return "no answers"
        low, high = self.interval
        warning = f" (fewer than {SMALL_SAMPLE} answered: treat with great caution)" if self.small else ""
        return f"{self.pct:.0f}% (95% interval {low:.0f}–{high:.0f}%, {self.base} answered){warning}"

    def as_json(self) -> dict[str, object]:
        low, high = self.interval
        return {
            "item": self.item.key,
            "measure": self.item.measure,
            "positive": self.positive,
            "answered": self.base,
            "pct": None if self.pct is None else round(self.pct, 1),
            "interval_95": [round(low, 1), round(high, 1)],
            "small_sample_warning": self.small,
        }


def item_result(item: Item, counts: dict[str, int]) -> ItemResult:
    return ItemResult(
        item, sum(counts.get(a, 0) for a in item.positive), sum(counts.get(a, 0) for a in item.answers)
    )


# --- recording ----------------------------------------------------------------------------------------------

_ANSWER_WORDS = {
    "strongly_agree": "strongly_agree", "tend_to_agree": "tend_to_agree", "agree": "tend_to_agree",
    "neither": "neither", "neither_agree_nor_disagree": "neither", "tend_to_disagree": "tend_to_disagree",
    "disagree": "tend_to_disagree", "strongly_disagree": "strongly_disagree", "don_t_know": "dont_know",
    "dont_know": "dont_know", "dk": "dont_know", "excellent": "excellent", "good": "good", "fair": "fair",
    "poor": "poor", "very_poor": "very_poor",
}  # fmt: skip


def answer_key(item: Item, text: str) -> str | None:
    """``"Tend to agree"`` → ``"tend_to_agree"``; None for a blank; ValidationError for nonsense."""
    word = re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")
    if not word:
        return None
    key = _ANSWER_WORDS.get(word)
    if key is None or key not in item.answers:
        raise ValidationError(
            f"'{text}' is not an answer to '{item.short}' (answers: {', '.join(label for _k, label in item.scale)})."
        )
    return key


def wave_id(ward_code: str, conducted_on: dt.date, mode: SurveyMode) -> uuid.UUID:
    """One wave per ward, day and mode: typing or importing the same wave again replaces it."""
    return natural_id("survey wave", f"{ward_code}|{conducted_on.isoformat()}|{mode.value}")


def record_wave(
    session: Session,
    *,
    ward: Ward,
    conducted_on: dt.date,
    mode: SurveyMode,
    counts: dict[str, dict[str, int]],
    respondents: int | None = None,
) -> tuple[SurveyWave, bool]:
    """Record (or replace) a wave's counts; returns the wave and whether it replaced an earlier one."""
    if not counts or not any(sum(c.values()) for c in counts.values()):
        raise ValidationError("A survey wave needs at least one answer counted.")
    for key, answers in counts.items():
        item = ITEM_BY_KEY.get(key)
        if item is None:
            raise ValidationError(f"'{key}' is not a survey item (items: {', '.join(ITEM_BY_KEY)}).")
        for answer, n in answers.items():
            if answer not in item.answers:
                raise ValidationError(f"'{answer}' is not an answer to '{item.short}'.")
            if n < 0:
                raise ValidationError("Counts cannot be negative.")
    largest = max(sum(c.values()) for c in counts.values())
    if respondents is not None and respondents < largest:
        raise ValidationError(
            f"{respondents} respondents cannot give {largest} answers to one question; check the counts."
        )
    identity = wave_id(ward.code, conducted_on, mode)
    wave = session.get(SurveyWave, identity)
    replaced = wave is not None and not wave.deleted
    if wave is None:
        wave = SurveyWave(id=identity, ward_id=ward.id, conducted_on=conducted_on, mode=mode)
        session.add(wave)
    wave.deleted = False
    wave.cycle_id = cycles.cycle(session, CycleCode.containing(conducted_on)).id
    wave.respondents = respondents if respondents is not None else largest
    held = {
        (r.item, r.answer): r
        for r in session.scalars(select(SurveyResult).where(SurveyResult.wave_id == wave.id))
    }
    for key, answers in counts.items():
        for answer in ITEM_BY_KEY[key].answers:
            n = answers.get(answer, 0)
            result = held.pop((key, answer), None)
            if result is None:
                if n:
                    session.add(
                        SurveyResult(
                            id=natural_id("survey result", f"{identity}|{key}|{answer}"),
                            wave_id=wave.id, item=key, answer=answer, count=n,
                        )
                    )  # fmt: skip
                continue
            result.count, result.deleted = n, False
    for stale in held.values():
        stale.deleted = True
    session.flush()
    changes.audit(session, "record survey", wave, f"{ward.code} {conducted_on} {mode.value}")
    return wave, replaced


# --- reading ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSummary:
    ward_code: str
    ward_name: str
    conducted_on: dt.date
    cycle: str
    mode: SurveyMode
    respondents: int
    results: list[ItemResult]

    @property
    def small(self) -> bool:
        return self.respondents < SMALL_SAMPLE

    def result(self, key: str) -> ItemResult | None:
        return next((r for r in self.results if r.item.key == key), None)

    def as_json(self) -> dict[str, object]:
        return {
            "ward": self.ward_code,
            "ward_name": self.ward_name,
            "date": self.conducted_on.isoformat(),
            "cycle": self.cycle,
            "mode": self.mode.value,
            "respondents": self.respondents,
            "small_sample_warning": self.small,
            "items": [r.as_json() for r in self.results],
        }


def waves(session: Session, *, ward_code: str | None = None) -> list[WaveSummary]:
    """Every wave (of one ward, or all), oldest first, with each item's figure."""
    from commmatters_desktop.core.models import Cycle

    query = (
        select(SurveyWave, Ward, Cycle)
        .join(Ward, Ward.id == SurveyWave.ward_id)
        .outerjoin(Cycle, Cycle.id == SurveyWave.cycle_id)
        .where(SurveyWave.deleted.is_(False))
        .order_by(Ward.code, SurveyWave.conducted_on)
    )
    if ward_code:
        query = query.where(Ward.code == ward_code.strip().upper())
    rows = session.execute(query).all()
    counts: dict[uuid.UUID, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    ids = [w.id for w, _ward, _c in rows]
    for r in session.scalars(
        select(SurveyResult).where(SurveyResult.wave_id.in_(ids), SurveyResult.deleted.is_(False))
    ):
        counts[r.wave_id][r.item][r.answer] = r.count
    return [
        WaveSummary(
            ward.code, ward.name, wave.conducted_on, cycle.code if cycle else "", wave.mode, wave.respondents,
            [item_result(item, counts[wave.id][item.key]) for item in ITEMS if item.key in counts[wave.id]],
        )
        for wave, ward, cycle in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class TrendPoint:
    cycle: str
    result: ItemResult


def trend(summaries: list[WaveSummary], item: str = HEADLINE) -> list[TrendPoint]:
    """One figure per cycle for a ward (waves in the same cycle pooled), oldest first."""
    pooled: dict[str, list[int]] = {}
    for wave in summaries:
        result = wave.result(item)
        if result is None:
            continue
        total = pooled.setdefault(wave.cycle, [0, 0])
        total[0] += result.positive
        total[1] += result.base
    return [
        TrendPoint(cycle, ItemResult(ITEM_BY_KEY[item], positive, base))
        for cycle, (positive, base) in sorted(pooled.items())
    ]


def trend_sentence(points: list[TrendPoint]) -> str:
    """The ward's trend in words: the figures, and whether the latest change is more than chance."""
    if not points:
        return "No survey yet."
    parts = [f"{p.cycle}: {p.result.pct:.0f}% ({p.result.base})" for p in points if p.result.pct is not None]
    text = "; ".join(parts)
    if len(points) >= 2:
        a, b = points[-2].result, points[-1].result
        (a_low, a_high), (b_low, b_high) = a.interval, b.interval
        if a.small or b.small:
            text += f". Fewer than {SMALL_SAMPLE} answered in a wave: no conclusion."
        elif b_low > a_high:
            text += ". Up, by more than chance."
        elif b_high < a_low:
            text += ". Down, by more than chance."
        else:
            text += ". No clear change (the intervals overlap)."
    return text
