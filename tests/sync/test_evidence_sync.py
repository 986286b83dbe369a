"""What measures a priority and the survey waves travel between laptops; the crime counts do not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from commmatters_desktop.core.enums import AgencyKind, SurveyMode
from commmatters_desktop.core.models import CrimeCount, Priority
from commmatters_desktop.core.services import crime, engagement, people, priorities, wards
from commmatters_desktop.core.surveys import record_wave, waves
from commmatters_desktop.importers.police_uk import CrimeTally
from tests.sync.conftest import Laptop


def test_evidence_choice_and_surveys_sync_and_public_counts_stay_local(
    laptops: list[Laptop], shared: Path
) -> None:
    a, b, _ = laptops
    with a.vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        team = people.create_agency(s, name="Team", kind=AgencyKind.POLICE_TEAM)
        meeting = engagement.record_meeting(s, ward=ward, held_on=dt.date(2026, 10, 5), venue="Hall")
        p = priorities.propose(s, ward=ward, title="Drugs")
        priorities.agree(s, priority=p, lead_agency=team, meeting=meeting)
        crime.set_evidence(s, priority=p, categories=["Drugs"], baseline=("2026-06", "2026-08"),
                           after=("2026-10", "2026-12"), comparison="borough")  # fmt: skip
        record_wave(s, ward=ward, conducted_on=dt.date(2026, 10, 20), mode=SurveyMode.PANEL,
                    counts={"matters": {"strongly_agree": 3, "tend_to_agree": 9, "neither": 4}})  # fmt: skip
        tally = CrimeTally()
        tally.counts[("F", "2026-10", "E05000650", "Drugs")] = 7
        crime.store_tally(s, tally)
    a.sync(shared)
    b.sync(shared)
    with b.vault.reading() as s:
        priority = s.scalars(select(Priority)).one()
        settings = crime.settings_for(s, priority)
        assert settings.categories == ["Drugs"] and settings.comparison == "borough"
        assert settings.baseline == ["2026-06", "2026-07", "2026-08"]
        (wave,) = waves(s, ward_code="E05000650")
        matters = wave.result("matters")
        assert matters is not None and (matters.positive, matters.base) == (12, 16)
        assert s.scalars(select(CrimeCount)).all() == []  # public data: each laptop imports it
