"""The domain model (DESIGN.md section 3) as typed SQLAlchemy 2 declarative classes.

Two families of table:

* **synced** records (:class:`Synced` subclasses): UUID keys, a ``deleted`` tombstone flag, and every
  field change stamped and logged by :mod:`commmatters_desktop.core.changes` in the same transaction;
* **local** bookkeeping (vault metadata, the change log itself, field clocks, the audit trail), which
  never travels between laptops as rows.

Columns holding personal data carry ``info={"personal": True}``; the UI marks them and every public
output (meeting screen, leaflet, minutes) checks against them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import (
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from commmatters_desktop.core.enums import (
    AGREED_OR_LATER,
    ActionKind,
    ActionStatus,
    AgencyKind,
    Channel,
    ContactChannel,
    FeedbackChannel,
    NominationStatus,
    Outcome,
    PersonRole,
    PriorityStatus,
    ScheduleMode,
    SurveyMode,
)
from commmatters_desktop.core.ids import new_id, new_uid

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Namespace for name-based ids, so two laptops importing the same ward get the same row.
NATURAL_KEY_NAMESPACE = uuid.UUID("6f1c3c1e-4c35-4b0e-9a53-6b0c4e1d2a77")


def natural_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(NATURAL_KEY_NAMESPACE, f"{kind}:{key.strip().upper()}")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone of its own)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


def _enum(kind: type[Any]) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


PERSONAL: dict[str, Any] = {"personal": True}
#: Officers' free text: not personal data by design, but it may mention a person by name ("rang Mrs
#: Kerrigan"). Subject access searches it and a purge of a person masks their name in it.
MAY_NAME: dict[str, Any] = {"may_name": True}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: Uuid(),
        dt.datetime: UTCDateTime(),
        str: String(),
    }


class Synced(Base):
    """A record that travels between laptops: UUID key, tombstone, per-field clock."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    deleted: Mapped[bool] = mapped_column(default=False, server_default=false())

    #: Fields never written to the change log (derived or local-only).
    __unsynced__: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **fields: Any) -> None:
        # Column defaults apply now, not at flush, so rules can read a record built moments ago
        # and its id can be referenced before anything is written.
        for column in self.__table__.columns:
            default = column.default
            if column.key in fields or default is None:
                continue
            if default.is_scalar:
                fields[column.key] = default.arg
            elif default.is_callable:
                fields[column.key] = default.arg(None)
        super().__init__(**fields)


# --- wards, people, partners ---------------------------------------------------------------------------


class Ward(Synced):
    __tablename__ = "ward"

    code: Mapped[str] = mapped_column(String(9), unique=True)
    vintage: Mapped[str] = mapped_column(String(8), default="")
    name: Mapped[str] = mapped_column(String(120))
    la_code: Mapped[str] = mapped_column(String(9), default="")
    la_name: Mapped[str] = mapped_column(String(120), default="")
    #: How residents reach the ward team: a team mailbox or 101, never an officer's own phone.
    team_contact: Mapped[str] = mapped_column(Text, default="")
    engagement_url: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)

    lsoas: Mapped[list[WardLsoa]] = relationship(
        back_populates="ward", primaryjoin="and_(Ward.id == WardLsoa.ward_id, WardLsoa.deleted == False)"
    )


class WardLsoa(Synced):
    __tablename__ = "ward_lsoa"

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")

    ward: Mapped[Ward] = relationship(back_populates="lsoas")


class Agency(Synced):
    __tablename__ = "agency"

    name: Mapped[str] = mapped_column(String(160))
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind))
    #: A team route (switchboard, shared mailbox) that may be printed for partners.
    contact_route: Mapped[str] = mapped_column(Text, default="")
    #: Set when the agency stops working with the force: it leaves the pickers, but past actions and
    #: priorities still name it (a retired agency is never deleted).
    retired_on: Mapped[dt.date | None]


