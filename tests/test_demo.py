"""The demo force: real wards, every lifecycle state, deterministic, dated relative to today."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from commmatters_desktop.core import queries, rules
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.enums import FINISHED_ACTION, PersonRole, PriorityStatus
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Cycle, Priority, WardRole, WeekOfAction
from commmatters_desktop.demo import DEMO_PASSPHRASE, NoKeyring, build, demo_wards, open_demo
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import NotAVault, Vault
from tests.conftest import GM_BOROUGHS

S = PriorityStatus


def priorities_in(vault: Vault, cycle: str) -> list[Priority]:
    with vault.reading() as s:
        found = list(s.scalars(select(Priority).join(Cycle).where(Cycle.code == cycle)))
        for p in found:  # load what the checks below read, while the session is open
            _ = (p.plan, p.actions, p.feedback, p.ward.name)
        return found


def test_forty_real_wards_four_in_each_borough() -> None:
    chosen = demo_wards()
    assert len(chosen) == 40
    assert Counter(la for _c, _n, _lc, la in chosen) == {la: 4 for la in GM_BOROUGHS}


def test_the_live_cycle_has_a_priority_in_every_state(demo_vault: Vault) -> None:
    statuses = Counter(p.status for p in priorities_in(demo_vault, "2026-Q4"))
    assert set(statuses) == set(PriorityStatus)
    assert sum(statuses.values()) == 37  # three wards have not nominated a priority yet


def test_last_quarter_is_at_feedback_or_closed(demo_vault: Vault) -> None:
    last = priorities_in(demo_vault, "2026-Q3")
    assert len(last) == 40 and {p.status for p in last} == {S.FEEDBACK_GIVEN, S.CLOSED}


def test_every_demo_priority_obeys_the_rules_for_where_it_stands(demo_vault: Vault) -> None:
    for p in priorities_in(demo_vault, "2026-Q4") + priorities_in(demo_vault, "2026-Q3"):
        if p.status in (S.IN_ACTION, S.ASSESSING, S.FEEDBACK_GIVEN, S.CLOSED):
            assert rules.in_action_blockers(p) == [], p.ward.name
        if p.status in (S.FEEDBACK_GIVEN, S.CLOSED):
            assert p.feedback and p.plan is not None and p.plan.outcome is not None
        if p.status is S.CLOSED:
            assert rules.close_blockers(p) == [] and all(a.status in FINISHED_ACTION for a in p.actions)
        for feedback in p.feedback:
            assert feedback.given_on <= dt.date(2026, 11, 21)


def test_each_ward_has_an_officer_a_pcso_and_a_panel_chair(demo_vault: Vault) -> None:
    with demo_vault.reading() as s:
        roles = Counter(s.scalars(select(WardRole.role)))
        weeks = s.scalars(select(WeekOfAction)).all()
    kin = roles.pop(PersonRole.KEY_INDIVIDUAL)
    assert roles.pop(PersonRole.PARTNER_CONTACT) == 40  # each council's ASB officer covers its wards
    assert roles == {PersonRole.WARD_OFFICER: 40, PersonRole.PCSO: 40, PersonRole.PANEL_CHAIR: 40}
    assert 80 <= kin <= 120  # two or three key individuals a ward
    assert weeks and all(w.week_start.weekday() == 0 for w in weeks)


def test_the_demo_is_deterministic(tmp_path: Path, demo_vault: Vault) -> None:
    clock = FixedClock.on(dt.date(2026, 11, 21))

    def summary(vault: Vault) -> list[tuple[str, str | None, str]]:
        with vault.reading() as s:
            return [
                (r.code, r.priority_status, r.priority_title) for r in queries.ward_rows(s, cycle="2026-Q4")
            ]  # type: ignore[misc]

    with build(tmp_path / "again", clock=clock) as again:
        assert summary(again) == summary(demo_vault)


def test_the_demo_follows_today(tmp_path: Path) -> None:
    with build(tmp_path / "later", clock=FixedClock.on(dt.date(2027, 5, 2))) as later, later.reading() as s:
        codes = set(s.scalars(select(Cycle.code)))
    assert codes == {"2027-Q3", "2027-Q2", "2027-Q1"}  # next quarter exists: its panel is booked


def test_a_stale_demo_is_rebuilt_for_the_new_quarter(demo_dir: Path) -> None:
    notes: list[str] = []
    with (
        open_demo(demo_dir, clock=FixedClock.on(dt.date(2027, 1, 6)), notify=notes.append) as vault,
        vault.reading() as s,
    ):
        assert "2027-Q1" in set(s.scalars(select(Cycle.code)))
    assert notes == ["Rebuilding the demo force for this quarter ..."]


def test_the_demo_opens_without_any_keyring(demo_dir: Path, no_keyring: None, clock: FixedClock) -> None:
    with open_demo(demo_dir, clock=clock) as vault:
        assert vault.is_demo
    with Vault.open(demo_dir, keystore=NoKeyring(), passphrase=DEMO_PASSPHRASE, clock=clock) as vault:
        assert vault.is_demo


def test_the_demo_never_touches_a_real_vault_or_a_busy_folder(vault_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(NotAVault, match="holds a real vault"):
        open_demo(vault_dir)
    Vault.open(vault_dir, keystore=KeyringStore()).close()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(UserError, match="not empty"):
        open_demo(busy)
    assert (busy / "thesis.docx").read_bytes() == b"precious"
