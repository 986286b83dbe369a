"""Public text by construction: the one gate every public output goes through.

A text reaches a projector, minutes, a leaflet or an export only if it is the current value of a
field an officer approved as public wording (:func:`approve`, which records who and when) *and* the
detector (:mod:`core.privacy`) finds nothing in it. Approvals are hashes of the approved text and of
the source it was made from (a resident's wording): change either and the approval no longer holds,
so nothing needs to remember to un-approve. The gate is :func:`release`: the same rules for every
output, and a refusal that lists each thing to fix.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from commmatters_desktop.core import changes, privacy
from commmatters_desktop.core.changes import audit, context_of
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import Nomination, Priority, PublicApproval, Synced, natural_id

#: What a purged field holds (``core.retention.PURGED``; kept here so the gate needs no retention import).
PURGED = "(removed)"


def _digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _nomination_source(session: Session, record: Synced) -> str | None:
    assert isinstance(record, Nomination)
    return record.wording


def _priority_source(session: Session, record: Synced) -> str | None:
    """A priority's public wording made from a nomination answers to the resident's wording."""
    assert isinstance(record, Priority)
    if record.nomination_id is None:
        return None
    nomination = changes.get(session, Nomination, record.nomination_id)
    return nomination.wording if nomination is not None else None


#: Public fields whose text was made from something a resident wrote: (table, field) → that source.
SOURCES: dict[tuple[str, str], Callable[[Session, Synced], str | None]] = {
    ("nomination", "public_wording"): _nomination_source,
    ("priority", "public_issue"): _priority_source,
    ("priority", "title"): _priority_source,
}


@dataclass(frozen=True)
class Piece:
    """One field's text bound for a public surface, and where on that surface it goes."""

    section: str
    entity: str
    row_id: str
    field: str
    text: str
    label: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.entity, self.row_id, self.field)


def piece(section: str, record: Synced, field: str, *, label: str = "") -> Piece:
    return Piece(
        section, record.__tablename__, str(record.id), field, str(getattr(record, field) or ""), label
    )


def _source(session: Session, entity: str, record: Synced, field: str) -> str | None:
    source = SOURCES.get((entity, field))
    return source(session, record) if source else None


def _source_hash(session: Session, entity: str, record: Synced, field: str) -> str:
    value = _source(session, entity, record, field)
    return _digest(value) if value else ""


class _NotLooked:
    """Says an approval row was not looked up yet (None says there is none)."""


NOT_LOOKED = _NotLooked()


def _approval_id(entity: str, row_id: str, field: str) -> uuid.UUID:
    return natural_id("approval", f"{entity}|{row_id}|{field}")


def approve(session: Session, record: Synced, field: str, text: str | None = None) -> None:
    """The officer approves ``text`` (default: the field as it stands) as the field's public wording.

    The text is written to the field first; the detector must find nothing in it (the refusal says
    what), so an approval can never bless a name the app can see.
    """
    value = (getattr(record, field) or "") if text is None else text.strip()
    if not value.strip():
        raise UserError("There is no wording to approve: write what may be shown in public first.")
    _approve_clean(session, record, field, value, privacy.scanner(session).scan(value))


def _approve_clean(
    session: Session,
    record: Synced,
    field: str,
    value: str,
    findings: list[privacy.Finding],
    approval: PublicApproval | _NotLooked | None = NOT_LOOKED,
) -> None:
    if findings:
        raise UserError(
            "That wording still holds "
            + "; ".join(f"'{f.text}' ({f.label})" for f in findings)
            + ". Remove them, then approve it."
        )
    setattr(record, field, value)
    entity = record.__tablename__
    if isinstance(approval, _NotLooked):
        approval = _approval(session, entity, str(record.id), field, record)
    if approval is None:
        approval = PublicApproval(id=_approval_id(entity, str(record.id), field), entity=entity,
                                  row_id=str(record.id), field=field, text_hash="", approved_by="",
                                  approved_at=context_of(session).clock.now())  # fmt: skip
        session.add(approval)
    context = context_of(session)
    approval.text_hash = _digest(value)
    approval.source_hash = _source_hash(session, entity, record, field)
    approval.approved_by = context.actor
    approval.approved_at = context.clock.now()
    approval.deleted = False
    audit(session, "approve public wording", record, f"{field.replace('_', ' ')} approved for public use")


def approve_if_clean(
    session: Session,
    record: Synced,
    field: str,
    approval: PublicApproval | _NotLooked | None = NOT_LOOKED,
) -> bool:
    """Text an officer typed straight into a field labelled as public wording counts as approved by
    them (who and when are recorded), unless the detector flags it: then it waits, and the gate says why.

    ``approval`` is the field's approval row if the caller already looked it up (None: there is none).
    """
    value = getattr(record, field) or ""
    if not value.strip() or (findings := privacy.scanner(session).scan(value)):
        return False
    _approve_clean(session, record, field, value, findings, approval)  # scanned once, not again
    return True