class Person(Synced):
    __tablename__ = "person"

    full_name: Mapped[str] = mapped_column(String(160), info=PERSONAL)
    role: Mapped[PersonRole] = mapped_column(_enum(PersonRole))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agency.id"), index=True)
    #: Shoulder number or job title for officials; blank for members of the public.
    title: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(254), default="", info=PERSONAL)
    phone: Mapped[str] = mapped_column(String(40), default="", info=PERSONAL)
    #: Moved on (an officer posted elsewhere, a KIN who stepped down): kept for history, out of the lists.
    retired_on: Mapped[dt.date | None]
    #: Key individuals: the community or group they connect the police with (a gap is a group no one covers).
    community: Mapped[str] = mapped_column(String(120), default="", info=PERSONAL)
    #: How they prefer to be contacted (a :class:`ContactChannel` value, or blank).
    preferred_contact: Mapped[str] = mapped_column(String(32), default="")
    #: Consent to be contacted as a key individual: the date it was given and its basis.
    consent_on: Mapped[dt.date | None]
    consent_basis: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)

    agency: Mapped[Agency | None] = relationship()


class WardRole(Synced):
    """A person's part in a ward: its officer or PCSO, its panel chair, a panel member, a key individual."""

    __tablename__ = "ward_role"
    __table_args__ = (UniqueConstraint("ward_id", "person_id", "role"),)

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[PersonRole] = mapped_column(_enum(PersonRole))

    person: Mapped[Person] = relationship()


class KinContact(Synced):
    """One contact with a key individual: what consultation fatigue is counted from."""

    __tablename__ = "kin_contact"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    ward_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ward.id"), index=True)
    contacted_on: Mapped[dt.date]
    channel: Mapped[ContactChannel] = mapped_column(_enum(ContactChannel))
    #: Why they were contacted ("views on the park's ASB"): about the ward's business, not about them.
    purpose: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)

    person: Mapped[Person] = relationship()


class CommunityGroup(Synced):
    """A group the force wants every ward to hear from, beyond the defaults in ``DEFAULT_GROUPS``."""

    __tablename__ = "community_group"

    name: Mapped[str] = mapped_column(String(120), unique=True)


class ReferenceGroup(Synced):
    """A ward's link with a community through an organisation (a reference group, a traders' association)."""

    __tablename__ = "reference_group"

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    #: The community group it connects with (one of the groups the gaps are counted for).
    community: Mapped[str] = mapped_column(String(120))


# --- the quarterly cycle ---------------------------------------------------------------------------------


class Cycle(Synced):
    __tablename__ = "cycle"

    code: Mapped[str] = mapped_column(String(7), unique=True)
    schedule_mode: Mapped[ScheduleMode | None] = mapped_column(_enum(ScheduleMode))


class WeekOfAction(Synced):
    __tablename__ = "week_of_action"
    __table_args__ = (UniqueConstraint("cycle_id", "ward_id"),)

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycle.id"), index=True)
    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    week_start: Mapped[dt.date]


class UnavailableWeek(Synced):
    """A week no week of action may use (a bank holiday, a big event, officers abstracted)."""

    __tablename__ = "unavailable_week"
    __table_args__ = (UniqueConstraint("cycle_id", "week_start"),)

    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycle.id"), index=True)
    week_start: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)


class PanelMeeting(Synced):
    """A ward panel (PACT) meeting. Attendance is a count: names are recorded only for officials."""

    __tablename__ = "panel_meeting"

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycle.id"), index=True)
    held_on: Mapped[dt.date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    attendance: Mapped[int | None] = mapped_column(Integer)
    decisions: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    minutes: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)


