"""Trust and confidence surveys: the arithmetic, Wilson's interval, replacing a wave, the trend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from commmatters_desktop.core.enums import SurveyMode
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.services import wards
from commmatters_desktop.core.surveys import (
    ITEM_BY_KEY,
    item_result,
    record_wave,
    trend,
    trend_sentence,
    waves,
    wilson,
)
from commmatters_desktop.importers.surveys import read_survey_csv
from commmatters_desktop.storage.vault import Vault


def test_wilson_interval_worked_by_hand() -> None:
    # 12 of 20: p = 0.6; centre = (0.6 + 1.96^2/40) / (1 + 1.96^2/20) = 0.58389;
    # half = 1.96 * sqrt(0.6*0.4/20 + 1.96^2/1600) / 1.19207 = 0.19731 -> 0.3866 .. 0.7812
    low, high = wilson(12, 20)
    assert low == pytest.approx(0.3866, abs=1e-4) and high == pytest.approx(0.7812, abs=1e-4)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_agree_counts_strongly_and_tend_to_agree_over_everyone_who_answered() -> None:
    counts = {"strongly_agree": 5, "tend_to_agree": 7, "neither": 3, "tend_to_disagree": 2, "dont_know": 3}
    result = item_result(ITEM_BY_KEY["respect"], counts)
    assert (result.positive, result.base) == (12, 20)
    assert result.pct == pytest.approx(60.0)
    assert result.text() == "60% (95% interval 39–78%, 20 answered)"
    few = item_result(ITEM_BY_KEY["good_job"], {"excellent": 1, "good": 3, "poor": 2})
    assert few.small and "fewer than 10 answered" in few.text()


@pytest.fixture
def ward(vault: Vault) -> str:
    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
    return "E05000650"


def test_a_wave_is_replaced_not_doubled_and_the_trend_pools_each_cycle(vault: Vault, ward: str) -> None:
    counts = {"matters": {"strongly_agree": 4, "tend_to_agree": 6, "tend_to_disagree": 10}}
    with vault.unit_of_work() as s:
        w = wards.ward_by_code(s, ward)
        assert w is not None
        _wave, replaced = record_wave(s, ward=w, conducted_on=dt.date(2026, 5, 2), mode=SurveyMode.PANEL,
                                      counts=counts)  # fmt: skip
        assert not replaced
        _wave, replaced = record_wave(s, ward=w, conducted_on=dt.date(2026, 5, 2), mode=SurveyMode.PANEL,
                                      counts=counts)  # fmt: skip
        assert replaced
        record_wave(s, ward=w, conducted_on=dt.date(2026, 10, 20), mode=SurveyMode.STREET,
                    counts={"matters": {"strongly_agree": 20, "tend_to_agree": 10, "neither": 10}})  # fmt: skip
        with pytest.raises(ValidationError, match="respondents cannot give"):
            record_wave(s, ward=w, conducted_on=dt.date(2026, 10, 1), mode=SurveyMode.PANEL, counts=counts,
                        respondents=5)  # fmt: skip
    with vault.reading() as s:
        summaries = waves(s, ward_code=ward)
    assert [(w.cycle, w.respondents) for w in summaries] == [("2026-Q2", 20), ("2026-Q4", 40)]
    points = trend(summaries)
    assert [(p.cycle, p.result.positive, p.result.base) for p in points] == [
        ("2026-Q2", 10, 20),
        ("2026-Q4", 30, 40),
    ]
    assert (
        trend_sentence(points)
        == "2026-Q2: 50% (20); 2026-Q4: 75% (40). No clear change (the intervals overlap)."
    )


def test_a_survey_csv_of_respondents_becomes_waves_and_bad_rows_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(
        "Ward Code,Date,Relied on to be there,Treat you with respect,How good a job\n"
        "E05000650,2026-10-20,Strongly agree,Tend to agree,Good\n"
        "E05000650,2026-10-20,Don't know,,Poor\n"
        "E05000650,20/10/2026,Tend to agree,,\n"
        "E05000650,2026-10-20,Maybe,,\n",
        encoding="utf-8",
    )
    survey = read_survey_csv(path)
    key = ("E05000650", dt.date(2026, 10, 20), SurveyMode.PANEL)
    assert survey.respondents == {key: 2}
    assert survey.waves[key] == {
        "rely_on": {"strongly_agree": 1, "dont_know": 1},
        "respect": {"tend_to_agree": 1},
        "good_job": {"good": 1, "poor": 1},
    }
    assert survey.skipped[0] == (4, "the date is not YYYY-MM-DD")
    assert survey.skipped[1][0] == 5 and "'Maybe' is not an answer" in survey.skipped[1][1]