def approve_typed(session: Session, record: Synced, fields: Iterable[str]) -> None:
    """Fields the officer typed as public wording: approved by them unless flagged or already approved
    (so saving an unchanged form does not add an approval to the audit trail each time)."""
    for name in fields:
        text = str(getattr(record, name) or "")
        if not text.strip():
            continue  # nothing to approve, and nothing shown
        found = _approval(session, record.__tablename__, str(record.id), name, record)
        if _problem_with(session, piece("", record, name), record, found) is not None:
            approve_if_clean(session, record, name, found)  # the row just looked up, not looked up again


def cleared(session: Session, record: Synced, field: str, names: privacy.Scanner | None = None) -> str | None:
    """The field's text if it may go out on a public surface as it stands, else None.

    For outputs that leave one text out (a report row, an export line) rather than refuse the whole
    output: the same rule as :func:`release` (approved, unchanged since, and clean to the detector).
    """
    text = str(getattr(record, field) or "").strip()
    if not text:
        return None
    if (names or privacy.scanner(session)).scan(text):
        return None
    return text if _problem(session, piece("", record, field), record) is None else None


def record_of(session: Session, item: Piece) -> Synced | None:
    """The record a piece of public text lives on (for the approval dialog)."""
    return _record(session, item)


def approved(session: Session, record: Synced, field: str) -> bool:
    return _problem(session, piece("", record, field), record) is None


def approval_of(session: Session, record: Synced, field: str) -> PublicApproval | None:
    """Who approved the field's public wording and when, if the approval still holds."""
    if not approved(session, record, field):
        return None
    return session.get(PublicApproval, _approval_id(record.__tablename__, str(record.id), field))


def _approval(
    session: Session, entity: str, row_id: str, field: str, record: Synced | None
) -> PublicApproval | None:
    """The field's approval row, if any (in a bulk unit, without a flush or, for a record the unit
    created, a query: only the unit itself can have approved it)."""
    fresh = record is not None and changes.added_here(session, record)
    return changes.get(
        session, PublicApproval, _approval_id(entity, row_id, field), absent_unless_added=fresh
    )


def _problem(session: Session, item: Piece, record: Synced | None = None) -> str | None:
    """Why ``item`` may not be shown (None: it may). The one rule, for every public surface."""
    if not item.text.strip():
        return None
    return _problem_with(
        session, item, record, _approval(session, item.entity, item.row_id, item.field, record)
    )


def _problem_with(
    session: Session, item: Piece, record: Synced | None, approval: PublicApproval | None
) -> str | None:
    """:func:`_problem` for a text that is not blank, given its approval row (or None), already looked up."""
    if approval is None or approval.deleted:
        return "not approved as public wording"
    if approval.text_hash != _digest(item.text):
        return "changed since it was approved: approve it again"
    if record is None:
        record = _record(session, item)
    if record is not None and approval.source_hash != _source_hash(session, item.entity, record, item.field):
        # Removed by a retention purge is not a change: the approved public wording outlives it.
        if _source(session, item.entity, record, item.field) != PURGED:
            return "the resident's wording it was made from has changed: check and approve it again"
    return None


def _record(session: Session, item: Piece) -> Synced | None:
    from commmatters_desktop.core.models import SYNCED_MODELS

    model = next((m for m in SYNCED_MODELS if m.__tablename__ == item.entity), None)
    return session.get(model, uuid.UUID(item.row_id)) if model is not None else None


@dataclass(frozen=True)
class Refusal:
    piece: Piece
    reason: str

    def describe(self) -> str:
        where = f"{self.piece.section}" + (f" ({self.piece.label})" if self.piece.label else "")
        draft = privacy.suggest(self.piece.text)
        quoted = f" '{draft[:50]}{'…' if len(draft) > 50 else ''}'" if draft else ""
        return f"{where}{quoted}: {self.reason}"


class NotPublic(UserError):
    """A public output was refused; ``refusals`` lists each text and what to do about it."""

    def __init__(self, what: str, refusals: list[Refusal]) -> None:
        listed = "; ".join(r.describe() for r in refusals)
        super().__init__(
            f"{what} was not made because some of its text is not cleared for public use: {listed}."
        )
        self.refusals = refusals


def check(session: Session, pieces: Iterable[Piece], *, allow: Iterable[str] = ()) -> list[Refusal]:
    """Every piece that may not go out, and why: not approved, changed since, or the detector flags it."""
    scanner = privacy.scanner(session)
    allowed = list(allow)
    refusals = []
    for item in pieces:
        reasons = []
        findings = scanner.scan(item.text, allow=allowed)
        if findings:
            reasons.append("holds " + ", ".join(f"'{f.text}' ({f.label})" for f in findings))
        problem = _problem(session, item)
        if problem is not None:
            reasons.append(problem)
        if reasons:
            refusals.append(Refusal(item, "; ".join(reasons)))
    return refusals


def release(session: Session, pieces: list[Piece], *, what: str, allow: Iterable[str] = ()) -> None:
    """The gate: returns if every piece may go out, else refuses with the list of what to fix."""
    refusals = check(session, pieces, allow=allow)
    if refusals:
        raise NotPublic(what, refusals)


def suggestion(session: Session, text: str) -> tuple[str, list[privacy.Finding]]:
    """The masked draft the app offers for approval, and what it suspected (to highlight)."""
    findings = privacy.scanner(session).scan(text)
    return privacy.mask(text, findings), findings