class Nomination(Synced):
    __tablename__ = "nomination"
    __table_args__ = (UniqueConstraint("ward_id", "cycle_id", "source_ref"),)

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycle.id"), index=True)
    #: As the resident wrote it: personal data (a resident's own words, often with names), never shown.
    wording: Mapped[str] = mapped_column(Text, info=PERSONAL)
    category: Mapped[str] = mapped_column(String(80), default="")
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    support: Mapped[int] = mapped_column(default=1)
    raised_on: Mapped[dt.date | None]
    #: The source system's reference, so re-importing the same poll adds nothing twice.
    source_ref: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[NominationStatus] = mapped_column(_enum(NominationStatus), default=NominationStatus.OPEN)
    reason: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    #: What the projector shows: the officer's redaction of ``wording`` (blank: the masked wording).
    public_wording: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Show-of-hands count at the panel meeting.
    votes: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("nomination.id"), index=True)

    ward: Mapped[Ward] = relationship()


# --- the priority and its SARA plan ----------------------------------------------------------------------


class Priority(Synced):
    __tablename__ = "priority"
    __table_args__ = (
        # Belt and braces for the one-agreed-priority rule that core.rules enforces with a message.
        Index(
            "uq_priority_one_agreed_per_ward_cycle",
            "ward_id",
            "cycle_id",
            unique=True,
            sqlite_where=text(
                "deleted = 0 AND status IN ("
                + ", ".join(f"'{s.value}'" for s in sorted(AGREED_OR_LATER))
                + ")"
            ),
        ),
    )

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycle.id"), index=True)
    nomination_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("nomination.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), info=MAY_NAME)
    status: Mapped[PriorityStatus] = mapped_column(_enum(PriorityStatus), default=PriorityStatus.NOMINATED)
    lead_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agency.id"), index=True)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("panel_meeting.id"), index=True)
    ratified_online: Mapped[bool] = mapped_column(default=False)
    agreed_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]
    escalation_reason: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    escalated_from: Mapped[PriorityStatus | None] = mapped_column(_enum(PriorityStatus))
    not_taken_reason: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    #: The community's issue in plain words, for leaflets and the police.uk "issue" field.
    public_issue: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    #: What was done, in plain words, for leaflets and the police.uk "action" field.
    public_action: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)

    ward: Mapped[Ward] = relationship()
    cycle: Mapped[Cycle] = relationship()
    lead_agency: Mapped[Agency | None] = relationship()
    meeting: Mapped[PanelMeeting | None] = relationship()
    plan: Mapped[SaraPlan | None] = relationship(back_populates="priority", uselist=False)
    actions: Mapped[list[Action]] = relationship(
        back_populates="priority",
        primaryjoin="and_(Priority.id == Action.priority_id, Action.deleted == False)",
        order_by="Action.due_on",
    )
    measures: Mapped[list[Measure]] = relationship(
        primaryjoin="and_(Priority.id == Measure.priority_id, Measure.deleted == False)"
    )
    feedback: Mapped[list[Feedback]] = relationship(
        primaryjoin="and_(Priority.id == Feedback.priority_id, Feedback.deleted == False)",
        order_by="Feedback.given_on",
    )


class SaraPlan(Synced):
    __tablename__ = "sara_plan"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority.id"), unique=True)
    # Scanning
    problem_statement: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    evidence: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    baseline: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    # Analysis: the problem analysis triangle and its controllers
    victim: Mapped[str] = mapped_column(Text, default="", info=PERSONAL)
    offender: Mapped[str] = mapped_column(Text, default="", info=PERSONAL)
    location: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    guardian: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    handler: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    manager: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    causes: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    # Assessment
    assessment: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    assessed_on: Mapped[dt.date | None]

    priority: Mapped[Priority] = relationship(back_populates="plan")


class Action(Synced):
    __tablename__ = "action"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority.id"), index=True)
    description: Mapped[str] = mapped_column(Text, info=MAY_NAME)
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind))
    owner_agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("agency.id"), index=True)
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), index=True)
    due_on: Mapped[dt.date | None]
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.OPEN, index=True)
    #: What was done, or why it was cancelled (required for a cancellation).
    completion_note: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    completed_on: Mapped[dt.date | None]

    priority: Mapped[Priority] = relationship(back_populates="actions")
    owner_agency: Mapped[Agency | None] = relationship()
    owner_person: Mapped[Person | None] = relationship()


