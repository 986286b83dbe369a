"""The demo force: 40 real Greater Manchester wards with a quarter of Community Matters in flight.

Everything is made through the same services the app uses, so the demo obeys every lifecycle
rule; it is deterministic (a fixed seed) and dated relative to today, so the current quarter is
always the live cycle and last quarter's priorities are at feedback or closed. The people in it
are invented; it holds no real personal data, so its recovery passphrase is published.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core import changes
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import (
    DEFAULT_GROUPS,
    ActionKind,
    AgencyKind,
    Channel,
    ContactChannel,
    FeedbackChannel,
    Outcome,
    PersonRole,
    PriorityStatus,
    ScheduleMode,
)
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Agency, PanelMeeting, Person, Priority, Ward
from commmatters_desktop.core.services import (
    cycles,
    engagement,
    force,
    kin,
    people,
    planning,
    priorities,
    response,
    wards,
)
from commmatters_desktop.importers.ons_wards import read_ward_lookup
from commmatters_desktop.paths import resource
from commmatters_desktop.storage.keystore import KeyStore
from commmatters_desktop.storage.vault import DEMO_META_KEY, NotAVault, PassphraseNeeded, Vault, VaultInfo

DEMO_PASSPHRASE = "community matters demo"
DEMO_FORCE_NAME = "Demo Force (Greater Manchester wards)"
DEMO_ACTOR = "demo builder"
WARDS_PER_BOROUGH = 4
SEED = 2026

S = PriorityStatus


class NoKeyring:
    """Demo vaults keep their key out of the user's keyring: the published passphrase opens them."""

    problem = "demo vaults are opened with their published passphrase"

    def load(self, vault_id: str) -> bytes | None:
        return None

    def save(self, vault_id: str, key: bytes) -> bool:
        return False

    def forget(self, vault_id: str) -> None:
        return None


