"""The evidence commands: crime data, comparisons, surveys, the harm index, the quarterly report, police.uk.

Registered on the main parser by :func:`register` (called from ``cli.build_parser``), so they share its
options, its one-line errors and ``--json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from commmatters_desktop.cli import Context


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    def sub(parent: Any, name: str, help_text: str, handler: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = parent.add_parser(
            name, parents=[common], help=help_text, description=help_text
        )
        parser.set_defaults(handler=handler)
        return parser

    def group(name: str, help_text: str) -> Any:
        parser = commands.add_parser(name, parents=[common], help=help_text)
        return parser.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)

    crime = group("crime", "import data.police.uk crime files, summarise them, compare a priority")
    imp = sub(
        crime,
        "import",
        "import street-level CSVs, folders or zip archives from data.police.uk",
        cmd_crime_import,
    )
    imp.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="CSV files, archive folders or .zip files"
    )
    imp.add_argument(
        "--lookup", type=Path, metavar="CSV", help="an ONS LSOA-to-ward lookup (default: the vault's)"
    )
    summary = sub(crime, "summary", "a ward's crime and ASB by month", cmd_crime_summary)
    summary.add_argument("--ward", required=True, metavar="CODE")
    summary.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
    summary.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
    compare = sub(crime, "compare", "each priority's before and after against the background trend "
                  "(with --ward and options: choose what measures it)", cmd_crime_compare)  # fmt: skip
    compare.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    compare.add_argument("--ward", metavar="CODE", help="one ward's priority")
    compare.add_argument(
        "--types", metavar="LIST", help="crime types separated by ';' (e.g. 'Burglary;Drugs')"
    )
    compare.add_argument("--baseline", metavar="FROM:TO", help="baseline months, e.g. 2026-04:2026-06")
    compare.add_argument("--after", metavar="FROM:TO", help="months after, e.g. 2026-08:2026-10")
    compare.add_argument("--against", choices=["force", "borough", "wards"], help="the comparison area")
    compare.add_argument(
        "--wards", nargs="*", default=[], metavar="CODE", help="comparison wards (--against wards)"
    )

    survey = group("survey", "trust and confidence surveys: import, add, summarise")
    s_import = sub(survey, "import", "import a CSV with one row per respondent", cmd_survey_import)
    s_import.add_argument("csv", type=Path)
    s_import.add_argument("--ward", metavar="CODE", help="the ward, for files without a ward_code column")
    s_import.add_argument("--date", metavar="YYYY-MM-DD", help="the date, for files without a date column")
    s_import.add_argument("--mode", default="panel", help="door_to_door, online, street or panel (default)")
    add = sub(survey, "add", "type in a wave's counts from paper", cmd_survey_add)
    add.add_argument("--ward", required=True, metavar="CODE")
    add.add_argument("--date", required=True, metavar="YYYY-MM-DD")
    add.add_argument("--mode", default="panel", help="door_to_door, online, street or panel (default)")
    add.add_argument(
        "--respondents", type=int, metavar="N", help="how many took part (default: most answers)"
    )
    add.add_argument(
        "--item", action="append", default=[], required=True, metavar="KEY=N,N,…",
        help="counts in scale order, e.g. respect=12,8,3,1,0,2 (strongly agree … don't know) or "
        "good_job=3,10,6,2,1 (excellent … very poor); items: good_job rely_on respect fair understand matters listen",
    )  # fmt: skip
    s_summary = sub(
        survey, "summary", "each wave's '% strongly or tend to agree' and the trend", cmd_survey_summary
    )
    s_summary.add_argument("--ward", metavar="CODE")

    harm = group("harm", "the Social Harm Index")
    sub(
        harm,
        "index",
        "wards ranked by demand and deprivation, and the suggested rolling order",
        cmd_harm_index,
    )

    report = group("report", "printed reports")
    quarterly = sub(
        report, "quarterly", "the quarterly report for the Safer Neighbourhood Board / PCC", cmd_report
    )
    quarterly.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    quarterly.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")

    export = group("export", "exports for other systems")
    police = sub(
        export, "police-uk", "priorities in the police.uk neighbourhood priorities shape", cmd_export
    )
    police.add_argument("--cycle", metavar="YEAR-QN", help="the quarter (default: this quarter)")
    police.add_argument("--out", required=True, type=Path, metavar="FILE.json")


# --- crime ----------------------------------------------------------------------------------------------------


def cmd_crime_import(ctx: Context) -> int:
    from commmatters_desktop.core.services import crime
    from commmatters_desktop.importers.police_uk import read_lsoa_lookup, tally_files

    given = read_lsoa_lookup(ctx.args.lookup) if ctx.args.lookup else None
    with ctx.open_vault() as vault:
        if given is None:
            with vault.reading() as session:
                lookup = crime.vault_lookup(session)
            if not lookup:
                raise UserError(
                    "The vault links no LSOAs to wards: import an LSOA-to-ward lookup with 'wards import', "
                    "or give one with --lookup."
                )
        else:
            lookup = given
        tally = tally_files(ctx.args.files, lookup, progress=_progress(ctx))
        with vault.unit_of_work() as session:
            stored = crime.store_tally(session, tally)
    data = {**tally.as_json(), **stored.as_json()}
    ctx.emit(data, lambda: import_report(tally, stored))
    return 0


def import_report(tally: Any, stored: Any) -> str:
    """The import in words: what was counted, what was skipped and why (shared with the window)."""
    lines = [
        f"Read {tally.rows:,} rows from {len(tally.files)} file{'s' if len(tally.files) != 1 else ''}: "
        f"{tally.crimes:,} crimes and {tally.asb:,} ASB incidents counted"
        + (f"; {tally.duplicates:,} repeated Crime IDs counted once" if tally.duplicates else "")
        + ".",
        f"Months held: {', '.join(f'{m} ({f})' for f, m in stored.months) or 'none'}"
        + (f"; {len(stored.replaced)} replaced an earlier import." if stored.replaced else "."),
    ]
    if tally.skipped:
        lines.append(f"Skipped {tally.skipped_total:,} rows:")
        lines += [f"  {n:,} {reason}" for reason, n in tally.skipped.most_common()]
        first: dict[str, tuple[str, int]] = {}
        for f, line, reason in tally.examples:
            first.setdefault(reason, (f, line))
        lines += [f"    first: {f} line {line} ({reason})" for reason, (f, line) in first.items()]
    if not stored.months:
        lines.append(
            "Nothing was stored: no row falls in the lookup's wards. Check that the files are your force's "
            "and that the lookup (--lookup, or 'wards import') covers its LSOAs."
        )
    lines += [f"Not a crime file, set aside: {f} ({r})" for f, r in tally.files_skipped]
    return "\n".join(lines)


def _progress(ctx: Context) -> Any:
    last = [-1]
    interactive = bool(getattr(ctx.err, "isatty", lambda: False)())

    def show(done: int, total: int) -> bool:
        """Progress for a person watching a terminal; scripts and logs get only the result."""
        pct = 100 * done // max(total, 1)
        if interactive and not ctx.json and pct // 10 != last[0] // 10:
            ctx.note(f"  {pct}% read")
            last[0] = pct
        return True

    return show


def cmd_crime_summary(ctx: Context) -> int:
    from commmatters_desktop.core.evidence import month_label, small
    from commmatters_desktop.core.services import crime

    with ctx.open_vault() as vault, vault.reading() as session:
        result = crime.ward_summary(session, ward=ctx.args.ward, first=ctx.args.first, last=ctx.args.last)

    def text() -> str:
        lines = [f"Ward {result.ward}: {small(result.total)} crimes and ASB incidents recorded."]
        lines += [f"  {month_label(m)}: {small(n)}" + (" (not imported)" if m in result.missing else "")
                  for m, n in result.months.items()]  # fmt: skip
        lines += [f"  {k}: {small(n)}" for k, n in sorted(result.by_category.items(), key=lambda kv: -kv[1])]
        return "\n".join(lines)

    ctx.emit(result.as_json(), text)
    return 0


def _span(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    first, _sep, last = text.partition(":")
    return first.strip(), (last or first).strip()


def cmd_crime_compare(ctx: Context) -> int:
    from sqlalchemy import select

    from commmatters_desktop.cli import _cycle
    from commmatters_desktop.core.enums import AGREED_OR_LATER
    from commmatters_desktop.core.models import Priority, Ward
    from commmatters_desktop.core.services import crime

    cycle = _cycle(ctx)
    args = ctx.args
    changing = any((args.types is not None, args.baseline, args.after, args.against))
    if changing and not args.ward:
        raise UserError("Say which ward's priority to change with --ward CODE.")

    def priorities(session: Session) -> list[uuid.UUID]:
        query = (
            select(Priority.id)
            .join(Ward, Ward.id == Priority.ward_id)
            .where(
                Priority.deleted.is_(False),
                Priority.status.in_(AGREED_OR_LATER),
                Priority.cycle.has(code=cycle),
            )
            .order_by(Ward.code)
        )
        if args.ward:
            query = query.where(Ward.code == args.ward.strip().upper())
        found = list(session.scalars(query))
        if args.ward and not found:
            raise UserError(f"Ward {args.ward.upper()} has no agreed priority in {cycle}.")
        return found

    with ctx.open_vault() as vault:
        if changing:
            with vault.unit_of_work() as session:
                (pid,) = priorities(session)
                priority = session.get(Priority, pid)
                assert priority is not None
                current = crime.settings_for(session, priority)
                crime.set_evidence(
                    session, priority=priority,
                    categories=[t for t in args.types.split(";")] if args.types is not None else current.categories,
                    baseline=_span(args.baseline) or (current.baseline[0], current.baseline[-1]),
                    after=_span(args.after) or (current.after[0], current.after[-1]),
                    comparison=args.against or current.comparison,
                    comparison_wards=args.wards or current.comparison_wards,
                )  # fmt: skip
        with vault.reading() as session:
            results = [crime.priority_evidence(session, pid) for pid in priorities(session)]
    ctx.emit(
        [r.as_json() for r in results],
        lambda: (
            "\n".join(
                f"{r.ward_code}  {', '.join(r.settings.categories) or 'all crime and ASB'}; "
                f"{r.settings.baseline[0]}..{r.settings.baseline[-1]} against "
                f"{r.settings.after[0]}..{r.settings.after[-1]}"
                f" vs {r.area}:\n    {r.sentence()}"
                for r in results
            )
            or f"No agreed priorities in {cycle}."
        ),
    )
    return 0


# --- surveys --------------------------------------------------------------------------------------------------


def _mode(text: str) -> Any:
    from commmatters_desktop.core.enums import SurveyMode

    try:
        return SurveyMode(text.strip().lower().replace("-", "_"))
    except ValueError:
        raise UserError(f"--mode is one of: {', '.join(m.value for m in SurveyMode)}.") from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a date: write it as YYYY-MM-DD.") from None


def _ward(session: Session, code: str) -> Any:
    from commmatters_desktop.core.services.wards import ward_by_code

    ward = ward_by_code(session, code.strip().upper())
    if ward is None:
        raise UserError(f"There is no ward {code.upper()} in the vault; check the code with 'wards list'.")
    return ward


def cmd_survey_import(ctx: Context) -> int:
    from commmatters_desktop.core.surveys import record_wave
    from commmatters_desktop.importers.surveys import read_survey_csv

    parsed = read_survey_csv(
        ctx.args.csv,
        ward=ctx.args.ward,
        date=_day(ctx.args.date) if ctx.args.date else None,
        mode=_mode(ctx.args.mode),
    )
    recorded: list[dict[str, object]] = []
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        for (code, day, mode), counts in sorted(parsed.waves.items()):
            _wave, replaced = record_wave(
                session, ward=_ward(session, code), conducted_on=day, mode=mode, counts=counts,
                respondents=parsed.respondents[(code, day, mode)],
            )  # fmt: skip
            recorded.append({"ward": code, "date": day.isoformat(), "mode": mode.value,
                             "respondents": parsed.respondents[(code, day, mode)], "replaced": replaced})  # fmt: skip
    ctx.emit(
        {"waves": recorded, "skipped": [{"line": n, "reason": r} for n, r in parsed.skipped]},
        lambda: "\n".join(
            [f"Recorded {len(recorded)} survey wave{'s' if len(recorded) != 1 else ''} from {ctx.args.csv.name}:"]
            + [f"  {w['ward']} {w['date']} ({w['mode']}): {w['respondents']} respondents"
               + (" (replaced the earlier copy)" if w["replaced"] else "") for w in recorded]
            + [f"  line {n} skipped: {r}" for n, r in parsed.skipped]
        ),
    )  # fmt: skip
    return 0


def parse_item_counts(texts: list[str]) -> dict[str, dict[str, int]]:
    """``["respect=12,8,3,1,0,2"]`` → counts per answer in scale order (shared with the window's form)."""
    from commmatters_desktop.core.surveys import ITEM_BY_KEY

    counts: dict[str, dict[str, int]] = {}
    for text in texts:
        key, _sep, numbers = text.partition("=")
        item = ITEM_BY_KEY.get(key.strip())
        if item is None:
            raise UserError(f"'{key}' is not a survey item; items: {', '.join(ITEM_BY_KEY)}.")
        try:
            values = [int(v) for v in numbers.split(",")] if numbers.strip() else []
        except ValueError:
            raise UserError(f"The counts for {key} must be whole numbers separated by commas.") from None
        if len(values) != len(item.answers):
            labels = ", ".join(label for _k, label in item.scale)
            raise UserError(f"{key} needs {len(item.answers)} counts, in this order: {labels}.")
        counts[item.key] = dict(zip(item.answers, values, strict=True))
    return counts


def cmd_survey_add(ctx: Context) -> int:
    from commmatters_desktop.core.surveys import record_wave

    counts = parse_item_counts(ctx.args.item)
    day, mode = _day(ctx.args.date), _mode(ctx.args.mode)
    with ctx.open_vault() as vault, vault.unit_of_work() as session:
        ward = _ward(session, ctx.args.ward)
        wave, replaced = record_wave(
            session, ward=ward, conducted_on=day, mode=mode, counts=counts, respondents=ctx.args.respondents
        )
        respondents = wave.respondents
    ctx.emit(
        {
            "ward": ward.code,
            "date": day.isoformat(),
            "mode": mode.value,
            "respondents": respondents,
            "replaced": replaced,
        },
        lambda: (
            f"Recorded the {mode.label.lower()} survey of {in_words(day)} in {ward.code} ({respondents} respondents)"
            + ("; it replaced the earlier copy." if replaced else ".")
        ),
    )
    return 0


def cmd_survey_summary(ctx: Context) -> int:
    from commmatters_desktop.core import surveys

    with ctx.open_vault() as vault, vault.reading() as session:
        waves = surveys.waves(session, ward_code=ctx.args.ward)
    by_ward: dict[str, list[surveys.WaveSummary]] = {}
    for wave in waves:
        by_ward.setdefault(wave.ward_code, []).append(wave)
    data = [
        {"ward": code, "waves": [w.as_json() for w in ws],
         "trend": [{"cycle": p.cycle, **p.result.as_json()} for p in surveys.trend(ws)],
         "trend_text": surveys.trend_sentence(surveys.trend(ws))}
        for code, ws in by_ward.items()
    ]  # fmt: skip

    def text() -> str:
        if not waves:
            return "No survey waves recorded" + (f" in {ctx.args.ward.upper()}." if ctx.args.ward else ".")
        lines: list[str] = []
        for code, ws in by_ward.items():
            lines.append(f"{code} {ws[0].ward_name}")
            for w in ws:
                warn = "  (fewer than 10 respondents: treat with great caution)" if w.small else ""
                lines.append(f"  {w.conducted_on:%d %b %Y} {w.mode.label}, {w.respondents} respondents{warn}")
                lines += [f"    {r.item.short}: {r.text()}" for r in w.results]
            lines.append(f"  Trend ('{surveys.ITEM_BY_KEY[surveys.HEADLINE].short}'): "
                         f"{surveys.trend_sentence(surveys.trend(ws))}")  # fmt: skip
        return "\n".join(lines)

    ctx.emit(data, text)
    return 0


# --- harm index, report, export -------------------------------------------------------------------------------


def cmd_harm_index(ctx: Context) -> int:
    from commmatters_desktop.core.harm import harm_index
    from commmatters_desktop.importers.imd import imd_ranks

    with ctx.open_vault() as vault, vault.reading() as session:
        index = harm_index(session, imd_ranks())
    data = {
        "months": [index.months[0], index.months[-1]] if index.months else [],
        "wards": [r.as_json() for r in index.rows],
        "suggested_rolling_order": index.order(),
    }
    ctx.emit(
        data,
        lambda: "\n".join(
            [f"Social Harm Index over {index.months[0]}..{index.months[-1]}" if index.months
             else "Social Harm Index (no crime data imported yet: demand counts as 0)"]
            + [f"{r.rank:>3}. {r.code} {r.name:<32} index {r.index:5.1f}  demand {r.demand:6.1f}/1,000  "
               f"need {r.need:.2f}" for r in index.rows]
            + ["Suggested order for a rolling plan of weeks of action: " + ", ".join(index.order())]
        ),
    )  # fmt: skip
    return 0


def cmd_report(ctx: Context) -> int:
    from commmatters_desktop.cli import _cycle, _write_pdf
    from commmatters_desktop.core.quarterly import build_report
    from commmatters_desktop.reports.quarterly import render_quarterly

    cycle = _cycle(ctx)
    with ctx.open_vault() as vault:
        with vault.reading() as session:
            report = build_report(session, cycle=cycle, today=ctx.clock.today())
        data = render_quarterly(report, demo=vault.is_demo)
    _write_pdf(ctx.args.out, data)
    ctx.emit(
        {"file": str(ctx.args.out), "cycle": cycle, "wards": len(report.wards), "statuses": report.statuses},
        lambda: f"Wrote the quarterly report for {cycle} ({len(report.wards)} wards) to {ctx.args.out}.",
    )
    return 0


def cmd_export(ctx: Context) -> int:
    from commmatters_desktop.cli import _cycle
    from commmatters_desktop.core.quarterly import police_uk_export

    cycle = _cycle(ctx)
    out: Path = ctx.args.out
    if out.suffix.lower() != ".json":
        raise UserError(f"{out.name} should end in .json.")
    with ctx.open_vault() as vault, vault.reading() as session:
        data = police_uk_export(session, cycle=cycle, demo=vault.is_demo)
    from commmatters_desktop.reports.publish import write_file

    write_file(
        out, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8"), what=f"The export {out.name}"
    )
    count, left = len(cast(list[object], data["neighbourhoods"])), cast(list[object], data["left_out"])
    ctx.emit(
        {"file": str(out), "cycle": cycle, "priorities": count, "left_out": left},
        lambda: (
            f"Wrote {count} priorities for {cycle} to {out}"
            + (f"; {len(left)} left out (no approved public wording)." if left else ".")
        ),
    )
    return 0
