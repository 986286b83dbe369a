"""The people side of the CLI: partners, people, the key individual network and feedback exports.

Kept apart from ``cli.py`` (which registers these with one call) so each command family stays small.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commmatters_desktop.core.enums import AgencyKind, ContactChannel, PersonRole
from commmatters_desktop.core.errors import UserError

if TYPE_CHECKING:
    from commmatters_desktop.cli import Context

_KINDS = [k.value for k in AgencyKind]
_ROLES = [r.value for r in PersonRole]
_CHANNELS = [c.value for c in ContactChannel]


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``partners``, ``people``, ``kin`` and ``feedback`` to the CLI's sub-commands."""

    def family(name: str, help_text: str) -> Any:
        parser = commands.add_parser(name, help=help_text, parents=[common])
        return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)

    def action(group: Any, name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(
            name, parents=[common], help=help_text, description=help_text
        )
        sub.set_defaults(handler=handler)
        return sub

    partners = family("partners", "list, add, retire, import or export partner agencies")
    listing = action(partners, "list", "partner agencies with their contacts and wards", cmd_partners_list)
    listing.add_argument("--all", action="store_true", help="include retired agencies")
    add = action(partners, "add", "add a partner agency", cmd_partners_add)
    add.add_argument("name")
    add.add_argument("--kind", required=True, choices=_KINDS)
    add.add_argument("--contact-route", default="", metavar="TEXT", help="a team mailbox or switchboard")
    retire = action(
        partners, "retire", "retire an agency (its past actions still name it)", cmd_partners_retire
    )
    retire.add_argument("name")
    imp = action(
        partners,
        "import",
        "import a partner contact list (agency, kind, name, role, email, phone, wards; any case and order)",
        cmd_partners_import,
    )
    imp.add_argument("csv", type=Path)
    export = action(partners, "export", "write the partner list as CSV for a PACT pack", cmd_partners_export)
    export.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    export.add_argument("--all", action="store_true", help="include retired agencies")

    people = family("people", "list, add or import officers, PCSOs, panel members and key individuals")
    p_list = action(people, "list", "people, their roles and wards", cmd_people_list)
    p_list.add_argument("--ward", metavar="CODE")
    p_list.add_argument("--role", choices=_ROLES)
    p_add = action(people, "add", "add a person and their wards", cmd_people_add)
    p_add.add_argument("name")
    p_add.add_argument("--role", required=True, choices=_ROLES)
    p_add.add_argument("--ward", action="append", default=[], metavar="CODE", help="a ward (repeat for more)")
    p_add.add_argument("--ward-officer", action="store_true", help="the ward officer of these wards")
    p_add.add_argument("--agency", metavar="NAME", help="their agency or team")
    p_add.add_argument("--title", default="", help="shoulder number or job title")
    p_add.add_argument("--email", default="")
    p_add.add_argument("--phone", default="")
    p_imp = action(
        people,
        "import",
        "import a ward team roster (ward, name, role, shoulder number, email, phone, ward officer)",
        cmd_people_import,
    )
    p_imp.add_argument("csv", type=Path)

    kin = family("kin", "the Key Individual Network: register, contacts, representation gaps")
    k_list = action(kin, "list", "a ward's key individuals with consent and recent contacts", cmd_kin_list)
    k_list.add_argument("--ward", required=True, metavar="CODE")
    k_add = action(kin, "add", "add a key individual to a ward", cmd_kin_add)
    k_add.add_argument("name")
    k_add.add_argument("--ward", required=True, metavar="CODE")
    k_add.add_argument("--community", required=True, help="the community or group they connect with")
    k_add.add_argument("--prefer", choices=_CHANNELS, help="how they prefer to be contacted")
    k_add.add_argument("--email", default="")
    k_add.add_argument("--phone", default="")
    k_add.add_argument("--consent-date", metavar="YYYY-MM-DD")
    k_add.add_argument("--consent-basis", default="", metavar="TEXT")
    k_log = action(kin, "log", "log a contact with a key individual (consent needed)", cmd_kin_log)
    k_log.add_argument("--ward", required=True, metavar="CODE")
    k_log.add_argument("--name", required=True, help="the key individual's name")
    k_log.add_argument("--channel", required=True, choices=_CHANNELS)
    k_log.add_argument("--purpose", required=True)
    k_log.add_argument("--date", metavar="YYYY-MM-DD", help="default: today")
    k_log.add_argument("--anyway", action="store_true", help="log it even past the fatigue threshold")
    k_gaps = action(kin, "gaps", "groups a ward (or every ward) has no link with", cmd_kin_gaps)
    k_gaps.add_argument("--ward", metavar="CODE")
    k_threshold = action(
        kin, "threshold", "show or set the consultation fatigue threshold", cmd_kin_threshold
    )
    k_threshold.add_argument("contacts", nargs="?", type=int, help="contacts in 90 days before a warning")

    feedback = family("feedback", "feedback to those who took part")
    f_export = action(feedback, "export", "what to send back, per channel, as CSV", cmd_feedback_export)
    f_export.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    f_export.add_argument("--channel", required=True, choices=["nextdoor", "alert", "kin-email"])
    f_export.add_argument("--ward", metavar="CODE", help="one ward only")
    f_export.add_argument("--out", required=True, type=Path, metavar="FILE.csv")
    f_export.add_argument(
        "--reason", default="", help="kin-email: why the mailing list is exported (recorded)"
    )


def _date(text: str | None, ctx: Context, what: str) -> dt.date:
    if not text:
        return ctx.clock.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"{what} '{text}' is not a date: write it as YYYY-MM-DD, for example 2026-11-20."
        ) from None


