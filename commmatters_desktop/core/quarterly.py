"""What the quarterly report for the Safer Neighbourhood Board / PCC says, and the police.uk export.

Both are public: they are built only from fields that are public by design (the ward, the status, the
week of action, counts of actions by kind, the approved public wording ``public_issue`` and
``public_action``, the assessment's outcome, feedback channels and dates, survey figures, crime
counts). Officer-written free text (titles, problem statements, action notes, feedback summaries) may
name people and is never used. The approved wording is still screened (:mod:`core.privacy`) and
withheld if it holds personal data. Figures under 5 are "fewer than 5".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from commmatters_desktop.core import privacy, public, surveys
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import AGREED_OR_LATER, ActionStatus, PriorityStatus
from commmatters_desktop.core.evidence import add_months, month_of, month_range
from commmatters_desktop.core.models import Priority, Ward, WeekOfAction, natural_id
from commmatters_desktop.core.services import crime, force

OGL_LINE = "Contains public sector information licensed under the Open Government Licence v3.0."
WITHHELD = "(wording withheld: it needs redacting before it can be published)"
NOT_APPROVED = "(no approved public wording yet)"


VERDICT_LABELS = {
    "beat_trend": "Fell more than the background trend",
    "in_line_with_trend": "Changed no more than the background trend",
    "too_small_to_tell": "Too small to tell from noise",
    "worse_than_trend": "Worse than the background trend",
    "no_data": "No crime recorded to compare",
    "": "Not yet comparable (months not imported)",
}


@dataclass(frozen=True)
class WardReport:
    code: str
    name: str
    la_name: str
    status: str
    issue: str
    week_of_action: dt.date | None
    actions_done: int
    actions_total: int
    actions_by_kind: dict[str, int]
    what_we_did: str
    outcome: str
    verdict: str
    feedback: list[str]
    survey: str
    #: What the comparison measured ("Drugs, Apr 2026–Jun 2026 against Aug 2026–Oct 2026, ...").
    measured: str = ""
    #: The verdict's kind (core.evidence.Verdict value), "" when there is none.
    verdict_kind: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "ward": self.code,
            "name": self.name,
            "local_authority": self.la_name,
            "status": self.status,
            "issue": self.issue,
            "week_of_action": self.week_of_action.isoformat() if self.week_of_action else None,
            "actions_done": self.actions_done,
            "actions_total": self.actions_total,
            "actions_done_by_kind": self.actions_by_kind,
            "what_we_did": self.what_we_did,
            "outcome": self.outcome,
            "comparison_verdict": self.verdict,
            "comparison_measured": self.measured,
            "comparison_result": self.verdict_kind or None,
            "feedback": self.feedback,
            "survey_trend": self.survey,
        }


@dataclass
class QuarterlyReport:
    cycle: str
    force_name: str
    today: dt.date
    wards: list[WardReport] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    months: list[str] = field(default_factory=list)
    force_monthly: dict[str, tuple[int, int]] = field(default_factory=dict)
    months_missing: list[str] = field(default_factory=list)
    confidence: list[tuple[str, float, float, float, int]] = field(default_factory=list)

    def verdicts(self) -> dict[str, int]:
        """How many priorities beat the background trend, matched it, and so on (for the summary)."""
        counts = Counter(w.verdict_kind for w in self.wards if w.verdict)
        return {VERDICT_LABELS[k]: counts[k] for k in VERDICT_LABELS if counts[k]}

    def as_json(self) -> dict[str, object]:
        return {
            "cycle": self.cycle,
            "force": self.force_name,
            "as_at": self.today.isoformat(),
            "statuses": self.statuses,
            "force_totals": {m: {"crime": c, "asb": a} for m, (c, a) in self.force_monthly.items()},
            "months_not_imported": self.months_missing,
            "wards": [w.as_json() for w in self.wards],
            "attribution": OGL_LINE,
        }


def _public(session: Session, record: Priority, field: str, names: privacy.Scanner) -> str:
    """The field as core.public clears it, or why it is left out (the same gate as every output)."""
    cleared = public.cleared(session, record, field, names)
    if cleared is not None:
        return cleared
    text = str(getattr(record, field) or "").strip()
    return WITHHELD if text and names.scan(text) else NOT_APPROVED


def _priorities(session: Session, cycle: str) -> list[Priority]:
    """The ward's agreed (or later, or escalated) priority this cycle, one per ward."""
    rows = session.scalars(
        select(Priority)
        .where(Priority.deleted.is_(False), Priority.status.in_(AGREED_OR_LATER))
        .where(Priority.cycle.has(code=cycle))
        .options(selectinload(Priority.actions), selectinload(Priority.feedback), selectinload(Priority.plan))
    )
    return list(rows)