@dataclass(frozen=True)
class Problem:
    """One kind of local problem, written the way residents and officers describe it."""

    title: str
    said: str
    category: str
    statement: str
    victim: str
    offender: str
    location: str
    causes: str
    measure: str
    lead: AgencyKind
    actions: tuple[tuple[ActionKind, AgencyKind, str, str], ...]
    public_action: str


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "Drug taking in the park",
        "People taking drugs in the park in the evenings; needles left by the play area.",
        "Drugs",
        "Evening drug use and discarded needles in the park near the children's play area.",
        "Families using the play area; park staff who clear litter",
        "Small groups of adults, mostly from outside the ward",
        "Shelter and benches behind the pavilion, unlit after 5pm",
        "No lighting, overgrown shrubs, no regular patrols",
        "Drug-related ASB reports in the park",
        AgencyKind.POLICE_TEAM,
        (
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.POLICE_TEAM,
                "High-visibility evening patrols during the week of action",
                "Patrols on five evenings; two people searched and referred to the drug service.",
            ),
            (
                ActionKind.ENVIRONMENTAL,
                AgencyKind.LOCAL_AUTHORITY,
                "Cut back shrubs and repair the lighting by the pavilion",
                "Shrubs cut back and two lamp columns repaired.",
            ),
            (
                ActionKind.ENVIRONMENTAL,
                AgencyKind.LOCAL_AUTHORITY,
                "Sharps sweep of the play area and fit a sharps bin",
                "Sharps sweep done; a sharps bin fitted by the gate.",
            ),
            (
                ActionKind.REFERRAL,
                AgencyKind.HEALTH,
                "Outreach sessions by the drug and alcohol service",
                "Two outreach evenings; three people engaged with treatment.",
            ),
        ),
        "Evening patrols, new lighting, a sharps bin and drug service outreach in the park.",
    ),
    Problem(
        "Speeding on the main road",
        "Cars racing along the main road past the primary school, especially at night.",
        "Roads",
        "Speeding and racing on the main road past the primary school, worst between 9pm and midnight.",
        "Pupils and parents crossing at school times; residents on the main road",
        "Local young drivers, some repeat vehicles",
        "Straight stretch between the two roundabouts",
        "Long straight road, no speed cameras, no traffic calming",
        "Speeding complaints on the main road",
        AgencyKind.POLICE_TEAM,
        (
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.POLICE_TEAM,
                "Speed checks with Community Speed Watch volunteers",
                "Six speed check sessions; 41 advisory letters sent.",
            ),
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.RESPONSE,
                "Response team to stop vehicles reported racing at night",
                "Two vehicles seized for no insurance.",
            ),
            (
                ActionKind.PREVENTION,
                AgencyKind.LOCAL_AUTHORITY,
                "Highways to assess the road for traffic calming",
                "Assessment done; speed indicator signs approved.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.SCHOOL,
                "Road safety assembly and parent letter at the primary school",
                "Assembly held and letter sent to every family.",
            ),
        ),
        "Speed checks with volunteers, vehicles seized, and speed signs approved by highways.",
    ),
    Problem(
        "Youth anti-social behaviour at the shops",
        "Groups of young people shouting and intimidating shoppers outside the precinct shops.",
        "Anti-social behaviour",
        "Groups of teenagers gathering outside the precinct shops after school, intimidating staff and shoppers.",
        "Shop staff and older shoppers",
        "Groups of 10-15 teenagers, some known to the school",
        "The precinct forecourt and the alley behind the shops",
        "Nowhere else to go after school; the youth club closed last year",
        "ASB reports at the precinct",
        AgencyKind.POLICE_TEAM,
        (
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.POLICE_TEAM,
                "PCSO engagement patrols after school",
                "Daily after-school patrols; names of regulars passed to the school.",
            ),
            (
                ActionKind.PREVENTION,
                AgencyKind.CHARITY,
                "Pop-up youth sessions by the youth charity",
                "Three pop-up sessions with 35 young people.",
            ),
            (
                ActionKind.SAFEGUARDING,
                AgencyKind.SAFEGUARDING,
                "Review the young people linked to repeated incidents",
                "Four young people offered early help.",
            ),
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.LOCAL_AUTHORITY,
                "Community protection warnings for repeat behaviour",
                "Two community protection warnings issued.",
            ),
        ),
        "After-school patrols, youth sessions by a local charity and early help for the young people involved.",
    ),
    Problem(
        "Fly-tipping in the back alleys",
        "Rubbish and old furniture dumped in the back alleys, attracting rats.",
        "Environmental",
        "Repeated fly-tipping in the terraced back alleys, with bulky waste left for weeks.",
        "Residents of the terraced streets",
        "Unknown; some waste traced to rogue waste carriers",
        "The alleys between the terraced streets",
        "Alleys not gated, collection costs, little chance of being caught",
        "Fly-tipping reports in the alleys",
        AgencyKind.LOCAL_AUTHORITY,
        (
            (
                ActionKind.ENVIRONMENTAL,
                AgencyKind.LOCAL_AUTHORITY,
                "Clear the alleys and search the waste for evidence",
                "Eleven tonnes cleared; evidence found in four piles.",
            ),
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.LOCAL_AUTHORITY,
                "Fixed penalty notices where evidence was found",
                "Three fixed penalty notices issued.",
            ),
            (
                ActionKind.PREVENTION,
                AgencyKind.HOUSING,
                "Housing association to fund alley gates on the worst two alleys",
                "Gates approved for two alleys.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.POLICE_TEAM,
                "Leaflet drop on bulky waste collections",
                "Leaflets delivered to 400 homes.",
            ),
        ),
        "Alleys cleared, fines issued where evidence was found, and alley gates approved.",
    ),
    Problem(
        "Off-road bikes on the estate",
        "Off-road bikes and e-scooters ridden dangerously across the estate and the fields.",
        "Anti-social behaviour",
        "Off-road motorbikes ridden across the estate green and playing fields, endangering pedestrians.",
        "Dog walkers and children on the green",
        "A handful of riders, some linked to bike thefts",
        "The estate green and the old railway path",
        "Easy access from the railway path; bikes stored in garages",
        "Off-road bike reports",
        AgencyKind.POLICE_TEAM,
        (
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.POLICE_TEAM,
                "Off-road bike operation with the specialist team",
                "Three bikes seized; two riders reported.",
            ),
            (
                ActionKind.ENVIRONMENTAL,
                AgencyKind.LOCAL_AUTHORITY,
                "Install barriers at the railway path entrances",
                "Barriers installed at three entrances.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.HOUSING,
                "Garage audit with the housing provider",
                "Garage audit completed; two tenancies warned.",
            ),
        ),
        "Bikes seized, barriers installed on the railway path and a garage audit with housing.",
    ),
    Problem(
        "Street drinking by the bus station",
        "Drinking and begging around the bus station benches make people feel unsafe.",
        "Anti-social behaviour",
        "Daytime street drinking, begging and litter around the bus station benches.",
        "Bus passengers and shop staff",
        "A small group of regular street drinkers, several with support needs",
        "Benches outside the bus station",
        "Cheap alcohol nearby, benches sheltered, support services far away",
        "Street drinking reports at the bus station",
        AgencyKind.CSP,
        (
            (
                ActionKind.REFERRAL,
                AgencyKind.CHARITY,
                "Refer the regular drinkers to the support hub",
                "Five people referred; three housed.",
            ),
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.LOCAL_AUTHORITY,
                "Check the licence conditions of nearby off-licences",
                "Two licence reviews opened.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.POLICE_TEAM,
                "Daily patrols and Public Space Protection Order signage",
                "Daily patrols for two weeks; signs put up.",
            ),
        ),
        "People referred to the support hub and found housing, licence checks and daily patrols.",
    ),
    Problem(
        "Burglaries on the new estate",
        "Several break-ins to houses and sheds on the new estate this autumn.",
        "Crime",
        "A series of burglaries and shed break-ins on the new estate since September.",
        "Householders on the new estate",
        "Believed to be a small group travelling in by car",
        "Rear gardens backing onto the footpath",
        "Unlit footpath, low fences, bikes and tools in sheds",
        "Burglaries on the estate",
        AgencyKind.POLICE_TEAM,
        (
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.CID,
                "CID to link the series and review CCTV and forensics",
                "Series linked; one arrest.",
            ),
            (
                ActionKind.PREVENTION,
                AgencyKind.POLICE_TEAM,
                "Crime prevention visits and free shed alarms",
                "Sixty homes visited; 45 shed alarms fitted.",
            ),
            (
                ActionKind.ENVIRONMENTAL,
                AgencyKind.LOCAL_AUTHORITY,
                "Light the rear footpath",
                "Footpath lighting added to the capital programme.",
            ),
        ),
        "A linked investigation with an arrest, crime prevention visits and shed alarms.",
    ),
    Problem(
        "Parking outside the school",
        "Dangerous parking on the zig-zags and pavements at school drop-off.",
        "Roads",
        "Parents parking on the zig-zags and pavements at drop-off and pick-up, blocking the crossing.",
        "Children walking to school",
        "Parents driving to school",
        "Both school gates",
        "Narrow road, no drop-off area, no enforcement at school times",
        "Parking complaints at the school",
        AgencyKind.SCHOOL,
        (
            (
                ActionKind.ENFORCEMENT,
                AgencyKind.LOCAL_AUTHORITY,
                "Civil enforcement officers at school times",
                "Twelve penalty charges issued in two weeks.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.SCHOOL,
                "Park and stride scheme from the church car park",
                "Scheme launched with 60 families signed up.",
            ),
            (
                ActionKind.ENGAGEMENT,
                AgencyKind.POLICE_TEAM,
                "Joint PCSO and pupil 'parking patrol'",
                "Two patrols with the school council.",
            ),
        ),
        "Parking enforcement at school times and a park and stride scheme with the school.",
    ),
)