def _write(path: Path, data: bytes) -> None:
    from commmatters_desktop.storage.vault import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}. Choose another folder.") from None


def _ward(session: Any, code: str) -> Any:
    from commmatters_desktop.core.services.wards import ward_by_code

    ward = ward_by_code(session, code)
    if ward is None:
        raise UserError(f"There is no ward {code.upper()} in the vault. Check the code with 'wards list'.")
    return ward


# --- partners ---------------------------------------------------------------------------------------------------


def cmd_partners_list(ctx: Context) -> int:
    from commmatters_desktop.core.people_queries import agency_rows

    with ctx.open_vault() as vault, vault.reading() as session:
        rows = agency_rows(session, include_retired=ctx.args.all)
    ctx.emit(
        [r.as_json() for r in rows],
        lambda: "\n".join(
            [
                f"{r.name}  [{r.kind.label}; {r.status}]"
                + (f"  contacts: {'; '.join(r.contacts)}" if r.contacts else "")
                + (f"  wards: {' '.join(r.wards)}" if r.wards else "")
                for r in rows
            ]
            + [f"{len(rows)} partner agenc{'ies' if len(rows) != 1 else 'y'}."]
        ),
    )
    return 0


def cmd_partners_add(ctx: Context) -> int:
    from commmatters_desktop.core.services import people

    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        agency = people.create_agency(
            session, name=ctx.args.name, kind=AgencyKind(ctx.args.kind), contact_route=ctx.args.contact_route
        )
        data = {"id": str(agency.id), "name": agency.name, "kind": agency.kind.value}
    ctx.emit(data, lambda: f"Added partner agency '{data['name']}'.")
    return 0


def cmd_partners_retire(ctx: Context) -> int:
    from commmatters_desktop.core.services import people

    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        agency = people.find_agency(session, ctx.args.name)
        people.retire_agency(session, agency=agency)
        data = {
            "name": agency.name,
            "retired_on": agency.retired_on.isoformat() if agency.retired_on else None,
        }
    ctx.emit(data, lambda: f"Retired '{data['name']}': past actions and priorities still name it.")
    return 0


def _import(ctx: Context, kind: str) -> int:
    from commmatters_desktop.importers import people as importer

    parsed = importer.read_people(ctx.args.csv, kind)  # checked whole before the vault opens
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        apply = importer.apply_contacts if kind == "contacts" else importer.apply_roster
        summary = apply(session, parsed.contacts if kind == "contacts" else parsed.roster)  # type: ignore[arg-type]
    summary.skipped = sorted([*parsed.problems, *summary.skipped])
    ctx.emit(
        summary.as_json(),
        lambda: "\n".join(
            [f"Imported {ctx.args.csv.name}: {summary.describe()}."]
            + [f"  line {line}: {reason}" for line, reason in summary.skipped]
        ),
    )
    return 0


def cmd_partners_import(ctx: Context) -> int:
    return _import(ctx, "contacts")


def cmd_partners_export(ctx: Context) -> int:
    from commmatters_desktop.core.feedback_export import to_csv
    from commmatters_desktop.core.people_queries import PARTNER_HEADERS, partner_table

    with ctx.open_vault() as vault, vault.reading() as session:
        table = partner_table(session, include_retired=ctx.args.all)
    _write(ctx.args.out, to_csv(PARTNER_HEADERS, table))
    ctx.emit(
        {"out": str(ctx.args.out), "rows": len(table)},
        lambda: f"Wrote {len(table)} row{'s' if len(table) != 1 else ''} to {ctx.args.out}.",
    )
    return 0


