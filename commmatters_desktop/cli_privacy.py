"""Data-protection commands: the audit trail (list, export, verify) and public wording (pending, approve).

Registered on the main parser by :func:`register`; every command takes ``--json`` like the others.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commmatters_desktop.core.errors import UserError

if TYPE_CHECKING:
    from commmatters_desktop.cli import Context

Command = Callable[..., argparse.ArgumentParser]


def register(command: Command) -> None:
    """Add the commands through ``cli.build_parser``'s ``command`` helper."""
    audit = command(
        "audit", "the audit trail: list, export (with a reason) or verify its hash chain", cmd_audit
    )
    audit.add_argument("action", choices=["list", "export", "verify"])
    audit.add_argument("--person", default="", help="who acted, or words in the event (a role, a record)")
    audit.add_argument("--ward", default="", metavar="CODE|NAME", help="events on this ward's records")
    audit.add_argument("--since", metavar="DD/MM/YYYY", help="from this day")
    audit.add_argument("--until", metavar="DD/MM/YYYY", help="to this day (inclusive)")
    audit.add_argument("--limit", type=int, default=200, help="list at most this many (default 200)")
    audit.add_argument("--out", type=Path, metavar="FILE.csv", help="export: the file to write")
    audit.add_argument("--reason", default="", help="export: why (recorded in the trail itself)")

    wording = command(
        "public",
        "public wording: what a ward's leaflet, meetings, report or export would refuse; approving drafts",
        cmd_public,
    )
    wording.add_argument("action", choices=["pending", "approve"])
    wording.add_argument("--ward", required=True, metavar="CODE")
    wording.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")

    command("retention", "the retention rules, and the personal data past its date (the review list)",
            cmd_retention)  # fmt: skip
    purge = command("purge", "remove personal data past its date (or one record's) from this laptop and, "
                    "at the next sync, every laptop and the shared folder", cmd_purge)  # fmt: skip
    purge.add_argument("--due", action="store_true", help="everything on the review list")
    purge.add_argument("--record", metavar="TABLE:ID", help="one record's personal data (an erasure request)")
    purge.add_argument("--reason", default="", help="why (recorded in the audit trail)")
    sar = command("sar", "subject access: everything held about a named person, as PDF or CSV", cmd_sar)
    sar.add_argument("--name", required=True, help="the person's name as they gave it")
    sar.add_argument("--out", required=True, type=Path, metavar="FILE.pdf|FILE.csv")
    sar.add_argument("--reason", default="", help="the request's reference (recorded in the audit trail)")


def _filters(ctx: Context) -> Any:
    from commmatters_desktop.cli import _date
    from commmatters_desktop.core.audit import Filters

    args = ctx.args
    return Filters(
        person=args.person,
        ward=args.ward,
        since=_date(args.since, "--since") if args.since else None,
        until=_date(args.until, "--until") if args.until else None,
    )


def cmd_audit(ctx: Context) -> int:
    from commmatters_desktop.cli import Failure
    from commmatters_desktop.core import audit
    from commmatters_desktop.storage.vault import atomic_write

    action = ctx.args.action
    with ctx.open_vault() as vault:
        if action == "verify":
            with vault.reading() as session:
                problems = [p.message for p in audit.verify(session, vault.audit_key)]
                total = audit.count(session)
            ctx.emit(
                {"ok": not problems, "events": total, "problems": problems},
                lambda: (
                    f"The audit trail is intact: {total} events, each sealed to the one before."
                    if not problems
                    else "The audit trail has been tampered with:\n" + "\n".join(f"- {p}" for p in problems)
                ),
            )
            if problems:
                ctx.note("Keep this laptop as it is and tell your information security team.")
                raise Failure("audit verify failed")
            return 0
        filters = _filters(ctx)
        if action == "list":
            with vault.reading() as session:
                rows = audit.events(session, filters, limit=ctx.args.limit)
            ctx.emit(rows, lambda: "\n".join(_line(r) for r in rows) or "No events match.")
            return 0
        out: Path | None = ctx.args.out
        if out is None:
            raise UserError("Say where to write the export with --out FILE.csv.")
        if not ctx.args.reason.strip():
            raise UserError("Give the reason for exporting the audit trail with --reason (it is recorded).")
        with vault.unit_of_work() as session:
            data, written = audit.export(session, filters, target=out.name, reason=ctx.args.reason)
            try:
                atomic_write(out, data)
            except OSError as exc:
                raise UserError(f"Cannot write {out}: {exc.strerror}. Choose another folder.") from None
    ctx.emit({"written": str(out), "events": written}, lambda: f"Wrote {written} events to {out}.")
    return 0


def _line(row: dict[str, Any]) -> str:
    return f"{row['at']}  {row['actor']}@{row['device']}  {row['action']}  {row['record']}  {row['summary']}"


