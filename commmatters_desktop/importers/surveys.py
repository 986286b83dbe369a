"""Survey CSV files: one row per respondent, as online survey tools and tally sheets export them.

Columns, in any case and order: ``ward_code`` (or ``--ward``), ``date`` (or ``--date``), ``mode``
(optional), and one column per item, named by its key (``good_job``, ``rely_on``, ``respect``,
``fair``, ``understand``, ``matters``, ``listen``) or by words from its question ("relied on",
"respect", "fairly", "understand", "things that matter", "listen", "good job"). Answers are written
as on the paper form ("Tend to agree", "Don't know", "Good"). Rows with the same ward, date and mode
form one wave; a blank answer is "not answered". A row that cannot be used is reported with its line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from commmatters_desktop.core.enums import SurveyMode
from commmatters_desktop.core.errors import UserError, ValidationError
from commmatters_desktop.core.surveys import ITEM_BY_KEY, answer_key
from commmatters_desktop.importers.csvfile import read_csv

_ITEM_COLUMNS = (
    ("good_job", ("good_job", "how_good", "good_a_job")),
    ("rely_on", ("rely_on", "relied_on", "relied")),
    ("respect", ("respect",)),
    ("fair", ("fair",)),
    ("understand", ("understand",)),
    ("matters", ("matters", "matter")),
    ("listen", ("listen",)),
)


@dataclass
class SurveyFile:
    #: (ward code, date, mode) → item → answer → count, and the number of respondents
    waves: dict[tuple[str, dt.date, SurveyMode], dict[str, dict[str, int]]] = field(default_factory=dict)
    respondents: dict[tuple[str, dt.date, SurveyMode], int] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _mode(text: str, default: SurveyMode) -> SurveyMode:
    if not text.strip():
        return default
    word = text.strip().lower().replace(" ", "_").replace("-", "_")
    for mode in SurveyMode:
        if word in (mode.value, mode.label.lower().replace(" ", "_")):
            return mode
    raise ValidationError(f"'{text}' is not a survey mode ({', '.join(m.value for m in SurveyMode)}).")


def read_survey_csv(
    path: Path, *, ward: str | None = None, date: dt.date | None = None, mode: SurveyMode = SurveyMode.PANEL
) -> SurveyFile:
    table = read_csv(path)
    columns: dict[str, str] = {}
    for key, words in _ITEM_COLUMNS:
        for header in table.headers:
            if header not in columns.values() and any(w in header for w in words):
                columns[key] = header
                break
    if not columns:
        raise UserError(
            f"{table.source} has no survey item columns (such as rely_on, respect, fair, understand, matters, "
            f"listen, good_job); its columns are: {table.describe_headers()}."
        )
    ward_col = table.column(r"ward_code", r"ward", r"wd\d{2}cd")
    date_col = table.column(r"date", r"conducted_on", r".*date.*")
    mode_col = table.column(r"mode")
    if ward_col is None and not ward:
        raise UserError(f"{table.source} has no ward_code column: give the ward with --ward CODE.")
    if date_col is None and date is None:
        raise UserError(f"{table.source} has no date column: give the date with --date YYYY-MM-DD.")
    result = SurveyFile()
    tallies: dict[tuple[str, dt.date, SurveyMode], dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for row in table.rows:
        try:
            code = (row.get(ward_col) or ward or "").upper()
            if not code:
                raise ValidationError("no ward code")
            day = dt.date.fromisoformat(row.get(date_col)) if row.get(date_col) else date
            if day is None:
                raise ValidationError("no date")
            wave = (code, day, _mode(row.get(mode_col), mode))
            answers = {
                item: answer
                for item, column in columns.items()
                if (answer := answer_key(ITEM_BY_KEY[item], row.get(column))) is not None
            }
        except ValueError:
            result.skipped.append((row.line, "the date is not YYYY-MM-DD"))
            continue
        except ValidationError as exc:
            result.skipped.append((row.line, exc.message))
            continue
        if not answers:
            result.skipped.append((row.line, "no answers"))
            continue
        result.respondents[wave] = result.respondents.get(wave, 0) + 1
        for item, answer in answers.items():
            tallies[wave][item][answer] += 1
    result.waves = {k: {i: dict(a) for i, a in v.items()} for k, v in tallies.items()}
    if not result.waves:
        raise UserError(f"{table.source} has no usable answers; nothing was imported.")
    return result