# --- people ---------------------------------------------------------------------------------------------------


def cmd_people_list(ctx: Context) -> int:
    from commmatters_desktop.core.people_queries import person_rows

    role = PersonRole(ctx.args.role) if ctx.args.role else None
    with ctx.open_vault() as vault, vault.reading() as session:
        rows = person_rows(session, role=role, ward_code=ctx.args.ward, include_retired=False)
    ctx.emit(
        [r.as_json() for r in rows],
        lambda: "\n".join(
            [
                f"{r.full_name}  [{r.role.label}{', ' + r.agency if r.agency else ''}"
                f"{'; personal data' if r.public else ''}]  {r.describe_wards()}"
                for r in rows
            ]
            + [f"{len(rows)} {'person' if len(rows) == 1 else 'people'}."]
        ),
    )
    return 0


def cmd_people_add(ctx: Context) -> int:
    from commmatters_desktop.core.services import people

    role = PersonRole(ctx.args.role)
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        wards = [_ward(session, code) for code in ctx.args.ward]
        agency = people.find_agency(session, ctx.args.agency) if ctx.args.agency else None
        person = people.create_person(
            session,
            full_name=ctx.args.name,
            role=role,
            agency=agency,
            title=ctx.args.title,
            email=ctx.args.email,
            phone=ctx.args.phone,
        )
        for ward in wards:
            people.assign(
                session,
                ward=ward,
                person=person,
                role=PersonRole.WARD_OFFICER if ctx.args.ward_officer else role,
            )
        data = {
            "id": str(person.id),
            "full_name": person.full_name,
            "role": role.value,
            "wards": ctx.args.ward,
        }
    ctx.emit(data, lambda: f"Added {data['full_name']} ({role.label}).")
    return 0


def cmd_people_import(ctx: Context) -> int:
    return _import(ctx, "roster")


# --- the key individual network -----------------------------------------------------------------------------------


def cmd_kin_list(ctx: Context) -> int:
    from commmatters_desktop.core.people_queries import contact_rows, kin_rows

    today = ctx.clock.today()
    with ctx.open_vault() as vault, vault.reading() as session:
        ward = _ward(session, ctx.args.ward)
        rows = kin_rows(session, on=today, ward_code=ward.code)
        contacts = contact_rows(session, ward_code=ward.code, limit=10)
        name = ward.name
    ctx.emit(
        {"ward_code": ctx.args.ward.upper(), "kin": [r.as_json() for r in rows],
         "recent_contacts": [c.as_json() for c in contacts]},
        lambda: "\n".join(
            [f"Key individuals in {name} (personal data):"]
            + [
                f"  {r.person.full_name}  [{r.person.community}; prefers {r.preferred or 'not said'}; consent "
                f"{r.consent}]  {r.recent} contact{'s' if r.recent != 1 else ''} in 90 days"
                + ("  FATIGUE: ask someone else" if r.fatigued else "")
                for r in rows
            ]
            + ([] if rows else ["  none recorded"])
            + ["Recent contacts:"]
            + [f"  {c.contacted_on:%d/%m/%Y}  {c.person}  {c.channel.label}: {c.purpose}" for c in contacts]
            + ([] if contacts else ["  none logged"])
        ),
    )  # fmt: skip
    return 0


def cmd_kin_add(ctx: Context) -> int:
    from commmatters_desktop.core.services import kin

    consent = _date(ctx.args.consent_date, ctx, "The consent date") if ctx.args.consent_date else None
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        person = kin.add_key_individual(
            session,
            ward=_ward(session, ctx.args.ward),
            full_name=ctx.args.name,
            community=ctx.args.community,
            preferred_contact=ContactChannel(ctx.args.prefer) if ctx.args.prefer else None,
            email=ctx.args.email,
            phone=ctx.args.phone,
            consent_on=consent,
            consent_basis=ctx.args.consent_basis,
        )
        data = {"id": str(person.id), "full_name": person.full_name, "consent": consent is not None}
    ctx.emit(
        data,
        lambda: (
            f"Added key individual {data['full_name']}"
            + ("." if consent else "; record their consent before contacting them.")
        ),
    )
    return 0


