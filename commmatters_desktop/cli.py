"""The headless commands (DESIGN.md section 6): plain text or ``--json``, one-line errors, no Qt.

Exit status: 0 done, 1 refused or failed (one line on stderr says why and what to do),
2 the command line itself was wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from commmatters_desktop import APP_NAME, APP_TITLE, build, cli_people, paths
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.keystore import KeyringStore, KeyStore
from commmatters_desktop.storage.vault import PassphraseNeeded, Vault, vault_exists

PASSPHRASE_ENV = "COMMMATTERS_PASSPHRASE"


class Failure(UserError):
    """A command ran but found something wrong (``check`` with problems): exit 1, already reported."""


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets these be given before or after the command without one overriding the other.
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the vault folder (default: your user data folder)",
    )
    common.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="use the demo force's vault (built on first use; no real data)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON instead of text"
    )
    common.add_argument(
        "--passphrase-file",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help=f"read the recovery passphrase from FILE (or set {PASSPHRASE_ENV})",
    )

    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        parents=[common],
        description=f"{APP_TITLE}: with no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {build.current().describe()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, handler: Callable[..., int], **kw: Any) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text, **kw)
        sub.set_defaults(handler=handler)
        return sub

    command("init", "create a new, empty encrypted vault", cmd_init)
    demo = command("demo", "build (or open) the demo force and summarise it", cmd_demo)
    demo.add_argument("--reset", action="store_true", help="throw the demo vault away and build it afresh")
    command("info", "describe the vault: where it is, how it was unlocked, what it holds", cmd_info)
    command("check", "run SQLCipher's and SQLite's integrity checks", cmd_check)
    backup = command("backup", "write an encrypted copy of the vault (and its recovery file)", cmd_backup)
    backup.add_argument("path", type=Path, help="file to write, or a folder to write a dated copy into")

    wards = commands.add_parser("wards", help="list or import wards", parents=[common])
    ward_commands = wards.add_subparsers(dest="ward_command", metavar="ACTION", required=True)
    listing = ward_commands.add_parser("list", parents=[common], help="list the wards")
    listing.set_defaults(handler=cmd_wards_list)
    listing.add_argument("--la", metavar="NAME", help="only wards of this local authority (name or code)")
    listing.add_argument("--search", metavar="TEXT", help="only wards whose name or code contains TEXT")
    listing.add_argument("--cycle", metavar="YEAR-QN", help="whose priority to show (default: this quarter)")
    importing = ward_commands.add_parser(
        "import", parents=[common], help="import an ONS ward lookup CSV (any vintage; LSOA lookups too)"
    )
    importing.set_defaults(handler=cmd_wards_import)
    importing.add_argument(
        "csv", type=Path, help="the lookup file (columns WDyyCD, WDyyNM, LADyyCD, LADyyNM)"
    )
    nominations = commands.add_parser("nominations", help="import or list nominations", parents=[common])
    nomination_commands = nominations.add_subparsers(
        dest="nomination_command", metavar="ACTION", required=True
    )
    n_import = nomination_commands.add_parser(
        "import",
        parents=[common],
        help="import an online poll or survey CSV "
        "(ward_code,wording,category,support,source,date,reference; any case and order)",
    )
    n_import.set_defaults(handler=cmd_nominations_import)
    n_import.add_argument("csv", type=Path)
    n_import.add_argument("--ward", metavar="CODE", help="the ward, for files without a ward_code column")
    n_import.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    n_list = nomination_commands.add_parser("list", parents=[common], help="list the nominations")
    n_list.set_defaults(handler=cmd_nominations_list)
    n_list.add_argument("--ward", metavar="CODE")
    n_list.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")

    plan = commands.add_parser(
        "plan", help="plan the weeks of action and export calendar invites", parents=[common]
    )
    plan_commands = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    weeks = plan_commands.add_parser("weeks", parents=[common], help="plan the weeks of action for a cycle")
    weeks.set_defaults(handler=cmd_plan_weeks)
    weeks.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    weeks.add_argument("--mode", required=True, choices=["rolling", "all-wards"])
    weeks.add_argument(
        "--start", required=True, metavar="YYYY-MM-DD", help="first week (all-wards: the week)"
    )
    weeks.add_argument("--per-week", type=int, metavar="N", help="rolling: at most N wards a week")
    weeks.add_argument("--la", metavar="NAME", help="only the wards of this local authority")
    weeks.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a week that cannot be used (repeat for more); it is remembered for the cycle",
    )
    weeks.add_argument("--dry-run", action="store_true", help="show the plan without saving it")
    weeks.add_argument(
        "--by-harm", action="store_true", help="rolling: take the wards in the Social Harm Index's order"
    )
    ics = plan_commands.add_parser(
        "ics", parents=[common], help="calendar invites for the weeks and due actions"
    )
    ics.set_defaults(handler=cmd_plan_ics)
    ics.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    ics.add_argument("--out", required=True, type=Path, metavar="FILE.ics")
    ics.add_argument("--agency", metavar="NAME", help="only this partner's due actions (and no weeks)")
    overview_cmd = command(
        "overview", "every ward's priority this cycle, and the wards that are stuck", cmd_overview
    )
    overview_cmd.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    actions_cmd = command(
        "actions", "open actions across wards by partner; --out writes a PDF list", cmd_actions
    )
    actions_cmd.add_argument("--agency", metavar="NAME", help="one partner agency")
    actions_cmd.add_argument("--cycle", metavar="YEAR-QN", help="only this quarter's priorities")
    actions_cmd.add_argument(
        "--out", type=Path, metavar="FILE.pdf", help="print the partner's list (needs --agency)"
    )

    sync_cmd = command("sync", "exchange changes with colleagues' laptops through a shared folder", cmd_sync)
    sync_cmd.add_argument(
        "--folder", type=Path, metavar="DIR", help="the shared folder (default: the last one used)"
    )
    sync_cmd.add_argument(
        "--team-passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the team passphrase from FILE (or set COMMMATTERS_TEAM_PASSPHRASE)",
    )
    sync_cmd.add_argument(
        "--rotate-key", action="store_true", help="start using a new team key (old files stay readable)"
    )
    sync_cmd.add_argument(
        "--leave",
        action="store_true",
        help="leave the team (forget its key and folder); the next sync joins or starts one afresh",
    )
    from commmatters_desktop import cli_recovery

    cli_recovery.register(command)

    formats = ["a4", "a5", "large-print"]
    leaflet = command("leaflet", "write one ward's 'You said, we did' leaflet as a PDF", cmd_leaflet)
    leaflet.add_argument("--ward", required=True, metavar="CODE", help="the ward's ONS code")
    leaflet.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    leaflet.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    leaflet.add_argument("--format", choices=formats, default="a4", help="a4 (default), a5 or large-print")
    leaflet.add_argument("--draft", action="store_true", help="do not record it as feedback given")
    leaflets = command("leaflets", "write a leaflet for every ward whose priority has feedback", cmd_leaflets)
    leaflets.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    leaflets.add_argument("--out", required=True, type=Path, metavar="DIR")
    leaflets.add_argument("--format", choices=formats, default="a4")
    leaflets.add_argument("--draft", action="store_true", help="do not record them as feedback given")
    force_cmd = command("force", "show or set the force name and logo printed on leaflets", cmd_force)
    force_cmd.add_argument("--name", help="the force's name as it should be printed")
    force_cmd.add_argument("--logo", type=Path, metavar="FILE", help="a PNG or JPEG logo or crest")
    cli_people.register(commands, common)
    from commmatters_desktop import cli_privacy

    cli_privacy.register(command)
    from commmatters_desktop import cli_evidence

    cli_evidence.register(commands, common)
    return parser


# --- running -------------------------------------------------------------------------------------------------


class Context:
    """What every command needs: options, where to print, how to open the vault."""

    def __init__(
        self,
        args: argparse.Namespace,
        out: TextIO,
        err: TextIO,
        clock: Clock,
        keystore: KeyStore,
        stdin_is_tty: bool,
    ) -> None:
        self.args = args
        self.out, self.err = out, err
        self.clock = clock
        self.keystore = keystore
        self.stdin_is_tty = stdin_is_tty

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def demo(self) -> bool:
        return bool(getattr(self.args, "demo", False))

    @property
    def folder(self) -> Path:
        chosen: Path | None = getattr(self.args, "data_dir", None)
        if chosen is not None:
            return chosen.expanduser().resolve()
        return paths.default_demo_dir() if self.demo else paths.default_data_dir()

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def note(self, text: str) -> None:
        """Progress and hints: stderr, so ``--json`` output stays clean."""
        print(text, file=self.err)

    def emit(self, data: Any, text: Callable[[], str]) -> None:
        self.say(json.dumps(data, indent=2, ensure_ascii=False) if self.json else text())

    def passphrase(self, *, confirm: bool = False, reason: str = "") -> str | None:
        file: Path | None = getattr(self.args, "passphrase_file", None)
        if file is not None:
            try:
                return file.read_text(encoding="utf-8").splitlines()[0] if file.stat().st_size else ""
            except OSError as exc:
                raise UserError(f"Cannot read the passphrase file {file}: {exc.strerror}.") from None
        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        if not self.stdin_is_tty:
            return None
        if reason:
            self.note(f"The recovery passphrase is needed because {reason}.")
        first = getpass.getpass("Recovery passphrase: ")
        if confirm and getpass.getpass("Type it again: ") != first:
            raise UserError("The two passphrases were different; nothing was created. Try again.")
        return first

    def open_vault(self) -> Vault:
        vault = self._open_vault()
        # A large vault's full page checks run in the background: damage they find is printed.
        vault.watch_integrity(lambda message: self.note(f"WARNING: {message}"))
        return vault

    def _open_vault(self) -> Vault:
        if self.demo:
            from commmatters_desktop.demo import open_demo

            return open_demo(self.folder, clock=self.clock, notify=self.note)
        try:
            return Vault.open(self.folder, keystore=self.keystore, clock=self.clock)
        except PassphraseNeeded as needed:
            passphrase = self.passphrase(reason=needed.reason)
            if passphrase is None:
                raise
            return Vault.open(self.folder, keystore=self.keystore, passphrase=passphrase, clock=self.clock)


def run(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Clock | None = None,
    keystore: KeyStore | None = None,
    stdin_is_tty: bool | None = None,
) -> int:
    """Run one command; returns the exit status. Never lets a traceback reach the user."""
    out, err = out or sys.stdout, err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(args, "handler", None) is None:
        parser.print_help(out)
        return 2
    context = Context(
        args,
        out,
        err,
        clock or SystemClock(),
        keystore or KeyringStore(),
        sys.stdin.isatty() if stdin_is_tty is None else stdin_is_tty,
    )
    try:
        return int(args.handler(context))
    except Failure:
        return 1
    except UserError as exc:
        print(f"{APP_NAME}: {exc.message}", file=err)
        return 1
    except KeyboardInterrupt:
        print(f"{APP_NAME}: interrupted; nothing more was changed.", file=err)
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as Unix tools do.
        _silence_stdout()
        return 1
    except Exception as exc:
        log = _log_crash()
        print(
            f"{APP_NAME}: unexpected error ({type(exc).__name__}: {exc}). Details were written to {log}; "
            "please send that file to the team. Your data was not changed by the failed step.",
            file=err,
        )
        return 1


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests): nothing to silence
        pass


def _log_crash() -> Path:
    import platformdirs

    folder = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / "crash.log"
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(traceback.format_exc() + "\n")
        return log
    except OSError:
        return Path("(the log folder could not be written)")


# --- commands ------------------------------------------------------------------------------------------------


def cmd_init(ctx: Context) -> int:
    folder = ctx.folder
    if ctx.demo:
        raise UserError("Use 'demo' to build the demo force; 'init' creates a real vault.")
    if vault_exists(folder):
        raise UserError(f"There is already a vault in {folder}; nothing was changed.")
    passphrase = ctx.passphrase(confirm=True)
    if passphrase is None:
        raise UserError(
            f"Set {PASSPHRASE_ENV} or use --passphrase-file to choose the recovery passphrase "
            "when there is no terminal to type it in."
        )
    with Vault.create(folder, passphrase=passphrase, keystore=ctx.keystore, clock=ctx.clock) as vault:
        in_keyring = vault.key_source == "keyring"
        ctx.emit(
            {"created": str(vault.folder), "vault_id": vault.info.vault_id, "key_in_keyring": in_keyring},
            lambda: "\n".join(
                [
                    f"Created an encrypted vault in {vault.folder}.",
                    "The key is kept in this computer's keyring."
                    if in_keyring
                    else f"No system keyring could keep the key ({ctx.keystore.problem}): "
                    "you will be asked for the recovery passphrase each time.",
                    "Keep the recovery passphrase somewhere safe: without it a lost keyring means a lost vault.",
                ]
            ),
        )
    return 0


def cmd_demo(ctx: Context) -> int:
    from commmatters_desktop.demo import DEMO_PASSPHRASE, open_demo

    folder = ctx.folder if getattr(ctx.args, "data_dir", None) else paths.default_demo_dir()
    with open_demo(folder, clock=ctx.clock, reset=ctx.args.reset, notify=ctx.note) as vault:
        info = vault.describe()
        ctx.emit(
            info,
            lambda: "\n".join(
                [
                    f"DEMO force ready in {info['folder']} (recovery passphrase: '{DEMO_PASSPHRASE}').",
                    "It holds {ward} wards, {priority} priorities, {action} actions, {nomination} nominations "
                    "and {agency} partner agencies.".format(**info["counts"]),
                    f"Open it with: {APP_NAME} --demo",
                ]
            ),
        )
    return 0


def cmd_info(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        info = vault.describe()
        ctx.emit(
            info,
            lambda: "\n".join(
                [
                    f"{'DEMO vault' if info['demo'] else 'Vault'}: {info['folder']}",
                    f"Unlocked with: {info['key_source']}; schema {info['schema']}; device {info['device_id']}",
                    "Holds " + ", ".join(_count(v, k) for k, v in info["counts"].items()),
                ]
            ),
        )
    return 0


def cmd_check(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        problems = vault.check() + vault.warnings()
    ctx.emit(
        {"ok": not problems, "problems": problems},
        lambda: (
            "The vault is healthy: every page decrypts, its structure is intact and the audit trail is unbroken."
            if not problems
            else "The vault has problems:\n" + "\n".join(f"- {p}" for p in problems)
        ),
    )
    if problems:
        ctx.note(
            f"Run '{APP_NAME} restore' (the newest of the vault's own backups) or '{APP_NAME} salvage FOLDER', "
            "then check again; after a lost -wal file, sync instead."
        )
        raise Failure("check failed")
    return 0


def cmd_backup(ctx: Context) -> int:
    with ctx.open_vault() as vault:
        target = vault.backup(ctx.args.path)
    ctx.emit(
        {"backup": str(target), "recovery_file": str(target) + ".vault.json"},
        lambda: f"Wrote an encrypted backup to {target} (with its recovery file beside it).",
    )
    return 0


def cmd_wards_list(ctx: Context) -> int:
    from commmatters_desktop.core import queries

    cycle = CycleCode.parse(ctx.args.cycle) if ctx.args.cycle else CycleCode.containing(ctx.clock.today())
    with ctx.open_vault() as vault, vault.reading() as session:
        rows = queries.ward_rows(
            session, cycle=str(cycle), search=ctx.args.search or "", la=ctx.args.la or ""
        )
    if ctx.json:
        ctx.emit([row.as_json() for row in rows], str)
        return 0
    if not rows:
        ctx.say(
            "No wards match."
            if (ctx.args.search or ctx.args.la)
            else f"No wards yet: import an ONS lookup with '{APP_NAME} wards import FILE.csv'."
        )
        return 0
    width = max(len(r.name) for r in rows)
    la_width = max(len(r.la_name) for r in rows)
    for r in rows:
        ctx.say(f"{r.code}  {r.name:<{width}}  {r.la_name:<{la_width}}  {r.priority_label}")
    ctx.say(f"{len(rows)} ward{'s' if len(rows) != 1 else ''}; priorities for {cycle}.")
    return 0


def cmd_wards_import(ctx: Context) -> int:
    from commmatters_desktop.importers.ons_wards import apply_ward_lookup, read_ward_lookup

    lookup = read_ward_lookup(ctx.args.csv)  # the whole file is read and checked before the vault opens
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        summary = apply_ward_lookup(session, lookup)
    ctx.emit(
        {
            "added": summary.added,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "lsoas_linked": summary.lsoas_linked,
            "skipped": [{"line": line, "reason": reason} for line, reason in summary.skipped],
        },
        lambda: "\n".join(
            [
                f"Imported {ctx.args.csv.name} ({lookup.vintage}): {summary.describe()}"
                + (f"; {summary.lsoas_linked} LSOAs linked." if summary.lsoas_linked else ".")
            ]
            + [f"  line {line}: {reason}" for line, reason in summary.skipped]
        ),
    )
    return 0


_PLURALS = {"priority": "priorities", "agency": "partner agencies"}


def _count(number: int, noun: str) -> str:
    """'1 ward', '3 priorities', '2 partner agencies': what `info` says the vault holds."""
    if number == 1:
        return f"1 {'partner agency' if noun == 'agency' else noun}"
    return f"{number} {_PLURALS.get(noun, noun + 's')}"


def _cycle(ctx: Context) -> str:
    return str(CycleCode.parse(ctx.args.cycle) if ctx.args.cycle else CycleCode.containing(ctx.clock.today()))


def _write_pdf(path: Path, data: bytes) -> None:
    from commmatters_desktop.reports.publish import write_file

    if path.suffix.lower() != ".pdf":
        raise UserError(f"{path.name} should end in .pdf so it opens as a PDF.")
    write_file(path, data, what=f"The PDF {path.name}")


def cmd_leaflet(ctx: Context) -> int:
    from commmatters_desktop.reports import publish
    from commmatters_desktop.reports.leaflet import LeafletFormat, produce

    cycle, fmt = _cycle(ctx), LeafletFormat(ctx.args.format)
    if ctx.args.out.suffix.lower() != ".pdf":
        raise UserError(f"{ctx.args.out.name} should end in .pdf so it opens as a PDF.")
    with ctx.open_vault() as vault:
        with vault.reading() as session:
            leaflet = produce(
                session,
                ward_code=ctx.args.ward,
                cycle=cycle,
                today=ctx.clock.today(),
                fmt=fmt,
                demo=vault.is_demo,
            )
        _path, recorded = publish.save(vault, leaflet, ctx.args.out, draft=ctx.args.draft)
    ctx.emit(
        {
            "file": str(ctx.args.out),
            "ward": leaflet.content.ward_code,
            "cycle": cycle,
            "format": fmt.value,
            "sha256": leaflet.sha256,
            "recorded_as_feedback": recorded,
        },
        lambda: (
            f"Wrote the {fmt.label} leaflet for {leaflet.content.ward_name} ({cycle}) to {ctx.args.out}"
            + (
                "; recorded as feedback given."
                if recorded
                else " (draft: not recorded)."
                if ctx.args.draft
                else "; this exact leaflet was already recorded."
            )
        ),
    )
    return 0


def cmd_leaflets(ctx: Context) -> int:
    from commmatters_desktop.reports.leaflet import LeafletFormat
    from commmatters_desktop.reports.publish import publish_cycle

    cycle, fmt, folder = _cycle(ctx), LeafletFormat(ctx.args.format), ctx.args.out
    with ctx.open_vault() as vault:
        batch = publish_cycle(
            vault, cycle=cycle, today=ctx.clock.today(), fmt=fmt, folder=folder, draft=ctx.args.draft
        )
    if batch.stopped:
        raise UserError(batch.stopped)
    ctx.emit(
        {
            "cycle": cycle,
            "format": fmt.value,
            "written": [
                {"ward": code, "file": str(path), "sha256": digest} for code, path, digest in batch.written
            ],
            "refused": [{"ward": code, "reason": reason} for code, reason in batch.refused],
        },
        lambda: "\n".join(
            [
                f"Wrote {len(batch.written)} {fmt.label} leaflet{'s' if len(batch.written) != 1 else ''} "
                f"for {cycle} to {folder}."
            ]
            + [f"  not written for {code}: {reason}" for code, reason in batch.refused]
            + (
                []
                if batch.wards
                else [f"No ward has feedback recorded for {cycle} yet, so there was nothing to write."]
            )
        ),
    )
    return 1 if batch.refused else 0


def cmd_force(ctx: Context) -> int:
    from commmatters_desktop.core.services import force

    logo: bytes | None = None
    if ctx.args.logo is not None:
        try:
            logo = ctx.args.logo.read_bytes()
        except OSError as exc:
            raise UserError(f"Cannot read the logo {ctx.args.logo}: {exc.strerror}.") from None
    with ctx.open_vault() as vault:
        if ctx.args.name is not None or logo is not None:
            with vault.unit_of_work() as session:
                force.set_force(session, name=ctx.args.name, logo=logo)
        with vault.reading() as session:
            name, has_logo = force.force_name(session), force.force_logo(session) is not None
    ctx.emit(
        {"name": name, "logo": has_logo},
        lambda: (
            f"Leaflets are published as '{name}'" + (" with its logo." if has_logo else " (no logo set).")
        ),
    )
    return 0


def cmd_nominations_import(ctx: Context) -> int:
    from commmatters_desktop.core.services.engagement import import_nominations
    from commmatters_desktop.importers.nominations import read_nominations

    cycle = _cycle(ctx)
    parsed = read_nominations(ctx.args.csv, ward=ctx.args.ward)  # checked whole before the vault opens
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        result = import_nominations(session, parsed.records, cycle=cycle)
    skipped = sorted([*parsed.problems, *result.skipped])
    ctx.emit(
        {
            "cycle": cycle,
            "added": result.added,
            "merged": result.merged,
            "skipped": [{"line": line, "reason": reason} for line, reason in skipped],
        },
        lambda: "\n".join(
            [
                f"Imported {ctx.args.csv.name} for {cycle}: {result.added} added, {result.merged} merged, "
                f"{len(skipped)} skipped."
            ]
            + [f"  line {line}: {reason}" for line, reason in skipped]
        ),
    )
    return 0


def cmd_nominations_list(ctx: Context) -> int:
    from commmatters_desktop.core import queries

    cycle = _cycle(ctx)
    with ctx.open_vault() as vault, vault.reading() as session:
        rows = queries.nomination_rows(session, cycle=cycle, ward_code=ctx.args.ward)
    if ctx.json:
        ctx.emit([row.as_json() for row in rows], str)
        return 0
    if not rows:
        ctx.say(
            f"No nominations for {cycle}" + (f" in ward {ctx.args.ward.upper()}." if ctx.args.ward else ".")
        )
        return 0
    for r in rows:
        votes = f", {r.votes} votes" if r.votes is not None else ""
        ctx.say(
            f"{r.ward_code}  {r.display if r.approved else 'draft: ' + r.suggested}  "
            f"[{r.channel.label}, support {r.combined_support}{votes}; {r.status.label}"
            f"{'' if r.approved else '; public wording awaiting approval'}]"
        )
    ctx.say(f"{len(rows)} nomination{'s' if len(rows) != 1 else ''} for {cycle}.")
    return 0


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"{what} '{text}' is not a date: write it as YYYY-MM-DD, for example 2027-01-04."
        ) from None


def cmd_plan_weeks(ctx: Context) -> int:
    from commmatters_desktop.core.enums import ScheduleMode
    from commmatters_desktop.core.services import planning

    cycle = _cycle(ctx)
    mode = ScheduleMode.ROLLING if ctx.args.mode == "rolling" else ScheduleMode.ALL_WARDS
    start = _date(ctx.args.start, "The start")
    skips = [_date(text, "The week to skip") for text in ctx.args.skip]
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        for week in skips:
            planning.set_unavailable(session, cycle=cycle, week=week, reason="skipped when planning")
        plan = planning.make_plan(
            session,
            cycle=cycle,
            mode=mode,
            start=start,
            per_week=ctx.args.per_week,
            la=ctx.args.la or "",
            today=ctx.clock.today(),
            by_harm=ctx.args.by_harm,
        )
        changed = 0 if ctx.args.dry_run else planning.save_plan(session, cycle=cycle, plan=plan)
        session.flush()
        clashes = [] if ctx.args.dry_run else planning.clashes(session, cycle)
        names = {w.id: (w.code, w.name) for w in planning.wards_to_plan(session)}
    ctx.emit(
        {
            "cycle": cycle,
            "mode": mode.value,
            "per_week": plan.per_week,
            "saved": not ctx.args.dry_run,
            "changed": changed,
            "explanation": plan.explanation,
            "weeks": {names[w][0]: d.isoformat() for w, d in plan.weeks.items()},
            "unplaced": [w.code for w in plan.unplaced],
            "held": [w.code for w in plan.held],
            "moved": [m.describe() for m in plan.moves],
            "clashes": [c.describe() for c in clashes],
        },
        lambda: "\n".join(
            [*plan.explanation]
            + [
                f"  week of {week:%d %b %Y}: {count} ward{'s' if count != 1 else ''}"
                for week, count in plan.by_week().items()
            ]
            + [
                (
                    "Not saved (dry run)."
                    if ctx.args.dry_run
                    else f"Saved: {changed} ward{'s' if changed != 1 else ''} changed."
                )
            ]
            + [f"Clash: {c.describe()}" for c in clashes]
        ),
    )
    return 0


def cmd_plan_ics(ctx: Context) -> int:
    from commmatters_desktop.core.partner_actions import agency_called, open_actions
    from commmatters_desktop.core.services import force, planning
    from commmatters_desktop.reports.ics import calendar

    cycle = _cycle(ctx)
    if ctx.args.out.suffix.lower() != ".ics":
        raise UserError(f"{ctx.args.out.name} should end in .ics so calendars recognise it.")
    with ctx.open_vault() as vault, vault.reading() as session:
        weeks = [] if ctx.args.agency else planning.invite_weeks(session, cycle)
        if ctx.args.agency:
            ctx.args.agency = agency_called(session, ctx.args.agency)
        actions = open_actions(session, today=ctx.clock.today(), cycle=cycle, agency=ctx.args.agency)
        data = calendar(
            cycle=cycle,
            weeks=weeks,
            actions=actions,
            stamp=ctx.clock.now(),
            force_name=force.force_name(session),
            demo=vault.is_demo,
        )
    from commmatters_desktop.reports.publish import write_file

    write_file(ctx.args.out, data, what=f"The calendar {ctx.args.out.name}")
    dated = sum(1 for a in actions if a.due_on)
    ctx.emit(
        {"file": str(ctx.args.out), "weeks": len(weeks), "actions": dated},
        lambda: f"Wrote {len(weeks)} weeks of action and {dated} due actions for {cycle} to {ctx.args.out}.",
    )
    return 0


def _and_escalated(count: int) -> str:
    return f", {count} escalated" if count else ""


def cmd_overview(ctx: Context) -> int:
    from commmatters_desktop.core.overview import overview

    cycle = _cycle(ctx)
    with ctx.open_vault() as vault, vault.reading() as session:
        result = overview(session, cycle=cycle, today=ctx.clock.today())
    ctx.emit(
        {
            "cycle": cycle,
            "counts": result.counts,
            "stuck": [
                {"ward": w.ward_code, "name": w.ward_name, "state": w.state, "reasons": list(w.reasons)}
                for w in result.stuck
            ],
            "escalated": [w.ward_code for w in result.wards if w.state == "escalated"],
        },
        lambda: "\n".join(
            [
                f"{cycle}: " + ", ".join(f"{count} {state}" for state, count in result.counts.items()),
                f"{len(result.stuck)} ward{'s' if len(result.stuck) != 1 else ''} stuck"
                f"{_and_escalated(result.counts.get('escalated', 0))}:",
            ]
            + [f"  {w.ward_code} {w.ward_name} ({w.state}): {w.why}" for w in result.needing_attention]
        ),
    )
    return 0


def cmd_actions(ctx: Context) -> int:
    from commmatters_desktop.core.partner_actions import agency_called, open_actions, record_printed
    from commmatters_desktop.core.services import force
    from commmatters_desktop.reports.action_list import render_action_list

    if ctx.args.out is not None and not ctx.args.agency:
        raise UserError("Say whose list to print with --agency NAME.")
    cycle = str(CycleCode.parse(ctx.args.cycle)) if ctx.args.cycle else None
    with ctx.open_vault() as vault:
        with vault.reading() as session:
            if ctx.args.agency:
                ctx.args.agency = agency_called(session, ctx.args.agency)
            actions = open_actions(session, today=ctx.clock.today(), cycle=cycle, agency=ctx.args.agency)
            name, demo = force.force_name(session), vault.is_demo
        if ctx.args.out is not None:
            _write_pdf(
                ctx.args.out,
                render_action_list(
                    ctx.args.agency, actions, today=ctx.clock.today(), force_name=name, demo=demo
                ),
            )
            with vault.unit_of_work() as session:
                record_printed(session, agency=ctx.args.agency, count=len(actions), target=str(ctx.args.out))
    if ctx.args.out is not None:
        ctx.say(f"Wrote {len(actions)} open actions for {ctx.args.agency} to {ctx.args.out}.")
        return 0
    ctx.emit(
        [
            {
                "agency": a.agency,
                "ward": a.ward_code,
                "priority": a.priority,
                "action": a.description,
                "due": a.due_on.isoformat() if a.due_on else None,
                "status": a.status.value,
                "overdue": a.overdue,
            }
            for a in actions
        ],
        lambda: (
            "\n".join(
                f"{a.agency}: {a.due_on:%d %b} {a.description} ({a.ward_name}){' OVERDUE' if a.overdue else ''}"
                if a.due_on
                else f"{a.agency}: no date: {a.description} ({a.ward_name})"
                for a in actions
            )
            or "No open actions."
        ),
    )
    return 0


def cmd_sync(ctx: Context) -> int:
    from commmatters_desktop.sync import engine, files

    passphrase: str | None = os.environ.get(engine.TEAM_PASSPHRASE_ENV) or None
    if ctx.args.team_passphrase_file is not None:
        try:
            passphrase = ctx.args.team_passphrase_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError):
            raise UserError(
                f"Cannot read the team passphrase from {ctx.args.team_passphrase_file}."
            ) from None
    with ctx.open_vault() as vault:
        if ctx.args.leave:
            old = engine.leave(vault)
            ctx.emit(
                {"left": True, "old_device": old, "device": vault.device_id},
                lambda: (
                    "This laptop left its sync team; nothing in the vault was lost. Sync with --folder and "
                    "the team passphrase to join a team again: everything it holds will be sent."
                ),
            )
            return 0
        folder = ctx.args.folder or (
            Path(vault.meta(engine.FOLDER_META) or "") if vault.meta(engine.FOLDER_META) else None
        )
        if folder is None:
            raise UserError("Say which shared folder to sync through with --folder DIR.")
        if ctx.args.rotate_key:
            if not passphrase:
                raise UserError(
                    f"Rotating the team key needs the team passphrase ({engine.TEAM_PASSPHRASE_ENV})."
                )
            team = engine.team_keys(vault, folder, passphrase)
            files.rotate_key(folder, team, passphrase, vault.clock.now())
            vault.set_meta(engine.TEAM_META, team.to_meta())
        report = engine.sync(vault, folder, passphrase=passphrase)
        with vault.reading() as session:
            open_conflicts = len(engine.open_conflicts(session))
    ctx.emit(
        {**report.as_json(), "open_conflicts": open_conflicts, "folder": str(folder)},
        lambda: "\n".join(
            [report.describe()]
            + [f"  {note}" for note in report.notes]
            + [f"  rejected {name}: {reason}" for name, reason in report.rejected]
            + [f"  waiting: {name} (an earlier file it needs is not usable yet)" for name in report.waiting]
            + (
                [
                    f"{open_conflicts} conflict{'s' if open_conflicts != 1 else ''} to resolve in the app "
                    "(Sync → Conflicts)."
                ]
                if open_conflicts
                else []
            )
        ),
    )
    return 0
