"""The force-scale vault: five years of Community Matters for the largest force, built through the services.

``build(folder, wards=680)`` makes, deterministically (fixed seed, frozen clock), 680 wards over 20
quarterly cycles: per ward and quarter one panel meeting, ten nominations, the panel's decision (one
priority, the other nine declined), a SARA plan with a measure and about six partner actions, the
week of action, assessment, feedback and closure; past quarters are closed (a few escalated or not
taken forward), the current one is spread over the board like the demo's. Each ward has seven named
people (officers, a panel chair and members, key individuals), so the privacy scan meets 4,760 names.
Everything goes through the same services the window uses, so the change log, field clocks, audit
trail and public-wording approvals are what real use produces.

The force is built as a force's laptops make it: two of them side by side (one per core), each recording
whole boroughs; the second joins the first's sync team from a snapshot (the force-wide partners) and
sends its five years back as a snapshot, which the first, the coordinator's laptop, takes in (see
:func:`build`). The coordinator's change log holds its own history; the other laptop's arrives as
state with its stamps, as it does on any laptop that joins from a snapshot.

Command line (from the repository root)::

    python -m tests.benchmarks.forcescale build [--size big|small] [--cache DIR] [--force]
    python -m tests.benchmarks.forcescale table [--cache DIR] [--json FILE] [--markdown FILE]

The cache (``--cache``, else ``$CMD_BENCH_CACHE``, else a folder in the system's temp directory) holds
``big/`` and ``small/`` (and ``wide/``), each a ``vault/`` folder, the
``keyring.json`` its key lives in (see :mod:`tests.benchmarks.filekeyring`) and ``build.json`` (what
was built and how long it took). Copy a cached vault before changing it: :func:`open_copy` does.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, ids, public
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import (
    ActionKind,
    AgencyKind,
    ContactChannel,
    FeedbackChannel,
    Outcome,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.models import Agency, Nomination, PanelMeeting, Priority, Synced, Ward
from commmatters_desktop.core.services import engagement, people, planning, priorities, response, wards
from commmatters_desktop.core.services import kin as kin_service
from commmatters_desktop.demo import (
    AGENCY_NAMES,
    CURRENT_SPREAD,
    FIRST,
    FORCE_WIDE,
    LAST,
    PROBLEMS,
    SAID_VARIANTS,
    VENUES,
    Problem,
    Timeline,
)
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault
from tests.benchmarks import filekeyring

S = PriorityStatus
SEED = 15
#: The day the vault is built "on": its current quarter is the last of the twenty.
TODAY = dt.date(2026, 11, 21)
PASSPHRASE = "force scale benchmark vault"
ACTOR = "force-scale generator"
CYCLES = 20
#: name: (wards, quarters). "wide" is the big force's 680 wards over its last two quarters only: the
#: figures that grow with the number of wards, for a machine or a session that cannot wait for "big".
SIZES: dict[str, tuple[int, int]] = {"big": (680, CYCLES), "small": (40, CYCLES), "wide": (680, 2)}
NOMINATIONS = 10
#: Named people per ward (two officers, a panel chair and two members, two key individuals).
PEOPLE_PER_WARD = 7
WARDS_PER_AUTHORITY = 20
#: Wards whose ward-quarters share one transaction (one user event would be one ward; a bulk import many):
#: a laptop's whole slice, so each quarter is one commit a laptop. Every commit writes each page the unit
#: changed again (the edge of each index a unit appends to, the pages above it): with 20 wards a unit the
#: same pages went to the write-ahead log 17 times a quarter (680 wards x 4 quarters: 90 to 105 s against
#: 84 to 85 s; the big build's peak memory 1.41 GiB against 1.32 GiB).
BATCH = 360
SUFFIXES = ("", "s", "e", "son", "-Hall", "-Reid", "ley", "worth", "-Khan", "by", "ton", "-Ali", "er")


@dataclass
class Quarter:
    """One ward's quarter between its nominations and the panel's decision."""

    ward: Ward
    cycle: CycleCode
    status: PriorityStatus | None
    time_: Timeline
    index: int
    rng: random.Random
    meeting: PanelMeeting
    nominations: list[Nomination]


@dataclass
class BuildReport:
    size: str
    wards: int
    cycles: int
    seconds: float
    counts: dict[str, int]
    #: Seconds from the start to the end of each step (``build``: the coordinator's own wards; ``others``:
    #: the other laptops' snapshots written; ``take_in``: taken in). Older reports have none.
    phases: dict[str, float] = field(default_factory=dict)
    laptops: int = 1


def clock() -> FixedClock:
    """The frozen clock every benchmark opens the vaults with (their current quarter stays current)."""
    return FixedClock.on(TODAY)


def cycles_until(today: dt.date, count: int = CYCLES) -> list[CycleCode]:
    code = CycleCode.containing(today)
    found = [code]
    while len(found) < count:
        code = code.previous()
        found.append(code)
    return found[::-1]


def person_name(number: int) -> str:
    """Distinct invented names (20 x 20 x 13 before they repeat), so the scan meets as many as a force."""
    return f"{FIRST[number % 20]} {LAST[(number // 20) % 20]}{SUFFIXES[(number // 400) % len(SUFFIXES)]}"


class ForceBuilder:
    """One ward's five years at a time, through the services, inside the caller's unit of work."""

    def __init__(self, today: dt.date, cycle_count: int = CYCLES) -> None:
        self.today = today
        self.cycles = cycles_until(today, cycle_count)
        self.agency_ids: dict[tuple[str, AgencyKind], object] = {}
        self.people = 0

    def agency(self, s: Session, borough: str, kind: AgencyKind) -> Agency:
        key = (borough if kind in AGENCY_NAMES else "", kind)
        if key not in self.agency_ids:
            made = people.create_agency(
                s, name=AGENCY_NAMES[kind].format(borough=borough), kind=kind, contact_route="Call 101"
            )
            self.agency_ids[key] = made.id
            return made
        found = changes.get(s, Agency, self.agency_ids[key])
        assert found is not None
        return found

    def force_wide(self, s: Session) -> None:
        for name, kind in FORCE_WIDE:
            self.agency_ids[("", kind)] = people.create_agency(
                s, name=name, kind=kind, contact_route="101"
            ).id

    def known_force_wide(self, s: Session) -> None:
        """The force-wide partners another laptop recorded (this one joined from its snapshot)."""
        for name, kind in FORCE_WIDE:
            self.agency_ids[("", kind)] = s.scalars(
                select(Agency.id).where(Agency.name == name, Agency.kind == kind)
            ).one()

    def build(self, vault: Vault, numbers: range, progress: Callable[[str], None]) -> None:
        """The wards ``numbers`` and their five years, a batch of wards per unit of work."""
        self.people = PEOPLE_PER_WARD * numbers.start  # the names a build of every ward gives them
        ward_ids = []
        for start in range(numbers.start, numbers.stop, BATCH):
            with vault.unit_of_work(ACTOR) as unit, changes.bulk(unit) as s:
                ward_ids += [self.ward(s, n).id for n in range(start, min(start + BATCH, numbers.stop))]
        began = time.perf_counter()
        for position, cycle in enumerate(self.cycles):
            for offset in range(0, len(ward_ids), BATCH):
                with vault.unit_of_work(ACTOR) as unit, changes.bulk(unit) as s:
                    batch = ward_ids[offset : offset + BATCH]
                    found = {w.id: w for w in s.scalars(select(Ward).where(Ward.id.in_(batch)))}  # one query
                    # As an import then the panels: every ward's nominations first, so the rules' first
                    # query writes them in one flush, not one flush a ward.
                    opened = [
                        self.nominations(s, found[ward_id], number, cycle)
                        for number, ward_id in enumerate(batch, numbers.start + offset)
                    ]
                    for quarter in opened:
                        self.decide(s, quarter)
            elapsed = time.perf_counter() - began
            progress(f"{cycle}: {position + 1}/{len(self.cycles)} quarters, {elapsed:.0f} s")

    def ward(self, s: Session, number: int) -> Ward:
        borough = f"Borough {number // WARDS_PER_AUTHORITY + 1:02d}"
        ward = wards.create_ward(
            s,
            code=f"E05{900000 + number:06d}",
            name=f"{borough} Ward {number % WARDS_PER_AUTHORITY + 1:02d}",
            la_code=f"E08{900000 + number // WARDS_PER_AUTHORITY:06d}",
            la_name=borough,
            vintage="WD22",
        )
        ward.team_contact = f"Call 101 or email {borough.lower().replace(' ', '')}@force-scale.example"
        rng = random.Random(SEED * 100_003 + number)
        team = self.agency(s, borough, AgencyKind.POLICE_TEAM)
        for role, rank in ((PersonRole.WARD_OFFICER, "PC"), (PersonRole.PCSO, "PCSO")):
            officer = people.create_person(
                s,
                full_name=f"{rank} {self.name()}",
                role=role,
                agency=team,
                title=f"{rank} {rng.randint(1000, 9999)}",
            )
            people.assign(s, ward=ward, person=officer, role=role)
        for role in (PersonRole.PANEL_CHAIR, PersonRole.PANEL_MEMBER, PersonRole.PANEL_MEMBER):
            member = people.create_person(
                s, full_name=self.name(), role=role, phone=f"07700 900{rng.randint(100, 999)}"
            )
            people.assign(s, ward=ward, person=member, role=role)
        for community in ("Young people", "Business community"):
            kin_service.add_key_individual(
                s,
                ward=ward,
                full_name=self.name(),
                community=community,
                preferred_contact=ContactChannel.EMAIL,
                email=f"kin{self.people}@example.com",
                consent_on=self.today - dt.timedelta(days=200),
                consent_basis="Signed KIN form",
            )
        assert self.people == PEOPLE_PER_WARD * (number + 1), "each ward's people: PEOPLE_PER_WARD"
        return ward

    def name(self) -> str:
        self.people += 1
        return person_name(self.people)

    def quarter(self, s: Session, ward: Ward, number: int, cycle: CycleCode) -> None:
        self.decide(s, self.nominations(s, ward, number, cycle))

    def nominations(self, s: Session, ward: Ward, number: int, cycle: CycleCode) -> Quarter:
        """The panel meeting and what the community raised (an import's part of the quarter)."""
        rng = random.Random(f"{SEED}|{ward.code}|{cycle}")
        current = cycle == self.cycles[-1]
        status = CURRENT_SPREAD[number % len(CURRENT_SPREAD)] if current else self.past_status(number, cycle)
        index = number + cycle.quarter
        time_ = Timeline(cycle, self.today)
        meeting = engagement.record_meeting(
            s,
            ward=ward,
            cycle=str(cycle),
            held_on=time_.at(0.1),
            venue=f"{ward.name} {VENUES[index % len(VENUES)]}",
            attendance=8 + rng.randint(0, 30),
        )
        nominations = []
        for offset in range(NOMINATIONS):
            other = PROBLEMS[(index + offset) % len(PROBLEMS)]
            channel, _ = SAID_VARIANTS[(index + offset) % len(SAID_VARIANTS)]
            nominations.append(
                engagement.nominate(
                    s,
                    ward=ward,
                    cycle=str(cycle),
                    wording=other.said,
                    channel=channel,
                    category=other.category,
                    support=max(1, rng.randint(3, 60) // (offset + 1)),
                    raised_on=time_.at(0.05),
                    source_ref=f"fs-{cycle}-{ward.code}-{offset}",
                )
            )
        return Quarter(ward, cycle, status, time_, index, rng, meeting, nominations)

    def decide(self, s: Session, q: Quarter) -> None:
        """The panel's decision and the priority's journey to where the quarter's status says."""
        status, ward, cycle, nominations = q.status, q.ward, q.cycle, q.nominations
        problem = PROBLEMS[q.index % len(PROBLEMS)]
        if status is None:
            return
        if status in (S.NOMINATED, S.NOT_TAKEN_FORWARD):
            priority = priorities.propose(
                s, ward=ward, cycle=str(cycle), title=problem.title, nomination=nominations[0]
            )
            if status is S.NOT_TAKEN_FORWARD:
                priorities.not_taken_forward(
                    s, priority=priority, reason="A matter for the council's licensing team."
                )
            return
        decision = engagement.record_panel_decision(
            s,
            meeting=q.meeting,
            chosen=nominations[0],
            title=problem.title,
            lead_agency=self.agency(s, ward.la_name, problem.lead),
        )
        found = changes.get(s, Priority, decision.priority_id)
        assert found is not None
        self.advance(s, found, problem, ward, status, q.time_, q.index, q.rng)

    @staticmethod
    def past_status(number: int, cycle: CycleCode) -> PriorityStatus | None:
        turn = number * 7 + cycle.year * 4 + cycle.quarter
        if turn % 23 == 0:
            return S.NOT_TAKEN_FORWARD
        if turn % 17 == 0:
            return S.ESCALATED
        return S.CLOSED

    def advance(
        self,
        s: Session,
        priority: Priority,
        problem: Problem,
        ward: Ward,
        status: PriorityStatus,
        time_: Timeline,
        index: int,
        rng: random.Random,
    ) -> None:
        """The demo's journey from agreed to closed, with a follow-up action (six actions in all)."""
        week = time_.week_of_action(status, index)
        planning.set_week(s, ward=ward, cycle=priority.cycle.code, week_start=week)
        target = S.IN_ACTION if status is S.ESCALATED else status
        if target is S.AGREED:
            return
        priorities.move(s, priority=priority, target=S.PLANNING)
        priorities.update_plan(
            s,
            priority=priority,
            problem_statement=problem.statement,
            evidence=f"Panel and online nominations; {problem.measure.lower()} over the last three months.",
            baseline=f"{problem.measure}: see measures.",
            victim=problem.victim,
            offender=problem.offender,
            location=problem.location,
            causes=problem.causes,
        )
        baseline = float(rng.randint(9, 30))
        measure = response.add_measure(
            s,
            priority=priority,
            name=problem.measure,
            source="Police and council reports",
            unit="reports",
            baseline_period="3 months before",
            baseline_value=baseline,
            target_value=round(baseline * 0.6),
        )
        work = [
            *problem.actions,
            (ActionKind.PREVENTION, AgencyKind.POLICE_TEAM, "Follow-up patrols", "Done."),
        ]
        actions = [
            response.add_action(
                s,
                priority=priority,
                description=description,
                kind=kind,
                owner_agency=self.agency(s, ward.la_name, owner),
                due_on=week + dt.timedelta(days=rng.randint(0, 13)),
            )
            for kind, owner, description, _done in work
        ]
        feedback_action = response.add_action(
            s,
            priority=priority,
            description="'You said, we did' leaflet and report back to the ward panel",
            kind=ActionKind.FEEDBACK,
            owner_agency=self.agency(s, ward.la_name, AgencyKind.POLICE_TEAM),
            due_on=week + dt.timedelta(days=28),
        )
        approve(s, measure, "name")
        for action in [*actions, feedback_action]:
            approve(s, action, "description")
        if target is S.PLANNING:
            return
        priorities.move(s, priority=priority, target=S.IN_ACTION)
        done_count = len(actions) // 2 if target is S.IN_ACTION else len(actions)
        for action, (_k, _o, _d, done) in list(zip(actions, work, strict=True))[:done_count]:
            response.complete_action(s, action=action, note=done, on=time_.clamp(action.due_on or week))
            approve(s, action, "completion_note")
        if status is S.ESCALATED:
            priorities.escalate(s, priority=priority, reason="Referred to CSP tasking.")
            return
        if target is S.IN_ACTION:
            return
        priorities.move(s, priority=priority, target=S.ASSESSING)
        after = float(max(1, round(baseline * rng.uniform(0.3, 0.8))))
        response.record_result(s, measure=measure, after_period="3 months after", after_value=after)
        if target is S.ASSESSING:
            return
        priorities.record_assessment(
            s,
            priority=priority,
            outcome=Outcome.ACHIEVED if rng.random() < 0.7 else Outcome.PARTLY_ACHIEVED,
            assessment=f"{problem.measure} fell from {baseline:g} to {after:g}.",
            assessed_on=time_.clamp(max(time_.at(0.7), week + dt.timedelta(days=7))),
        )
        priorities.set_public_wording(s, priority=priority, issue=problem.said, action=problem.public_action)
        given = time_.clamp(max(time_.at(0.85), week + dt.timedelta(days=14)))
        response.record_feedback(
            s,
            priority=priority,
            channel=FeedbackChannel.PANEL,
            given_on=given,
            summary="Results reported back at the ward panel meeting.",
        )
        priorities.move(s, priority=priority, target=S.FEEDBACK_GIVEN)
        if target is S.FEEDBACK_GIVEN:
            return
        response.complete_action(s, action=feedback_action, note="Leaflets delivered.", on=given)
        approve(s, feedback_action, "completion_note")
        priorities.move(s, priority=priority, target=S.CLOSED)


def approve(s: Session, record: Synced, name: str) -> None:
    """What the officer does with "Approve all drafts" (as the demo's officer has): typed text that the
    detector finds clean becomes public wording, so the leaflets of past quarters can be made."""
    public.approve_typed(s, record, [name])  # unless already approved, or the detector flags it


#: Laptops that build the force side by side, one per core of the benchmark machine (two). Each records
#: a slice of whole boroughs, as a force's neighbourhood teams record their own wards; the first is the
#: coordinator's laptop, whose vault is the one built: it takes in the others' work through sync.
LAPTOPS = 2
#: The passphrase of the sync team the laptops form while building (the folder is removed afterwards).
BUILD_TEAM_PASSPHRASE = "force scale build team"


#: The coordinator's share of the wards against another laptop's: the others also write a snapshot of
#: their slice when they finish (about a tenth of the time they took to build it), which the coordinator
#: waits for.
COORDINATOR_WEIGHT = 1.1


def slices(wards_count: int, laptops: int = LAPTOPS) -> list[range]:
    """The wards each laptop builds: whole boroughs (so no borough's partners are made twice), the
    coordinator's share a little larger (:data:`COORDINATOR_WEIGHT`); fewer laptops than asked when there
    are fewer boroughs."""
    boroughs = -(-wards_count // WARDS_PER_AUTHORITY)
    count = max(1, min(laptops, boroughs))
    weights = [COORDINATOR_WEIGHT] + [1.0] * (count - 1)
    bounds = [
        round(sum(weights[:n]) / sum(weights) * boroughs) * WARDS_PER_AUTHORITY for n in range(count + 1)
    ]
    return [range(bounds[n], min(bounds[n + 1], wards_count)) for n in range(count)]


def _ids(wards_count: int, cycle_count: int, laptop: int, today: dt.date) -> ids.IdSource:
    """Record ids from the frozen clock and the seed: the same vault every time, its keys in creation
    order. Laptop n's clock reads n - 1 ms later, so its records sort after the coordinator's (a joined
    block of rows goes at the end of each index, not between its rows)."""
    ms = int(FixedClock.on(today).now().timestamp() * 1000) + laptop - 1
    seed = f"{SEED}|{wards_count}|{cycle_count}" + (f"|laptop {laptop}" if laptop > 1 else "")
    return ids.IdSource.seeded(seed, ms)


def build(
    folder: Path,
    *,
    wards_count: int,
    cycle_count: int = CYCLES,
    today: dt.date = TODAY,
    progress: Callable[[str], None] = lambda _m: None,
    laptops: int = LAPTOPS,
    phases: dict[str, float] | None = None,
) -> dict[str, int]:
    """Create the vault in ``folder`` (its key goes to the current keyring) and fill it; returns counts.

    With more than one laptop (and borough), the coordinator's laptop records the force-wide partners,
    founds a sync team in a scratch folder beside ``folder`` and writes a snapshot; each other laptop (a
    process of its own) joins from it, builds its boroughs and writes its own snapshot, which the
    coordinator takes in, as a laptop does when another's early files were compacted away. The
    coordinator then leaves the scratch team (a new device id, as after any ``sync --leave``), so the
    vault syncs with whichever folder it is given next. ``phases`` receives how long each step took.
    """
    from commmatters_desktop.sync import engine
    from commmatters_desktop.sync.snapshot import take_snapshot
    from commmatters_desktop.sync.team import leave

    timing = phases if phases is not None else {}
    began = time.perf_counter()
    clock = FixedClock.on(today)
    parts = slices(wards_count, laptops)
    shared = folder.parent / f"{folder.name}.build-folder"
    source = _ids(wards_count, cycle_count, 1, today)
    with ids.use(source):
        vault = Vault.create(folder, passphrase=PASSPHRASE, keystore=KeyringStore(), clock=clock)
    with vault, contextlib.ExitStack() as others_running:
        builder = ForceBuilder(today, cycle_count)
        with ids.use(source), vault.unit_of_work(ACTOR) as s:
            builder.force_wide(s)
        others: list[concurrent.futures.Future[str]] = []
        if len(parts) > 1:
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            team = engine.team_keys(vault, shared, BUILD_TEAM_PASSPHRASE)
            engine.write_snapshot(vault, shared, team)  # the force-wide partners, for the others to join from
            pool = others_running.enter_context(
                # spawn: a clean process, with no copy of this one's connections
                concurrent.futures.ProcessPoolExecutor(
                    len(parts) - 1, mp_context=multiprocessing.get_context("spawn")
                )
            )
            others = [
                pool.submit(
                    _laptop, str(shared), laptop, (part.start, part.stop), wards_count, cycle_count, today
                )
                for laptop, part in enumerate(parts[1:], 2)
            ]
        with ids.use(source), vault.building():
            builder.build(vault, parts[0], progress)
        timing["build"] = time.perf_counter() - began
        if others:
            written = [future.result() for future in others]  # a laptop's failure is raised here
            timing["others"] = time.perf_counter() - began
            report = engine.SyncReport()
            for path in written:
                if not take_snapshot(vault, shared, team, report, Path(path)):
                    raise RuntimeError(f"the coordinator could not take in {path}: {report.rejected}")
            if report.conflicts:
                raise RuntimeError(f"{report.conflicts} conflicts taking in the laptops' snapshots")
            leave(vault)
            timing["take_in"] = time.perf_counter() - began
        with vault.reading() as s:
            found = counts(s)
    shutil.rmtree(shared, ignore_errors=True)
    return found


def _laptop(
    shared: str, laptop: int, wards: tuple[int, int], wards_count: int, cycle_count: int, today: dt.date
) -> str:
    """Another laptop of the force, in a process of its own: joins the build's folder (the force-wide
    partners), builds its wards and writes a snapshot of everything it holds; returns the snapshot's path."""
    from commmatters_desktop.sync import engine

    folder = Path(shared)
    home = folder.parent / f"{folder.name}-laptop-{laptop}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    filekeyring.use(home / "keyring.json")
    clock = FixedClock.on(today)
    source = _ids(wards_count, cycle_count, laptop, today)
    with ids.use(source):
        vault = Vault.create(home / "vault", passphrase=PASSPHRASE, keystore=KeyringStore(), clock=clock)
    with vault:
        engine.sync(vault, folder, passphrase=BUILD_TEAM_PASSPHRASE)
        builder = ForceBuilder(today, cycle_count)
        with vault.reading() as s:
            builder.known_force_wide(s)
        with ids.use(source), vault.building():
            builder.build(vault, range(*wards), lambda m: print(f"laptop {laptop}: {m}", flush=True))
        path = engine.write_snapshot(vault, folder, engine.team_keys(vault, folder, None))
    shutil.rmtree(home, ignore_errors=True)  # its work is in the snapshot
    return str(path)


def counts(s: Session) -> dict[str, int]:
    from commmatters_desktop.core.models import (
        Action,
        AuditEvent,
        ChangeLog,
        FieldClock,
        Nomination,
        Person,
        PublicApproval,
    )

    models = {
        "wards": Ward,
        "people": Person,
        "priorities": Priority,
        "actions": Action,
        "nominations": Nomination,
        "change_log": ChangeLog,
        "field_clocks": FieldClock,
        "audit_events": AuditEvent,
        "public_approvals": PublicApproval,
    }
    return {name: s.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()}


# --- the cache other processes share ------------------------------------------------------------------------


def cache_root(given: str | None = None) -> Path:
    if given:
        return Path(given)
    if os.environ.get("CMD_BENCH_CACHE"):
        return Path(os.environ["CMD_BENCH_CACHE"])
    return Path(tempfile.gettempdir()) / "commmatters-bench-cache"


@dataclass(frozen=True)
class Cached:
    """A built vault in the cache: its folder, its keyring file and how it was built."""

    root: Path

    @property
    def vault(self) -> Path:
        return self.root / "vault"

    @property
    def keyring(self) -> Path:
        return self.root / "keyring.json"

    @property
    def report_path(self) -> Path:
        return self.root / "build.json"

    def report(self) -> BuildReport | None:
        try:
            return BuildReport(**json.loads(self.report_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None


def ensure(
    size: str, root: Path | None = None, *, rebuild: bool = False, progress: Callable[[str], None] = print
) -> Cached:
    """The cached vault of ``size``, built first if missing (or ``rebuild``)."""
    cached = Cached((root or cache_root()) / size)
    if cached.report() is not None and not rebuild:
        filekeyring.use(cached.keyring)
        return cached
    if cached.root.exists():
        shutil.rmtree(cached.root)
    cached.root.mkdir(parents=True)
    filekeyring.use(cached.keyring)
    began = time.perf_counter()
    wards_count, cycle_count = SIZES[size]
    phases: dict[str, float] = {}
    built = build(
        cached.vault, wards_count=wards_count, cycle_count=cycle_count, progress=progress, phases=phases
    )
    seconds = round(time.perf_counter() - began, 1)
    report = BuildReport(
        size, wards_count, cycle_count, seconds, built, {k: round(v, 1) for k, v in phases.items()},
        len(slices(wards_count)),
    )  # fmt: skip
    cached.report_path.write_text(json.dumps(asdict(report), indent=1), encoding="utf-8")
    return cached


def open_copy(cached: Cached, target: Path, *, clock: FixedClock | None = None) -> Vault:
    """A private copy of a cached vault, opened with its key (the cached one stays as built)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(cached.vault, target)
    filekeyring.use(cached.keyring)
    return Vault.open(target, keystore=KeyringStore(), clock=clock or FixedClock.on(TODAY))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.forcescale", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build (or rebuild with --force) the cached vaults")
    make.add_argument("--size", choices=[*SIZES, "all"], default="all")
    make.add_argument("--cache", help="cache folder (default $CMD_BENCH_CACHE, else the temp directory)")
    make.add_argument("--force", action="store_true", help="rebuild even if cached")
    make.add_argument("--wards", type=int, help="build this many wards into --cache/custom instead")
    table = commands.add_parser("table", help="measure every figure and print the table")
    table.add_argument("--cache", help="cache folder (default $CMD_BENCH_CACHE, else the temp directory)")
    table.add_argument("--json", help="write the figures as JSON here")
    table.add_argument("--markdown", help="write the table as markdown here")
    table.add_argument("--only", help="comma-separated figure names to measure (default all)")
    table.add_argument("--sizes", default="big,small", help="vaults to measure (default big,small)")
    table.add_argument("--big", default="big", choices=list(SIZES), help="the vault in the 'big' column")
    args = parser.parse_args(argv)
    root = cache_root(args.cache)
    if args.command == "build":
        if args.wards:
            SIZES["custom"] = (args.wards, CYCLES)
            sizes = ["custom"]
        else:
            sizes = ["big", "small"] if args.size == "all" else [args.size]
        for size in sizes:
            cached = ensure(size, root, rebuild=args.force, progress=lambda m: print(m, flush=True))
            print(json.dumps(asdict(cached.report() or BuildReport(size, 0, 0, 0, {}))), flush=True)
        return 0
    from tests.benchmarks import figures

    return figures.run_table(
        root, json_path=args.json, markdown_path=args.markdown, only=args.only, sizes=args.sizes, big=args.big
    )


if __name__ == "__main__":
    sys.exit(main())
