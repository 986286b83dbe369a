"""Difference in differences and the verdict, against examples worked by hand."""

from __future__ import annotations

import math

import pytest

from commmatters_desktop.core.evidence import Comparison, Verdict, add_months, month_range, small


def test_a_fall_beyond_the_background_trend_worked_by_hand() -> None:
    # Target 100 -> 60 (-40%); rest of force 1,000 -> 900 (-10%).
    # DiD = -40 - (-10) = -30 points; ratio of ratios R = 0.6 / 0.9 = 0.6667;
    # SE(log R) = sqrt(1/100 + 1/60 + 1/1000 + 1/900) = sqrt(0.0287778) = 0.169640;
    # 95% interval = exp(-0.405465 +/- 1.959964 * 0.169640) = 0.4781 .. 0.9296, below 1.
    c = Comparison(100, 60, 1000, 900)
    assert c.target_change_pct == pytest.approx(-40.0)
    assert c.comparison_change_pct == pytest.approx(-10.0)
    assert c.did_points == pytest.approx(-30.0)
    assert c.did_ratio == pytest.approx(2 / 3)
    assert c.se_log_ratio == pytest.approx(math.sqrt(0.0287778), abs=1e-6)
    low, high = c.interval
    assert low == pytest.approx(0.4781, abs=1e-4) and high == pytest.approx(0.9296, abs=1e-4)
    assert c.verdict is Verdict.BEAT_TREND
    assert c.sentence("the rest of the force") == (
        "Fell by 40% (from 100 to 60) while the rest of the force fell by 10%: a bigger fall than the "
        "background trend, and too large to be chance."
    )


def test_a_fall_no_more_than_the_background_trend() -> None:
    # 200 -> 150 (-25%) is a real fall on its own (z = -2.66) but the force fell 22%:
    # R = 0.75 / 0.78 = 0.9615, interval 0.77 .. 1.20 holds 1.
    c = Comparison(200, 150, 2000, 1560)
    assert c.verdict is Verdict.IN_LINE_WITH_TREND
    assert "no more than the background trend" in c.sentence()


def test_a_small_change_is_too_small_to_tell_and_small_figures_are_not_printed() -> None:
    c = Comparison(12, 4, 1000, 1000)
    assert c.verdict is Verdict.BEAT_TREND or c.verdict is Verdict.TOO_SMALL
    tiny = Comparison(6, 4, 1000, 1000)
    assert tiny.verdict is Verdict.TOO_SMALL
    assert "from 6 to fewer than 5" in tiny.sentence()
    assert "too small to tell" in tiny.sentence()
    assert small(0) == "0" and small(3) == "fewer than 5" and small(1234) == "1,234"


def test_zero_counts_use_haldanes_correction_and_a_rise_can_be_worse_than_trend() -> None:
    zero = Comparison(9, 0, 500, 500)
    assert zero.did_ratio == pytest.approx((0.5 / 9.5) / (500.5 / 500.5))
    assert zero.verdict is Verdict.BEAT_TREND
    assert Comparison(50, 100, 1000, 1000).verdict is Verdict.WORSE_THAN_TREND
    assert Comparison(0, 0, 10, 10).verdict is Verdict.NO_DATA


def test_months() -> None:
    assert add_months("2026-11", 3) == "2027-02" and add_months("2026-01", -1) == "2025-12"
    assert month_range("2026-11", "2027-01") == ["2026-11", "2026-12", "2027-01"]
    assert month_range("2026-11", "2026-10") == []
