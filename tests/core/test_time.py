"""Quarters and hybrid logical clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.errors import ValidationError
from commmatters_desktop.core.hlc import HybridClock, Stamp


@pytest.mark.parametrize("text", ["2027-Q1", "2027q1", " 2027-q1 ", "2027 Q1"])
def test_cycle_codes_parse_in_the_forms_people_type(text: str) -> None:
    assert str(CycleCode.parse(text)) == "2027-Q1"


@pytest.mark.parametrize("text", ["2027-Q5", "Q1 2027", "", "27-Q1"])
def test_bad_cycle_codes_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValidationError, match="for example 2027-Q1"):
        CycleCode.parse(text)


def test_quarter_dates_and_neighbours() -> None:
    q4 = CycleCode.containing(dt.date(2026, 11, 21))
    assert str(q4) == "2026-Q4"
    assert (q4.start, q4.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert str(q4.next()) == "2027-Q1" and str(q4.previous()) == "2026-Q3"
    assert str(CycleCode(2027, 1).previous()) == "2026-Q4"
    assert all(day.weekday() == 0 and q4.start <= day <= q4.end for day in q4.weeks())
    assert len(q4.weeks()) == 13


def test_stamps_sort_as_text_in_the_same_order_as_stamps() -> None:
    a, b = Stamp(1_700_000_000_000, 2, "aaa"), Stamp(1_700_000_000_000, 10, "aaa")
    assert a < b and str(a) < str(b)
    assert Stamp.parse(str(b)) == b


@given(st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=1, max_size=50))
def test_a_device_clock_never_goes_backwards_even_when_the_wall_clock_does(jumps: list[int]) -> None:
    clock = FixedClock.on(dt.date(2026, 11, 21))
    hlc = HybridClock(clock, "device-a")
    previous = hlc.tick()
    for jump in jumps:
        clock.advance(milliseconds=jump)
        stamp = hlc.tick()
        assert stamp > previous
        previous = stamp


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=1000))
def test_observing_a_remote_stamp_moves_past_it(skew_ms: int, counter: int) -> None:
    clock = FixedClock.on(dt.date(2026, 11, 21))
    local = HybridClock(clock, "laptop-1")
    remote = Stamp(int(clock.now().timestamp() * 1000) + skew_ms, counter, "laptop-2")
    assert local.observe(remote) > remote
    assert local.tick() > remote