class Measure(Synced):
    __tablename__ = "measure"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline_period: Mapped[str] = mapped_column(String(80), default="")
    baseline_value: Mapped[float | None]
    target_value: Mapped[float | None]
    after_period: Mapped[str] = mapped_column(String(80), default="")
    after_value: Mapped[float | None]


class Feedback(Synced):
    __tablename__ = "feedback"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority.id"), index=True)
    channel: Mapped[FeedbackChannel] = mapped_column(_enum(FeedbackChannel))
    given_on: Mapped[dt.date]
    summary: Mapped[str] = mapped_column(Text, default="", info=MAY_NAME)
    #: SHA-256 of the leaflet PDF distributed, so the record proves which leaflet went out.
    file_hash: Mapped[str | None] = mapped_column(String(64))


class SurveyWave(Synced):
    """A round of the trust and confidence survey in a ward; results are counts, never respondents."""

    __tablename__ = "survey_wave"

    ward_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ward.id"), index=True)
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    conducted_on: Mapped[dt.date]
    mode: Mapped[SurveyMode] = mapped_column(_enum(SurveyMode))
    respondents: Mapped[int] = mapped_column(default=0)


class SurveyResult(Synced):
    __tablename__ = "survey_result"
    __table_args__ = (UniqueConstraint("wave_id", "item", "answer"),)

    wave_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("survey_wave.id"), index=True)
    item: Mapped[str] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(default=0)


class PublicApproval(Synced):
    """An officer approved a field's text as public wording: hashes, not copies, so nothing personal is kept.

    The approval holds for exactly the text approved and the source it was made from: editing the
    public text or the resident's wording it came from no longer matches the hashes, which un-approves
    it with no bookkeeping to forget. The id is name-based (record and field), so it converges on sync.
    """

    __tablename__ = "public_approval"

    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(60))
    text_hash: Mapped[str] = mapped_column(String(64))
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str] = mapped_column(String(120))
    approved_at: Mapped[dt.datetime]


class PurgeOrder(Synced):
    """Personal data removed from a record (retention, DPA 2018 s.39, or an erasure request).

    It travels like any record, so every laptop that receives it scrubs its own history of those
    fields too: the change log, conflicts, its change files in the shared folder and its snapshots.
    Names no values: only which fields of which record, why, and who ordered it.
    """

    __tablename__ = "purge_order"

    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    fields: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    ordered_by: Mapped[str] = mapped_column(String(120), default="")
    ordered_on: Mapped[dt.date]


class PriorityEvidence(Synced):
    """Which crime types and months measure a priority, and what it is compared with.

    The counts themselves are public data held locally (:class:`CrimeCount`); this choice is the
    officer's and travels between laptops like the rest of the SARA plan.
    """

    __tablename__ = "priority_evidence"

    priority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("priority.id"), unique=True)
    #: data.police.uk crime types, separated by "; " (blank: every crime type and ASB).
    categories: Mapped[str] = mapped_column(Text, default="")
    baseline_from: Mapped[str] = mapped_column(String(7), default="")
    baseline_to: Mapped[str] = mapped_column(String(7), default="")
    after_from: Mapped[str] = mapped_column(String(7), default="")
    after_to: Mapped[str] = mapped_column(String(7), default="")
    #: "force" (the rest of the force), "borough" (the rest of the local authority) or "wards".
    comparison: Mapped[str] = mapped_column(String(20), default="force")
    #: Ward codes separated by spaces, when ``comparison`` is "wards".
    comparison_wards: Mapped[str] = mapped_column(Text, default="")


# --- local bookkeeping -----------------------------------------------------------------------------------