def build_report(session: Session, *, cycle: str, today: dt.date) -> QuarterlyReport:
    code = CycleCode.parse(cycle)
    names = privacy.scanner(session)
    report = QuarterlyReport(str(code), force.force_name(session), today)
    priorities = {p.ward_id: p for p in _priorities(session, str(code))}
    weeks = dict(
        session.execute(
            select(WeekOfAction.ward_id, WeekOfAction.week_start).where(
                WeekOfAction.deleted.is_(False), WeekOfAction.cycle_id == natural_id("cycle", str(code))
            )
        ).all()
    )
    all_waves = surveys.waves(session)
    statuses: Counter[str] = Counter()
    for ward in session.scalars(
        select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.la_name, Ward.name)
    ):
        p = priorities.get(ward.id)
        ward_waves = [w for w in all_waves if w.ward_code == ward.code]
        survey_text = surveys.trend_sentence(surveys.trend(ward_waves))
        if p is None:
            statuses["No agreed priority"] += 1
            report.wards.append(
                WardReport(ward.code, ward.name, ward.la_name, "No agreed priority", "No priority agreed this quarter",
                           weeks.get(ward.id), 0, 0, {}, "", "", "", [], survey_text)
            )  # fmt: skip
            continue
        statuses[p.status.label] += 1
        done = [a for a in p.actions if a.status is ActionStatus.DONE]
        by_kind = Counter(a.kind.label for a in done)
        outcome = p.plan.outcome.label if p.plan and p.plan.outcome else "Not yet assessed"
        verdict = measured = kind = ""
        if p.status not in (PriorityStatus.AGREED, PriorityStatus.PLANNING):
            evidence = crime.priority_evidence(session, p.id)
            verdict, measured = evidence.sentence(), evidence.describe()
            kind = "" if evidence.missing else evidence.comparison.verdict.value
        report.wards.append(
            WardReport(
                ward.code, ward.name, ward.la_name, p.status.label, _public(session, p, "public_issue", names),
                weeks.get(ward.id), len(done), len(p.actions), dict(sorted(by_kind.items())),
                _public(session, p, "public_action", names) if p.public_action.strip() else "",
                outcome, verdict, [f"{f.channel.label}, {f.given_on:%d %b %Y}" for f in p.feedback],
                survey_text, measured, kind,
            )
        )  # fmt: skip
    report.statuses = dict(sorted(statuses.items(), key=lambda kv: -kv[1]))
    latest = crime.latest_month(session)
    if latest:
        last = min(latest, add_months(month_of(code.end), 0))
        report.months = month_range(add_months(last, -11), last)
        report.force_monthly = crime.force_monthly(session, report.months)
        report.months_missing = crime.missing_months(session, report.months)
    by_cycle: dict[str, list[int]] = {}
    for wave in all_waves:
        result = wave.result(surveys.HEADLINE)
        if result is not None:
            pooled = by_cycle.setdefault(wave.cycle, [0, 0])
            pooled[0] += result.positive
            pooled[1] += result.base
    for c, (positive, base) in sorted(by_cycle.items()):
        item = surveys.ItemResult(surveys.ITEM_BY_KEY[surveys.HEADLINE], positive, base)
        low, high = item.interval
        report.confidence.append((c, item.pct or 0.0, low, high, base))
    return report


# --- the police.uk neighbourhood priorities shape -----------------------------------------------------------


def police_uk_export(session: Session, *, cycle: str, demo: bool = False) -> dict[str, object]:
    """``{issue, issue-date, action, action-date}`` per priority, from approved public wording only.

    A priority without approved wording (``public_issue``) is left out and listed, so nothing an
    officer wrote for colleagues reaches the public site.
    """
    code = str(CycleCode.parse(cycle))
    names = privacy.scanner(session)
    neighbourhoods: list[dict[str, object]] = []
    left_out: list[dict[str, str]] = []
    for p in sorted(_priorities(session, code), key=lambda p: p.ward.code):
        # The same gate every public output asks (core.public): approved, unchanged since, still clean.
        issue = public.cleared(session, p, "public_issue", names)
        if issue is None:
            reason = _public(session, p, "public_issue", names)
            left_out.append({"ward": p.ward.code, "reason": "no approved public wording"
                             if reason == NOT_APPROVED else reason})  # fmt: skip
            continue
        action = public.cleared(session, p, "public_action", names) or ""
        action_date = None
        if action:
            dates = [f.given_on for f in p.feedback] or (
                [p.plan.assessed_on] if p.plan and p.plan.assessed_on else []
            )
            action_date = f"{min(d for d in dates if d):%Y-%m-%dT00:00:00}" if dates else None
        issue_date = p.agreed_on or CycleCode.parse(code).start
        neighbourhoods.append(
            {
                "neighbourhood": p.ward.code,
                "name": p.ward.name,
                "priorities": [
                    {
                        "issue": issue,
                        "issue-date": f"{issue_date:%Y-%m-%dT00:00:00}",
                        "action": action or None,
                        "action-date": action_date,
                    }
                ],
            }
        )
    return {
        "cycle": code,
        "force": force.force_name(session),
        "demo": demo,
        "neighbourhoods": neighbourhoods,
        "left_out": left_out,
        "attribution": OGL_LINE,
    }