SAID_VARIANTS: tuple[tuple[Channel, str], ...] = (
    (Channel.PANEL, "Raised at the ward panel"),
    (Channel.ONLINE, "Online poll"),
    (Channel.SURVEY, "Street survey"),
    (Channel.PARTNER, "Raised by a partner"),
)

AGENCY_NAMES: dict[AgencyKind, str] = {
    AgencyKind.POLICE_TEAM: "{borough} Neighbourhood Team",
    AgencyKind.LOCAL_AUTHORITY: "{borough} Council",
}
FORCE_WIDE: tuple[tuple[str, AgencyKind], ...] = (
    ("Response and Patrol", AgencyKind.RESPONSE),
    ("CID", AgencyKind.CID),
    ("Multi-Agency Safeguarding Hub", AgencyKind.SAFEGUARDING),
    ("Fire and Rescue Service", AgencyKind.FIRE),
    ("Drug and Alcohol Service", AgencyKind.HEALTH),
    ("Youth Outreach Charity", AgencyKind.CHARITY),
    ("Community Housing Association", AgencyKind.HOUSING),
    ("Schools Partnership", AgencyKind.SCHOOL),
    ("Community Safety Partnership", AgencyKind.CSP),
)
FIRST = (
    "Sam",
    "Priya",
    "Tom",
    "Aisha",
    "Dan",
    "Grace",
    "Imran",
    "Kate",
    "Liam",
    "Nadia",
    "Owen",
    "Ruth",
    "Sean",
    "Yusuf",
    "Zoe",
    "Ben",
    "Chloe",
    "Hassan",
    "Megan",
    "Rhys",
)
LAST = (
    "Ashworth",
    "Begum",
    "Collins",
    "Dawson",
    "Evans",
    "Fletcher",
    "Greenwood",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kelly",
    "Lomax",
    "Morris",
    "Nolan",
    "O'Brien",
    "Patel",
    "Quinn",
    "Royle",
    "Shaw",
    "Taylor",
)
VENUES = (
    "Community Centre",
    "Library",
    "St Mary's Church Hall",
    "Methodist Church Hall",
    "Sports Club",
    "Primary School Hall",
)

