"""The vocabulary users know, as enums. Values are stored in the database: never rename one."""

from __future__ import annotations

import enum


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


class PriorityStatus(_Labelled):
    NOMINATED = "nominated"
    AGREED = "agreed"
    PLANNING = "planning"
    IN_ACTION = "in_action"
    ASSESSING = "assessing"
    FEEDBACK_GIVEN = "feedback_given"
    CLOSED = "closed"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    ESCALATED = "escalated"


#: The board's columns, left to right; the side states sit outside this line.
PIPELINE: tuple[PriorityStatus, ...] = (
    PriorityStatus.NOMINATED,
    PriorityStatus.AGREED,
    PriorityStatus.PLANNING,
    PriorityStatus.IN_ACTION,
    PriorityStatus.ASSESSING,
    PriorityStatus.FEEDBACK_GIVEN,
    PriorityStatus.CLOSED,
)

#: Statuses that count as "the ward's agreed priority" for the one-per-ward-per-cycle rule.
AGREED_OR_LATER: frozenset[PriorityStatus] = frozenset(
    {
        PriorityStatus.AGREED,
        PriorityStatus.PLANNING,
        PriorityStatus.IN_ACTION,
        PriorityStatus.ASSESSING,
        PriorityStatus.FEEDBACK_GIVEN,
        PriorityStatus.CLOSED,
        PriorityStatus.ESCALATED,
    }
)


class AgencyKind(_Labelled):
    POLICE_TEAM = "police_team"
    CID = "cid"
    SAFEGUARDING = "safeguarding"
    RESPONSE = "response"
    SCHOOL = "school"
    LOCAL_AUTHORITY = "local_authority"
    HOUSING = "housing"
    HEALTH = "health"
    FIRE = "fire"
    CHARITY = "charity"
    CSP = "csp"
    OTHER = "other"


class PersonRole(_Labelled):
    WARD_OFFICER = "ward_officer"
    CONSTABLE = "constable"
    PCSO = "pcso"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    PARTNER_CONTACT = "partner_contact"
    COUNCILLOR = "councillor"
    PANEL_CHAIR = "panel_chair"
    PANEL_MEMBER = "panel_member"
    KEY_INDIVIDUAL = "key_individual"
    RESIDENT = "resident"


#: Roles held by members of the public: their names are personal data and never go on a public screen.
PUBLIC_ROLES: frozenset[PersonRole] = frozenset(
    {PersonRole.PANEL_CHAIR, PersonRole.PANEL_MEMBER, PersonRole.KEY_INDIVIDUAL, PersonRole.RESIDENT}
)


#: The ward team: police officers and staff (their names may appear on partner documents, never residents').
WARD_TEAM_ROLES: frozenset[PersonRole] = frozenset(
    {
        PersonRole.WARD_OFFICER,
        PersonRole.CONSTABLE,
        PersonRole.PCSO,
        PersonRole.SERGEANT,
        PersonRole.INSPECTOR,
    }
)


class ContactChannel(_Labelled):
    """How a key individual is reached, and how a contact with them was made."""

    EMAIL = "email"
    PHONE = "phone"
    TEXT = "text"
    IN_PERSON = "in_person"
    LETTER = "letter"
    MEETING = "meeting"
    ONLINE = "online"


#: Groups the force's KIN review found under-represented (West Midlands Police, 2012, paragraph 15):
#: every ward is checked for a link with each, plus any group the force adds.
DEFAULT_GROUPS: tuple[str, ...] = (
    "Young people",
    "Business community",
    "Travellers",
    "Asylum seekers",
    "Disability groups",
)


class Channel(_Labelled):
    """Where a nomination came from."""

    PANEL = "panel"
    ONLINE = "online"
    SURVEY = "survey"
    PARTNER = "partner"
    OFFICER = "officer"
    OTHER = "other"


class NominationStatus(_Labelled):
    OPEN = "open"
    TAKEN_FORWARD = "taken_forward"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    MERGED = "merged"


class ActionKind(_Labelled):
    ENFORCEMENT = "enforcement"
    PREVENTION = "prevention"
    ENGAGEMENT = "engagement"
    ENVIRONMENTAL = "environmental"
    SAFEGUARDING = "safeguarding"
    REFERRAL = "referral"
    FEEDBACK = "feedback"


class ActionStatus(_Labelled):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


#: Actions in these states no longer hold a priority open.
FINISHED_ACTION: frozenset[ActionStatus] = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})
#: The rest: what queries ask for by name (``status IN (...)`` can use the status index; ``NOT IN``
#: reads every action, 70,000 on a force's five-year vault).
UNFINISHED_ACTION: frozenset[ActionStatus] = frozenset(ActionStatus) - FINISHED_ACTION


class FeedbackChannel(_Labelled):
    LEAFLET = "leaflet"
    PANEL = "panel"
    ONLINE = "online"
    MEDIA = "media"
    OTHER = "other"


class Outcome(_Labelled):
    ACHIEVED = "achieved"
    PARTLY_ACHIEVED = "partly_achieved"
    NOT_ACHIEVED = "not_achieved"


class ScheduleMode(_Labelled):
    ROLLING = "rolling"
    ALL_WARDS = "all_wards"


class SurveyMode(_Labelled):
    DOOR_TO_DOOR = "door_to_door"
    ONLINE = "online"
    STREET = "street"
    PANEL = "panel"


_LABELS: dict[str, str] = {
    "in_action": "In action",
    "feedback_given": "Feedback given",
    "not_taken_forward": "Not taken forward",
    "police_team": "Police team",
    "cid": "CID",
    "csp": "Community Safety Partnership",
    "local_authority": "Local authority",
    "pcso": "PCSO",
    "constable": "Police constable",
    "in_person": "In person",
    "text": "Text message",
    "key_individual": "Key individual",
    "all_wards": "All wards in one week",
    "rolling": "Rolling plan",
    "door_to_door": "Door to door",
}
