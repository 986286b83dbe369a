"""The Social Harm Index: police demand and deprivation, per ward, to decide where the weeks of action go.

The seed (paragraph 42) describes an index that "incorporates police demand data with a need element
based on the Index of Multiple Deprivation". Ours, documented so a panel can check it:

* **demand** = crime and ASB recorded in the ward over the latest 12 months of imported data, per 1,000
  residents. Residents are *estimated* as 1,700 per LSOA (the average LSOA holds about 1,700 people;
  ONS designs them to hold 1,000 to 3,000), because the vault holds no population figures.
* **need** = the mean IMD 2019 deprivation of the ward's LSOAs, each as ``1 - (rank - 1) / 32,843``
  (1 = the most deprived LSOA in England, 0 = the least). LSOAs with 2021 codes that IMD 2019 does not
  know are left out and counted.
* **index** = the mean of the ward's percentile among the force's wards on demand and on need,
  from 0 to 100 (each percentile is the share of the other wards it is above, ties halved). Ranking
  by percentiles keeps one very high figure from swamping the other element.

The suggested order for a rolling plan of weeks of action is simply the index, highest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.evidence import add_months, month_range
from commmatters_desktop.core.models import Ward, WardLsoa
from commmatters_desktop.core.services import crime

RESIDENTS_PER_LSOA = 1_700
LSOAS_IN_ENGLAND = 32_844


@dataclass(frozen=True)
class HarmRow:
    rank: int
    code: str
    name: str
    la_name: str
    incidents: int
    residents: int
    demand: float
    need: float
    lsoas_without_imd: int
    index: float

    def as_json(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "ward": self.code,
            "name": self.name,
            "local_authority": self.la_name,
            "crime_and_asb_12_months": self.incidents,
            "estimated_residents": self.residents,
            "demand_per_1000": round(self.demand, 1),
            "need_imd": round(self.need, 3),
            "lsoas_without_imd": self.lsoas_without_imd,
            "harm_index": round(self.index, 1),
        }


@dataclass(frozen=True)
class HarmIndex:
    months: list[str]
    rows: list[HarmRow]

    def order(self) -> list[str]:
        """Ward codes in the suggested order for a rolling plan of weeks of action."""
        return [r.code for r in self.rows]


def _percentiles(values: dict[str, float]) -> dict[str, float]:
    others = max(len(values) - 1, 1)
    return {
        k: (sum(1 for o in values.values() if o < v) + 0.5 * (sum(1 for o in values.values() if o == v) - 1))
        / others
        for k, v in values.items()
    }


def harm_index(session: Session, imd: dict[str, int]) -> HarmIndex:
    latest = crime.latest_month(session)
    months = month_range(add_months(latest, -11), latest) if latest else []
    totals = crime.ward_totals(session, months) if months else {}
    wards = list(session.scalars(select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.code)))
    lsoas: dict[object, list[str]] = {}
    for ward_id, code in session.execute(
        select(WardLsoa.ward_id, WardLsoa.code).where(WardLsoa.deleted.is_(False))
    ):
        lsoas.setdefault(ward_id, []).append(code)
    demand: dict[str, float] = {}
    need: dict[str, float] = {}
    facts: dict[str, tuple[Ward, int, int, int]] = {}
    for ward in wards:
        codes = lsoas.get(ward.id, [])
        if not codes:
            continue
        residents = RESIDENTS_PER_LSOA * len(codes)
        ranks = [imd[c] for c in codes if c in imd]
        incidents = totals.get(ward.code, 0)
        demand[ward.code] = 1000 * incidents / residents
        need[ward.code] = (
            sum(1 - (r - 1) / (LSOAS_IN_ENGLAND - 1) for r in ranks) / len(ranks) if ranks else 0.0
        )
        facts[ward.code] = (ward, incidents, residents, len(codes) - len(ranks))
    d, n = _percentiles(demand), _percentiles(need)
    scored = sorted(facts, key=lambda c: (-(d[c] + n[c]), c))
    rows = [
        HarmRow(
            i, code, facts[code][0].name, facts[code][0].la_name, facts[code][1], facts[code][2],
            demand[code], need[code], facts[code][3], 50 * (d[code] + n[code]),
        )
        for i, code in enumerate(scored, 1)
    ]  # fmt: skip
    return HarmIndex(months, rows)