class Laptop(Synced):
    """A laptop of the team by the name its officer gave it, so a sync conflict can say whose it was.

    Synced like any record (keyed by the device id), so every laptop learns every other's name.
    """

    __tablename__ = "laptop"

    device_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class VaultMeta(Base):
    """Facts about this vault on this laptop: its device id, the last clock stamp, the demo marker."""

    __tablename__ = "vault_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ChangeLog(Base):
    """Every field change, stamped, written in the same transaction as the change (sync reads this)."""

    __tablename__ = "change_log"
    #: Purges rewrite one record's history (``retention.scrub_history``) and the window lists it.
    __table_args__ = (Index("ix_change_log_entity_row_id", "entity", "row_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stamp: Mapped[str] = mapped_column(String(80), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(Text)
    #: The stamp of the value this change replaced ("" for a new row): how a merge tells a later
    #: edit (made on top of what the other laptop has) from a concurrent one (a conflict).
    base: Mapped[str] = mapped_column(String(80), default="", server_default="")


class FieldClock(Base):
    """The stamp of the last write to each field: what a merge compares against."""

    __tablename__ = "field_clock"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(80))


class SyncLedger(Base):
    """Change files already applied here, so importing twice changes nothing."""

    __tablename__ = "sync_ledger"

    device: Mapped[str] = mapped_column(String(60), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[dt.datetime]


class SyncProblem(Base):
    """A change file that could not be used (damaged, tampered, from a newer app): kept aside and reported."""

    __tablename__ = "sync_problem"

    device: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[dt.datetime]


class SyncConflict(Base):
    """The same field changed on two laptops without either seeing the other's change."""

    __tablename__ = "sync_conflict"
    #: A merge looks up an existing conflict for the same field before recording one.
    __table_args__ = (Index("ix_sync_conflict_entity_row_id", "entity", "row_id", "field"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    local_value: Mapped[str] = mapped_column(Text)
    local_stamp: Mapped[str] = mapped_column(String(80))
    remote_value: Mapped[str] = mapped_column(Text)
    remote_stamp: Mapped[str] = mapped_column(String(80))
    detected_at: Mapped[dt.datetime]
    resolved: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")


class AuditEvent(Base):
    """Who did what, when, to which record. Append-only: triggers refuse updates and deletes."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(120))
    device: Mapped[str] = mapped_column(String(60), index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: The event's own id, the same on every laptop the trail travels to (imports are de-duplicated by it).
    uid: Mapped[str] = mapped_column(String(36), default=new_uid, server_default="", index=True)
    #: HMAC-SHA256, under a key derived from the vault key, of the previous event's ``mac`` and this
    #: event's fields: deleting, editing or re-ordering a row breaks the chain (``core.audit.verify``).
    mac: Mapped[str] = mapped_column(String(64), default="", server_default="")


class CrimeCount(Base):
    """data.police.uk street-level counts by force, month, ward and crime type.

    Stored aggregated rather than as raw rows: every feature (baselines, comparisons, the harm index,
    force totals) needs counts by ward, month and type, and a year of a force's rows (a million) would
    otherwise make the vault heavy and sync slow. Public data, imported on each laptop: not synced.
    """

    __tablename__ = "crime_count"

    force: Mapped[str] = mapped_column(String(80), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), default="")
    count: Mapped[int] = mapped_column(Integer)


class CrimeMonth(Base):
    """One force's month of data as last imported: re-importing it replaces it (idempotent)."""

    __tablename__ = "crime_month"

    force: Mapped[str] = mapped_column(String(80), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    crimes: Mapped[int] = mapped_column(Integer)
    asb: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)
    sources: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[dt.datetime]


SYNCED_MODELS: tuple[type[Synced], ...] = tuple(
    sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, Synced)), key=lambda c: c.__name__
    )
)


def free_text_columns(model: type[Base]) -> list[str]:
    """Names of the officers' free-text columns on ``model`` that may mention a person."""
    return [c.key for c in model.__table__.columns if c.info.get("may_name")]


def personal_columns(model: type[Base]) -> list[str]:
    """Names of the columns marked as personal data on ``model``."""
    return [c.key for c in model.__table__.columns if c.info.get("personal")]
