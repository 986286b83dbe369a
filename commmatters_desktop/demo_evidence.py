"""The demo force's evidence: crime files in the data.police.uk format, survey waves, measured priorities.

The crime data is generated (labelled DEMO in the force name, the location and the context columns)
and written as real monthly street-level CSVs in an archive folder, then imported through the same
path as a real download (:func:`importers.police_uk.tally_files`). The numbers follow a gently
falling force-wide trend with a season, so some wards' falls beat the background and some do not.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import random
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import AGREED_OR_LATER, PriorityStatus, SurveyMode
from commmatters_desktop.core.evidence import add_months, month_of, month_range
from commmatters_desktop.core.models import Nomination, Priority, Ward, WardLsoa, WeekOfAction
from commmatters_desktop.core.services import crime
from commmatters_desktop.core.surveys import ITEM_BY_KEY, record_wave
from commmatters_desktop.importers.police_uk import ASB, tally_files

DEMO_POLICE = "DEMO Greater Manchester Police"
MONTHS = 18
HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
    "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
#: Average incidents per LSOA per month, roughly a metropolitan force's mix.
RATES = {
    ASB: 2.4, "Violence and sexual offences": 3.8, "Vehicle crime": 1.1, "Other theft": 1.0, "Burglary": 0.8,
    "Shoplifting": 0.7, "Criminal damage and arson": 1.0, "Drugs": 0.45, "Public order": 0.9, "Robbery": 0.2,
    "Theft from the person": 0.2, "Other crime": 0.2, "Possession of weapons": 0.1, "Bicycle theft": 0.15,
}  # fmt: skip
#: What each demo problem is measured by (the nomination categories of demo.PROBLEMS).
MEASURED_BY = {"Drugs": ["Drugs"], "Crime": ["Burglary"]}


def _measured_by(session: Session, priority: Priority) -> list[str]:
    nomination = session.get(Nomination, priority.nomination_id) if priority.nomination_id else None
    return MEASURED_BY.get(nomination.category if nomination else "", [ASB])


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def last_full_month(today: dt.date) -> str:
    return add_months(month_of(today), -1)


def _week_months(session: Session) -> dict[tuple[object, object], str]:
    return {
        (w.ward_id, w.cycle_id): month_of(w.week_start)
        for w in session.scalars(select(WeekOfAction).where(WeekOfAction.deleted.is_(False)))
    }


def write_crime_files(session: Session, folder: Path, today: dt.date, seed: int) -> None:
    """An archive folder of monthly street files, as data.police.uk's download gives them."""
    rng = random.Random(seed)
    last = last_full_month(today)
    months = month_range(add_months(last, -(MONTHS - 1)), last)
    lsoas = list(
        session.execute(
            select(WardLsoa.code, WardLsoa.name, WardLsoa.ward_id).where(WardLsoa.deleted.is_(False))
            .order_by(WardLsoa.code)
        ).all()
    )  # fmt: skip
    weeks = _week_months(session)
    # A ward's own level (some wards are busier), and where a priority's week of action had an effect.
    level = {ward_id: rng.uniform(0.5, 1.8) for _c, _n, ward_id in lsoas}
    effect: dict[object, tuple[str, set[str], float]] = {}
    for p in session.scalars(
        select(Priority).where(Priority.deleted.is_(False), Priority.status.in_(AGREED_OR_LATER))
    ):
        week = weeks.get((p.ward_id, p.cycle_id))
        if week and p.status in (
            PriorityStatus.ASSESSING,
            PriorityStatus.FEEDBACK_GIVEN,
            PriorityStatus.CLOSED,
        ):
            kinds = set(_measured_by(session, p))
            effect[p.ward_id] = (week, kinds, rng.choice((0.45, 0.55, 0.7, 1.0)))
    serial = 0
    for index, month in enumerate(months):
        season = 1 + 0.12 * math.sin(2 * math.pi * (int(month[5:]) - 4) / 12)
        trend = 0.99**index
        (folder / month).mkdir(parents=True, exist_ok=True)
        with open(folder / month / f"{month}-demo-street.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for code, name, ward_id in lsoas:
                start, kinds, factor = effect.get(ward_id, ("9999-99", set(), 1.0))
                for kind, rate in RATES.items():
                    mean = (
                        rate
                        * level[ward_id]
                        * season
                        * trend
                        * (factor if month > start and kind in kinds else 1)
                    )
                    for _ in range(_poisson(rng, mean)):
                        serial += 1
                        crime_id = (
                            ""
                            if kind == ASB
                            else hashlib.sha256(f"demo {seed} {serial}".encode()).hexdigest()
                        )
                        outcome = "" if kind == ASB else "DEMO: Investigation complete; no suspect identified"
                        writer.writerow([crime_id, month, DEMO_POLICE, DEMO_POLICE, "", "", "On or near DEMO Street",
                                         code, name, kind, outcome, "DEMO data, not real crime"])  # fmt: skip


def add_crime(session: Session, today: dt.date, seed: int) -> None:
    """Generate the files, then import them exactly as a user's download would be."""
    session.flush()
    with tempfile.TemporaryDirectory(prefix="commmatters-demo-crime-") as tmp:
        folder = Path(tmp) / "DEMO-police-uk-archive"
        write_crime_files(session, folder, today, seed)
        tally = tally_files([folder], crime.vault_lookup(session))
    crime.store_tally(session, tally, sources=["DEMO generated data.police.uk archive"])
    last = last_full_month(today)
    weeks = _week_months(session)
    for p in session.scalars(
        select(Priority).where(Priority.deleted.is_(False), Priority.status.in_(AGREED_OR_LATER))
    ):
        week = weeks.get((p.ward_id, p.cycle_id))
        if week is None:
            continue
        crime.set_evidence(
            session, priority=p, categories=_measured_by(session, p),
            baseline=(add_months(week, -3), add_months(week, -1)),
            after=(add_months(week, 1), max(add_months(week, 1), min(add_months(week, 3), last))),
        )  # fmt: skip


#: The demo asks three of the standard questions: enough for the report, light enough to sync quickly.
DEMO_ITEMS = [ITEM_BY_KEY[k] for k in ("good_job", "matters", "listen")]


def add_surveys(session: Session, today: dt.date, seed: int) -> None:
    """Panel and street surveys in the last two quarters for every ward; a few small ones, as in life."""
    rng = random.Random(seed + 1)
    current = CycleCode.containing(today)
    for index, ward in enumerate(
        session.scalars(select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.code))
    ):
        base = rng.uniform(0.45, 0.7)
        for step, cycle in enumerate((current.previous(), current)):
            day = min(cycle.start + dt.timedelta(days=20 + index % 30), today)
            respondents = 7 if index % 9 == 4 else rng.randint(14, 45)
            share = min(0.9, base + step * rng.uniform(-0.03, 0.12))
            counts: dict[str, dict[str, int]] = {}
            for item in DEMO_ITEMS:
                positive = sum(rng.random() < share for _ in range(respondents))
                strong = positive // 3
                rest = respondents - positive
                answers = item.answers
                neutral = rest // 2
                counts[item.key] = {
                    answers[0]: strong, answers[1]: positive - strong, answers[2]: neutral,
                    answers[3]: rest - neutral - rest // 5, answers[4]: rest // 5,
                }  # fmt: skip
            record_wave(session, ward=ward, conducted_on=day, mode=SurveyMode.PANEL if step else SurveyMode.STREET,
                        counts=counts, respondents=respondents)  # fmt: skip