#: How the current quarter's 40 priorities are spread over the board (side states included).
CURRENT_SPREAD: tuple[PriorityStatus | None, ...] = (
    (S.NOMINATED,) * 4
    + (S.AGREED,) * 5
    + (S.PLANNING,) * 6
    + (S.IN_ACTION,) * 8
    + (S.ASSESSING,) * 5
    + (S.FEEDBACK_GIVEN,) * 4
    + (S.CLOSED,) * 2
    + (S.ESCALATED,) * 2
    + (S.NOT_TAKEN_FORWARD,) * 1
    + (None,) * 3
)


def demo_wards() -> list[tuple[str, str, str, str]]:
    """The first four wards of each of the ten boroughs: (code, name, LA code, LA name)."""
    lookup = read_ward_lookup(resource("data", "ons", "greater-manchester-wards-2022.csv"))
    chosen: dict[str, list[tuple[str, str, str, str]]] = {}
    for _line, w in sorted(lookup.wards, key=lambda item: item[1].code):
        borough = chosen.setdefault(w.la_code, [])
        if len(borough) < WARDS_PER_BOROUGH:
            borough.append((w.code, w.name, w.la_code, w.la_name))
    return [ward for la in sorted(chosen) for ward in chosen[la]]


@dataclass(frozen=True)
class Timeline:
    """Dates within a quarter, spread over the part of it that has happened by ``today``."""

    cycle: CycleCode
    today: dt.date

    def at(self, fraction: float) -> dt.date:
        elapsed = (min(self.today, self.cycle.end) - self.cycle.start).days
        return self.cycle.start + dt.timedelta(days=int(elapsed * fraction))

    @staticmethod
    def monday(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday())

    def week_of_action(self, status: PriorityStatus, index: int) -> dt.date:
        """Later columns acted earlier: assessing and beyond in the past, in action this week, planning ahead."""
        if status in (S.IN_ACTION, S.ESCALATED):
            return self.monday(min(self.today, self.cycle.end))
        if status in (S.AGREED, S.PLANNING):
            ahead = self.monday(self.today) + dt.timedelta(weeks=1 + index % 4)
            return min(ahead, self.monday(self.cycle.end)) if ahead > self.today else ahead
        return self.monday(self.at(0.3))

    def clamp(self, day: dt.date) -> dt.date:
        return min(day, self.today)