def cmd_public(ctx: Context) -> int:
    from commmatters_desktop.cli import _cycle
    from commmatters_desktop.core import privacy, public
    from commmatters_desktop.core.public_review import pending

    cycle = _cycle(ctx)
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        refusals = pending(session, ward_code=ctx.args.ward, cycle=cycle, today=ctx.clock.today(),
                           demo=vault.is_demo)  # fmt: skip
        scanner = privacy.scanner(session)
        listed = [{"section": r.piece.section, "record": r.piece.entity, "field": r.piece.field,
                   "draft": scanner.suggest(r.piece.text), "reason": r.reason} for r in refusals]  # fmt: skip
        if ctx.args.action == "approve":
            for refusal, item in zip(refusals, listed, strict=True):
                record = public.record_of(session, refusal.piece)
                if record is not None:
                    public.approve(session, record, refusal.piece.field, item["draft"])
    verb = "Approved" if ctx.args.action == "approve" else "Awaiting approval"
    ctx.emit(
        {"action": ctx.args.action, "items": listed},
        lambda: (
            "\n".join(f"{verb}: {i['section']}: '{i['draft']}' ({i['reason']})" for i in listed)
            or f"Everything {ctx.args.ward.upper()} shows in public for {cycle} is approved "
            "(leaflet, meeting screen and minutes, quarterly report, police.uk export)."
        ),
    )
    return 0


def cmd_retention(ctx: Context) -> int:
    from commmatters_desktop.core import retention

    with ctx.open_vault() as vault, vault.reading() as session:
        due = retention.due(session, ctx.clock.today())
    rules = [
        {"rule": r.key, "what": r.label, "months": r.months, "why": r.why} for r in retention.RULES.values()
    ]
    ctx.emit(
        {"rules": rules, "due": [d.as_json() for d in due]},
        lambda: "\n".join(
            [f"{r['what']}: {r['months']} months ({r['why']})" for r in rules]
            + [
                "",
                f"{len(due)} record{'s' if len(due) != 1 else ''} past their date:"
                if due
                else "Nothing is past its date.",
            ]
            + [
                f"  {d.label}: {', '.join(d.fields)} (due {d.due_on:%d %b %Y}) [{d.entity}:{d.row_id}]"
                for d in due
            ]
        ),
    )
    return 0


def cmd_purge(ctx: Context) -> int:
    import datetime as dt
    import uuid

    from commmatters_desktop.core import retention
    from commmatters_desktop.core.models import SYNCED_MODELS, personal_columns
    from commmatters_desktop.sync import purge

    if not ctx.args.due and not ctx.args.record:
        raise UserError("Say what to purge: --due (the review list) or --record TABLE:ID.")
    with ctx.open_vault() as vault:
        with vault.reading() as session:
            items = retention.due(session, ctx.clock.today()) if ctx.args.due else []
            if ctx.args.record:
                entity, _, row_id = ctx.args.record.partition(":")
                model = next((m for m in SYNCED_MODELS if m.__tablename__ == entity), None)
                try:
                    record = (
                        session.get(model, uuid.UUID(row_id)) if model and personal_columns(model) else None
                    )
                except ValueError:
                    record = None
                if record is None or model is None:
                    raise UserError(f"There is no record {ctx.args.record} with personal data. "
                                    "Copy TABLE:ID from 'retention' or 'sar'.")  # fmt: skip
                rule = retention.rule_for(record)
                items.append(retention.Due(entity, row_id, rule.key if rule else "erasure", "erasure request",
                                           tuple(personal_columns(model)), ctx.clock.today(), dt.date.min))  # fmt: skip
        count = purge.purge(vault, items, reason=ctx.args.reason) if items else 0
    ctx.emit(
        {"purged": count},
        lambda: (
            f"Purged personal data from {count} record{'s' if count != 1 else ''}; "
            "it leaves the shared folder and the other laptops at their next sync."
            if count
            else "Nothing to purge."
        ),
    )
    return 0


def cmd_sar(ctx: Context) -> int:
    from commmatters_desktop.core import subject_access
    from commmatters_desktop.core.services.force import force_name
    from commmatters_desktop.storage.vault import atomic_write

    out: Path = ctx.args.out
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        held = subject_access.find(session, ctx.args.name)
        subject_access.record_export(session, count=len(held), target=out.name, reason=ctx.args.reason)
        if out.suffix.lower() == ".csv":
            data = subject_access.to_csv(held)
        else:
            from commmatters_desktop.reports.subject_access import render

            data = render(held, name=ctx.args.name, reference=ctx.args.reason, force_name=force_name(session),
                          on=ctx.clock.today())  # fmt: skip
        try:
            atomic_write(out, data)
        except OSError as exc:
            raise UserError(f"Cannot write {out}: {exc.strerror}. Choose another folder.") from None
    ctx.emit({"written": str(out), "items": len(held)}, lambda: f"Wrote {len(held)} items to {out}.")
    return 0