def _kin_person(session: Any, ward: Any, name: str) -> Any:
    from commmatters_desktop.core.services import kin

    wanted = name.strip().lower()
    found = next((p for p in kin.ward_key_individuals(session, ward) if p.full_name.lower() == wanted), None)
    if found is None:
        raise UserError(
            f"{ward.name} has no key individual called '{name.strip()}'. See 'kin list --ward {ward.code}'."
        )
    return found


def cmd_kin_log(ctx: Context) -> int:
    from commmatters_desktop.core.services import kin

    on = _date(ctx.args.date, ctx, "The date")
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        ward = _ward(session, ctx.args.ward)
        person = _kin_person(session, ward, ctx.args.name)
        try:
            contact = kin.log_contact(
                session,
                person=person,
                ward=ward,
                on=on,
                channel=ContactChannel(ctx.args.channel),
                purpose=ctx.args.purpose,
                anyway=ctx.args.anyway,
            )
        except kin.FatigueWarning as warning:
            raise UserError(f"{warning.message} Nothing was logged; add --anyway to log it.") from None
        recent = kin.recent_contacts(session, person, on)
        data = {"id": str(contact.id), "person": person.full_name, "contacts_last_90_days": recent}
    ctx.emit(data, lambda: f"Logged the contact with {data['person']} ({recent} in the last 90 days).")
    return 0


def cmd_kin_gaps(ctx: Context) -> int:
    from commmatters_desktop.core.services import kin

    with ctx.open_vault() as vault, vault.reading() as session:
        ward = _ward(session, ctx.args.ward) if ctx.args.ward else None
        found = kin.gaps(session, ward_id=ward.id if ward else None)
        groups = kin.groups(session)

    def text() -> str:
        if not found:
            return "Every ward has a link with every group: " + ", ".join(groups) + "."
        lines: list[str] = []
        for gap in found:
            if not lines or not lines[-1].startswith(f"{gap.ward_code} "):
                lines.append(f"{gap.ward_code} {gap.ward_name}: not hearing from")
            pending = f" ({gap.awaiting_consent} awaiting consent)" if gap.awaiting_consent else ""
            lines[-1] += f" {gap.group}{pending};"
        return "\n".join(line.rstrip(";") for line in lines) + f"\n{len(found)} gaps."

    ctx.emit({"groups": groups, "gaps": [g.as_json() for g in found]}, text)
    return 0


def cmd_kin_threshold(ctx: Context) -> int:
    from commmatters_desktop.core.services import kin

    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        if ctx.args.contacts is not None:
            kin.set_fatigue_threshold(session, ctx.args.contacts)
        threshold = kin.fatigue_threshold(session)
    ctx.emit(
        {"threshold": threshold, "days": kin.FATIGUE_DAYS},
        lambda: (
            f"A key individual contacted {threshold} times in {kin.FATIGUE_DAYS} days is not asked again "
            "without a warning."
        ),
    )
    return 0


# --- feedback ---------------------------------------------------------------------------------------------------


def cmd_feedback_export(ctx: Context) -> int:
    from commmatters_desktop.core.cycles import CycleCode
    from commmatters_desktop.core.feedback_export import CHANNELS, feedback_export, record_export, to_csv

    cycle = (
        str(CycleCode.parse(ctx.args.cycle))
        if ctx.args.cycle
        else str(CycleCode.containing(ctx.clock.today()))
    )
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        export = feedback_export(
            session,
            cycle=cycle,
            channel=ctx.args.channel,
            today=ctx.clock.today(),
            ward_code=ctx.args.ward,
            demo=vault.is_demo,
        )
        rows = export.rows()
        if not rows:
            first = (
                export.skipped[0]
                if export.skipped
                else (ctx.args.ward or "", f"no priority in {cycle} to feed back")
            )
            more = f" (and {len(export.skipped) - 1} more wards)" if len(export.skipped) > 1 else ""
            why = f"{first[0]} {first[1]}".strip()
            raise UserError(f"Nothing to send by {CHANNELS[export.channel]} for {cycle}: {why}{more}.")
        # Recorded in the same transaction as the file is written: a failed write records nothing.
        record_export(session, export, target=ctx.args.out.name, reason=ctx.args.reason)
        _write(ctx.args.out, to_csv(export.headers(), rows))
    ctx.emit(
        {**export.as_json(), "out": str(ctx.args.out)},
        lambda: "\n".join(
            [f"{CHANNELS[export.channel]} for {cycle}: {len(rows)} row{'s' if len(rows) != 1 else ''} written to "
             f"{ctx.args.out}."]
            + [f"  skipped {code}: {reason}" for code, reason in export.skipped]
        ),
    )  # fmt: skip
    return 0