class _Builder:
    def __init__(self, session: Session, today: dt.date) -> None:
        self.s = session
        self.today = today
        self.rng = random.Random(SEED)
        self.current = CycleCode.containing(today)
        self.last = self.current.previous()
        self.agencies: dict[tuple[str, AgencyKind], Agency] = {}

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def agency(self, borough: str, kind: AgencyKind) -> Agency:
        """The borough's own team or council, or the force-wide partner of that kind."""
        key = (borough if kind in AGENCY_NAMES else "", kind)
        if key not in self.agencies:
            self.agencies[key] = people.create_agency(
                self.s,
                name=AGENCY_NAMES[kind].format(borough=borough),
                kind=kind,
                contact_route=f"Call 101 or email {borough.lower()}.neighbourhoods@demo-force.example",
            )
        return self.agencies[key]

    def build(self) -> None:
        for name, kind in FORCE_WIDE:
            self.agencies[("", kind)] = people.create_agency(
                self.s, name=name, kind=kind, contact_route="Switchboard 0161 000 0000 (demo)"
            )
        lsoas = read_ward_lookup(resource("data", "ons", "greater-manchester-lsoa-to-ward-2022.csv")).lsoas
        spread = list(CURRENT_SPREAD)
        self.rng.shuffle(spread)
        current = cycles.cycle(self.s, self.current)
        current.schedule_mode = ScheduleMode.ROLLING
        cycles.cycle(self.s, self.last).schedule_mode = ScheduleMode.ALL_WARDS
        for index, (code, name, la_code, la_name) in enumerate(demo_wards()):
            ward = wards.create_ward(
                self.s, code=code, name=name, la_code=la_code, la_name=la_name, vintage="WD22"
            )
            ward.team_contact = f"Call 101 or email {la_name.lower()}.neighbourhoods@demo-force.example"
            ward.engagement_url = f"https://demo-force.example/ward/{code}"
            wards.set_lsoas(self.s, ward=ward, lsoas=lsoas.get(code, []))
            self.staff(ward)
            self.quarter(
                ward, Timeline(self.last, self.today), S.CLOSED if index % 3 else S.FEEDBACK_GIVEN, index
            )
            self.quarter(ward, Timeline(self.current, self.today), spread[index], index + 7)
            # Next quarter's panel is already booked, so leaflets can tell residents when and where.
            engagement.record_meeting(
                self.s, ward=ward, cycle=str(self.current.next()),
                held_on=self.current.next().start + dt.timedelta(days=7 + index % 14),
                venue=f"{ward.name} {VENUES[(index + 2) % len(VENUES)]}",
            )  # fmt: skip
        self.network()

    def network(self) -> None:
        """Key individuals with consent and logged contacts, a force-added group and reference groups.

        A separate random stream, so adding the network leaves every other demo figure as it was.
        """
        rng = random.Random(SEED + 11)
        kin.add_group(self.s, "Older people")
        purposes = ("Views on this quarter's nominations", "Passed on the week of action dates",
                    "Asked about feeling safe after dark", "Shared the 'You said, we did' leaflet")  # fmt: skip
        wards_ = self.s.scalars(select(Ward).where(Ward.deleted.is_(False)).order_by(Ward.code)).all()
        contacts: dict[object, Person] = {}
        for index, ward in enumerate(wards_):
            communities = rng.sample([*DEFAULT_GROUPS, "Older people", "Faith groups"], 2 + index % 2)
            for number, community in enumerate(communities):
                first, last = rng.choice(FIRST), rng.choice(LAST)
                consented = not (index % 5 == 0 and number == 0)  # a few still to sign the KIN form
                person = kin.add_key_individual(
                    self.s, ward=ward, full_name=f"{first} {last}", community=community,
                    preferred_contact=ContactChannel.EMAIL if number % 2 == 0 else ContactChannel.PHONE,
                    email=f"{first}.{last}@example.com".lower(), phone=f"07700 900{rng.randint(100, 999)}",
                    consent_on=self.today - dt.timedelta(days=120 + rng.randint(0, 200)) if consented else None,
                    consent_basis="Signed KIN form" if consented else "",
                )  # fmt: skip
                if not consented:
                    continue
                # One key individual in every seventh ward has been asked too often lately.
                times = 4 if index % 7 == 0 and number == 0 else rng.randint(0, 2)
                for day in sorted(rng.sample(range(2, 85), times), reverse=True):
                    kin.log_contact(
                        self.s, person=person, ward=ward, on=self.today - dt.timedelta(days=day),
                        channel=ContactChannel(person.preferred_contact), purpose=rng.choice(purposes), anyway=True,
                    )  # fmt: skip
            council = self.agency(ward.la_name, AgencyKind.LOCAL_AUTHORITY)
            if council.id not in contacts:  # each council's ASB officer covers the borough's wards
                first, last = rng.choice(FIRST), rng.choice(LAST)
                contacts[council.id] = people.create_person(
                    self.s, full_name=f"{first} {last}", role=PersonRole.PARTNER_CONTACT, agency=council,
                    title="Anti-social behaviour officer",
                    email=f"asb.team@{ward.la_name.lower()}.demo-council.example",
                    phone="0161 000 0000 (demo)",
                )  # fmt: skip
            people.assign(self.s, ward=ward, person=contacts[council.id], role=PersonRole.PARTNER_CONTACT)
            if index % 4 == 1:
                kin.add_reference_group(
                    self.s,
                    ward=ward,
                    name=f"{ward.name} Traders' Association",
                    community="Business community",
                )

    def staff(self, ward: Ward) -> None:
        """A ward officer and a PCSO from the borough's team, and a panel chair (a member of the public)."""
        team = self.agency(ward.la_name, AgencyKind.POLICE_TEAM)
        for role, rank, numbers in (
            (PersonRole.WARD_OFFICER, "PC", (1000, 9999)),
            (PersonRole.PCSO, "PCSO", (7000, 7999)),
        ):
            officer = people.create_person(
                self.s,
                full_name=f"{rank} {self.name()}",
                role=role,
                agency=team,
                title=f"{rank} {self.rng.randint(*numbers)}",
            )
            people.assign(self.s, ward=ward, person=officer, role=role)
        chair = people.create_person(
            self.s,
            full_name=self.name(),
            role=PersonRole.PANEL_CHAIR,
            phone=f"07700 900{self.rng.randint(100, 999)}",
        )
        people.assign(self.s, ward=ward, person=chair, role=PersonRole.PANEL_CHAIR)

    def quarter(self, ward: Ward, time: Timeline, status: PriorityStatus | None, index: int) -> None:
        cycle = time.cycle
        problem = PROBLEMS[index % len(PROBLEMS)]
        meeting_day = time.at(0.1)
        meeting = engagement.record_meeting(
            self.s,
            ward=ward,
            cycle=str(cycle),
            held_on=meeting_day,
            venue=f"{ward.name} {VENUES[index % len(VENUES)]}",
            attendance=8 + self.rng.randint(0, 30),
        )
        nominations = []
        for offset in range(3):
            other = PROBLEMS[(index + offset * 3) % len(PROBLEMS)]
            channel, _ = SAID_VARIANTS[(index + offset) % len(SAID_VARIANTS)]
            nominations.append(
                engagement.nominate(
                    self.s,
                    ward=ward,
                    cycle=str(cycle),
                    wording=other.said,
                    channel=channel,
                    category=other.category,
                    support=self.rng.randint(3, 60) // (offset + 1),
                    raised_on=meeting_day - dt.timedelta(days=7 + offset),
                    source_ref=f"demo-{cycle}-{ward.code}-{offset}",
                )
            )
        if status is None:
            return
        priority = priorities.propose(
            self.s,
            ward=ward,
            cycle=str(cycle),
            title=problem.title,
            nomination=nominations[0],
            public_issue=problem.said,
        )
        if status is S.NOMINATED:
            return
        if status is S.NOT_TAKEN_FORWARD:
            priorities.not_taken_forward(
                self.s,
                priority=priority,
                reason="The panel judged this a matter for the council's licensing team rather than a ward priority.",
            )
            return
        self.advance(priority, problem, ward, meeting, status, time, index)

    def advance(
        self,
        priority: Priority,
        problem: Problem,
        ward: Ward,
        meeting: PanelMeeting,
        status: PriorityStatus,
        time: Timeline,
        index: int,
    ) -> None:
        week = time.week_of_action(status, index)
        priorities.agree(
            self.s, priority=priority, lead_agency=self.agency(ward.la_name, problem.lead), meeting=meeting
        )
        planning.set_week(self.s, ward=ward, cycle=priority.cycle.code, week_start=week)
        target = S.IN_ACTION if status is S.ESCALATED else status
        if target is S.AGREED:
            return
        priorities.move(self.s, priority=priority, target=S.PLANNING)
        priorities.update_plan(
            self.s,
            priority=priority,
            problem_statement=problem.statement,
            evidence=f"Panel and online nominations; {problem.measure.lower()} over the last three months.",
            baseline=f"{problem.measure}: see measures.",
            victim=problem.victim,
            offender=problem.offender,
            location=problem.location,
            guardian="Residents, shop staff and park users",
            handler="Parents, youth workers and support workers",
            manager="The council, the landlord or the site owner",
            causes=problem.causes,
        )
        baseline = float(self.rng.randint(9, 30))
        measure = response.add_measure(
            self.s,
            priority=priority,
            name=problem.measure,
            source="Police and council reports",
            unit="reports",
            baseline_period="3 months before",
            baseline_value=baseline,
            target_value=round(baseline * 0.6),
        )
        actions = []
        for kind, owner_kind, description, _done in problem.actions:
            owner = self.agency(ward.la_name, owner_kind)
            actions.append(
                response.add_action(
                    self.s,
                    priority=priority,
                    description=description,
                    kind=kind,
                    owner_agency=owner,
                    due_on=week + dt.timedelta(days=self.rng.randint(0, 13)),
                )
            )
        feedback_action = response.add_action(
            self.s,
            priority=priority,
            description="'You said, we did' leaflet and report back to the ward panel",
            kind=ActionKind.FEEDBACK,
            owner_agency=self.agency(ward.la_name, AgencyKind.POLICE_TEAM),
            due_on=week + dt.timedelta(days=28),
        )
        if target is S.PLANNING:
            return
        priorities.move(self.s, priority=priority, target=S.IN_ACTION)
        done_count = {S.IN_ACTION: len(actions) // 2}.get(target, len(actions))
        for action, (_k, _o, _d, done) in list(zip(actions, problem.actions, strict=True))[:done_count]:
            response.complete_action(self.s, action=action, note=done, on=time.clamp(action.due_on or week))
        if status is S.ESCALATED:
            priorities.escalate(
                self.s,
                priority=priority,
                reason="Needs council, housing and health resources beyond the ward: referred to CSP tasking.",
            )
            return
        if target is S.IN_ACTION:
            return
        priorities.move(self.s, priority=priority, target=S.ASSESSING)
        response.record_result(
            self.s,
            measure=measure,
            after_period="3 months after",
            after_value=float(max(1, round(baseline * self.rng.uniform(0.3, 0.8)))),
        )
        if target is S.ASSESSING:
            return
        priorities.record_assessment(
            self.s,
            priority=priority,
            outcome=Outcome.ACHIEVED if self.rng.random() < 0.7 else Outcome.PARTLY_ACHIEVED,
            assessment=f"{problem.measure} fell from {baseline:g} to {measure.after_value:g}; residents at the panel "
            "report an improvement. Follow-up patrols continue.",
            assessed_on=time.clamp(max(time.at(0.7), week + dt.timedelta(days=7))),
        )
        priorities.set_public_wording(
            self.s, priority=priority, issue=problem.said, action=problem.public_action
        )
        given = time.clamp(max(time.at(0.85), week + dt.timedelta(days=14)))
        response.record_feedback(
            self.s,
            priority=priority,
            channel=FeedbackChannel.PANEL,
            given_on=given,
            summary="Results reported back at the ward panel meeting.",
        )
        priorities.move(self.s, priority=priority, target=S.FEEDBACK_GIVEN)
        if target is S.FEEDBACK_GIVEN:
            return
        response.complete_action(
            self.s,
            action=feedback_action,
            note="Leaflets delivered and results reported to the panel.",
            on=given,
        )
        priorities.move(self.s, priority=priority, target=S.CLOSED)


def populate(session: Session, today: dt.date) -> None:
    from commmatters_desktop import demo_evidence

    _Builder(session, today).build()
    demo_evidence.add_crime(session, today, SEED)
    demo_evidence.add_surveys(session, today, SEED)
    approve_public_wording(session)


def approve_public_wording(session: Session) -> None:
    """The demo officer has approved the public wording of the demo's past quarters.

    Nominations of the current quarter are left awaiting approval when the detector suspects
    something, so the meeting preparation shows the masked draft to approve, as in real use.
    """
    from sqlalchemy import select

    from commmatters_desktop.core import privacy, public
    from commmatters_desktop.core.models import Action, Measure, Nomination, PanelMeeting, Priority, Synced

    scanner = privacy.scanner(session)
    for nomination in session.scalars(select(Nomination).where(Nomination.deleted.is_(False))):
        if not scanner.scan(nomination.wording):
            public.approve(session, nomination, "public_wording", nomination.wording)
        public.approve_if_clean(session, nomination, "reason")
    fields: list[tuple[type[Synced], tuple[str, ...]]] = [
        (Priority, ("title", "public_issue", "public_action")),
        (Action, ("description", "completion_note")),
        (Measure, ("name",)),
        (PanelMeeting, ("venue", "decisions")),
    ]
    for model, names_of_fields in fields:
        for record in session.scalars(select(model)):
            public.approve_typed(session, record, names_of_fields)


def build(folder: Path, *, clock: Clock | None = None) -> Vault:
    """A fresh demo vault in ``folder`` (which must not hold a vault)."""
    clock = clock or SystemClock()
    vault = Vault.create(folder, passphrase=DEMO_PASSPHRASE, keystore=NoKeyring(), clock=clock, demo=True)
    try:
        # Thousands of records in one unit of work: the bulk path (same rows, far fewer statements).
        with vault.unit_of_work(DEMO_ACTOR) as unit, changes.bulk(unit) as session:
            populate(session, clock.today())
            force.set_force(session, name=DEMO_FORCE_NAME)
        vault.set_meta(DEMO_META_KEY, clock.today().isoformat())
    except BaseException:
        vault.close()
        raise
    return vault


def open_demo(
    folder: Path,
    *,
    clock: Clock | None = None,
    reset: bool = False,
    notify: Callable[[str], None] = lambda _m: None,
) -> Vault:
    """Open the demo vault, building it first if it is missing, stale (another quarter) or ``reset``."""
    clock = clock or SystemClock()
    folder = folder.expanduser().resolve()
    if not (folder / "vault.json").exists():
        if folder.exists() and any(folder.iterdir()):
            raise UserError(f"{folder} is not empty and holds no vault; choose an empty folder for the demo.")
        notify(f"Building the demo force in {folder} ...")
        return build(folder, clock=clock)
    info = VaultInfo.read(folder)
    if not info.demo:
        raise NotAVault(
            f"{folder} holds a real vault, not the demo; it was not touched. Use a different --data-dir."
        )
    vault = _open_existing_demo(folder, clock)
    built = vault.meta(DEMO_META_KEY)
    stale = built is None or CycleCode.containing(dt.date.fromisoformat(built)) != CycleCode.containing(
        clock.today()
    )
    if not (reset or stale):
        return vault
    vault.close()
    notify("Rebuilding the demo force for this quarter ..." if stale else "Rebuilding the demo force ...")
    _wipe_demo(folder)
    return build(folder, clock=clock)


def _open_existing_demo(folder: Path, clock: Clock) -> Vault:
    store: KeyStore = NoKeyring()
    try:
        return Vault.open(folder, keystore=store, clock=clock)
    except PassphraseNeeded:
        return Vault.open(folder, keystore=store, passphrase=DEMO_PASSPHRASE, clock=clock)


def _wipe_demo(folder: Path) -> None:
    """Remove a demo vault's files (only ever called after vault.json said demo)."""
    for child in folder.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
