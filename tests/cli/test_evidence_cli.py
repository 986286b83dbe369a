"""The evidence commands end to end: crime import and summary, comparisons, surveys, the harm index,
the quarterly report and the police.uk export, read back and checked for personal data."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from commmatters_desktop import cli
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.evidence import Comparison
from commmatters_desktop.core.models import Person, Priority, SaraPlan
from commmatters_desktop.paths import resource
from commmatters_desktop.storage.vault import Vault

SAMPLE = resource("data", "police-uk", "2023-01-metropolitan-street-sample.csv")


def run(clock: FixedClock, *args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run([str(a) for a in args], out=out, err=err, clock=clock, stdin_is_tty=False)
    return code, out.getvalue(), err.getvalue()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("commmatters-desktop: ") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def london_lookup(tmp_path: Path) -> Path:
    """An LSOA-to-ward lookup in ONS form (2011 vintage, upper case) for the sample's two boroughs."""
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    path = tmp_path / "lookup.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["LSOA11CD", "LSOA11NM", "WD11CD", "WD11NM", "LAD11CD", "LAD11NM"])
        for code, name in sorted({(r[7], r[8]) for r in rows}):
            borough = name.rsplit(" ", 1)[0]
            if borough in ("Barking and Dagenham", "Barnet"):
                ward = "E05099001" if borough == "Barnet" else "E05099002"
                out.writerow([code, name, ward, borough, "E09000002", borough])
    return path


def test_crime_import_counts_the_real_file_and_a_second_import_changes_nothing(
    vault_dir: Path, london_lookup: Path, clock: FixedClock
) -> None:
    # The independent count: straight from the raw CSV with the csv module and a dict.
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    lookup_rows = list(csv.reader(london_lookup.read_text(encoding="utf-8").splitlines()))
    inside = {r[0] for r in lookup_rows if r[0].startswith("E01")}
    barnet_lsoas = {r[0] for r in lookup_rows if r[2] == "E05099001"}
    seen: set[str] = set()
    expected: Counter[str] = Counter()
    for r in rows:
        if r["LSOA code"] not in inside or (r["Crime ID"] and r["Crime ID"] in seen):
            continue
        if r["Crime ID"]:
            seen.add(r["Crime ID"])
        expected["barnet" if r["LSOA code"] in barnet_lsoas else "other"] += 1

    for _ in range(2):
        code, out, err = run(
            clock, "--data-dir", vault_dir, "crime", "import", SAMPLE, "--lookup", london_lookup, "--json"
        )
        assert code == 0, err
    result = json.loads(out)
    assert result["months_replaced"] == [{"force": "Metropolitan Police Service", "month": "2023-01"}]
    assert result["skipped"] == {"outside the force's wards (LSOA not in the lookup)": 6}
    assert result["crimes_counted"] + result["asb_counted"] == sum(expected.values())

    code, out, _ = run(clock, "--data-dir", vault_dir, "crime", "summary", "--ward", "e05099001",
                       "--from", "2022-12", "--to", "2023-01", "--json")  # fmt: skip
    summary = json.loads(out)
    assert code == 0 and summary["total"] == expected["barnet"]
    assert summary["months"] == {"2022-12": 0, "2023-01": expected["barnet"]}
    assert summary["months_not_imported"] == ["2022-12"]
    code, out, _ = run(clock, "--data-dir", vault_dir, "crime", "summary", "--ward", "E05099001",
                       "--from", "2023-01", "--to", "2023-01")  # fmt: skip
    assert out.startswith(f"Ward E05099001: {expected['barnet']:,} crimes and ASB incidents recorded.")


def test_crime_import_refusals_are_one_line(vault_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    code, _out, err = run(clock, "--data-dir", vault_dir, "crime", "import", SAMPLE)
    assert code == 1 and "links no LSOAs to wards" in one_line(err)
    bad = tmp_path / "bad.csv"
    bad.write_text("just,some\ncolumns,here\n")
    code, _out, err = run(clock, "--data-dir", vault_dir, "crime", "import", SAMPLE, "--lookup", bad)
    assert code == 1 and "not an LSOA-to-ward lookup" in one_line(err)
    code, _out, err = run(clock, "--data-dir", vault_dir, "crime", "import", bad, "--lookup", GM_LOOKUP)
    assert code == 1 and "street-level crime file" in one_line(err)
    code, _out, err = run(clock, "--data-dir", vault_dir, "crime", "summary", "--ward", "X", "--from", "2023",
                          "--to", "2023-01")  # fmt: skip
    assert code == 1 and "YYYY-MM" in one_line(err)


GM_LOOKUP = resource("data", "ons", "greater-manchester-lsoa-to-ward-2022.csv")


def test_compare_on_the_demo_matches_the_summaries_and_can_be_changed(
    demo_dir: Path, clock: FixedClock
) -> None:
    code, out, err = run(
        clock, "--demo", "--data-dir", demo_dir, "crime", "compare", "--cycle", "2026-Q3", "--json"
    )
    assert code == 0, err
    results = json.loads(out)
    assert len(results) == 40 and all(r["result"] for r in results)
    verdicts = Counter(r["result"]["verdict"] for r in results)
    assert verdicts["beat_trend"] and verdicts["in_line_with_trend"] and verdicts["too_small_to_tell"]

    # Change one ward's measure to burglary against two chosen wards; check the arithmetic independently.
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "crime", "compare", "--cycle", "2026-Q3",
                         "--ward", "E05000650", "--types", "Burglary", "--baseline", "2026-03:2026-05",
                         "--after", "2026-08:2026-10", "--against", "wards", "--wards", "E05000651", "E05000652",
                         "--json")  # fmt: skip
    assert code == 0, err
    (one,) = json.loads(out)

    def burglary(ward: str, first: str, last: str) -> int:
        _c, text, _e = run(clock, "--demo", "--data-dir", demo_dir, "crime", "summary", "--ward", ward,
                           "--from", first, "--to", last, "--json")  # fmt: skip
        return int(json.loads(text)["by_category"].get("Burglary", 0))

    expected = Comparison(
        burglary("E05000650", "2026-03", "2026-05"),
        burglary("E05000650", "2026-08", "2026-10"),
        burglary("E05000651", "2026-03", "2026-05") + burglary("E05000652", "2026-03", "2026-05"),
        burglary("E05000651", "2026-08", "2026-10") + burglary("E05000652", "2026-08", "2026-10"),
    )
    assert one["result"] == expected.as_json()
    assert one["comparison_area"] == "the comparison wards"
    code, _out, err = run(clock, "--demo", "--data-dir", demo_dir, "crime", "compare", "--types", "Drugs")
    assert code == 1 and "--ward" in one_line(err)


def test_surveys_typed_and_imported_with_intervals_and_warnings(
    vault: Vault, tmp_path: Path, clock: FixedClock
) -> None:
    from commmatters_desktop.core.services import wards

    with vault.unit_of_work() as s:
        wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
    folder = vault.folder
    vault.close()
    code, out, err = run(clock, "--data-dir", folder, "survey", "add", "--ward", "E05000650", "--date", "2026-05-10",
                         "--item", "matters=5,7,3,2,1,2", "--item", "good_job=2,3,1,1,0", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {"ward": "E05000650", "date": "2026-05-10", "mode": "panel", "respondents": 20,
                               "replaced": False}  # fmt: skip
    survey = tmp_path / "street.csv"
    survey.write_text(
        "ward_code,date,mode,matters\n"
        + "".join(
            f"E05000650,2026-11-02,street,{a}\n"
            for a in ["Strongly agree"] * 3 + ["Tend to agree"] * 2 + ["Poor"]
        )
    )
    code, out, err = run(clock, "--data-dir", folder, "survey", "import", survey, "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert imported["waves"][0]["respondents"] == 5 and imported["skipped"][0]["line"] == 7
    code, out, _ = run(clock, "--data-dir", folder, "survey", "summary", "--ward", "E05000650", "--json")
    (ward,) = json.loads(out)
    may, nov = ward["waves"]
    matters = next(i for i in may["items"] if i["item"] == "matters")
    assert (matters["positive"], matters["answered"], matters["pct"]) == (12, 20, 60.0)
    assert matters["interval_95"] == [38.7, 78.1]
    good = next(i for i in may["items"] if i["item"] == "good_job")
    assert good["small_sample_warning"] is True and good["pct"] == pytest.approx(71.4)
    assert nov["small_sample_warning"] is True
    code, out, _ = run(clock, "--data-dir", folder, "survey", "summary")
    assert "fewer than 10 respondents: treat with great caution" in out
    assert "Fewer than 10 answered in a wave: no conclusion." in out
    code, _out, err = run(clock, "--data-dir", folder, "survey", "add", "--ward", "E05000650", "--date",
                          "2026-05-10", "--item", "matters=1,2")  # fmt: skip
    assert code == 1 and "needs 6 counts" in one_line(err)


def test_harm_index_ranks_by_demand_and_need(demo_dir: Path, clock: FixedClock) -> None:
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "harm", "index", "--json")
    assert code == 0, err
    data = json.loads(out)
    rows = data["wards"]
    assert len(rows) == 40 and [r["ward"] for r in rows] == data["suggested_rolling_order"]
    assert [r["harm_index"] for r in rows] == sorted((r["harm_index"] for r in rows), reverse=True)
    top = rows[0]
    _c, summary, _e = run(clock, "--demo", "--data-dir", demo_dir, "crime", "summary", "--ward", top["ward"],
                          "--from", data["months"][0], "--to", data["months"][1], "--json")  # fmt: skip
    assert top["crime_and_asb_12_months"] == json.loads(summary)["total"]
    assert top["demand_per_1000"] == pytest.approx(
        1000 * top["crime_and_asb_12_months"] / top["estimated_residents"], abs=0.05
    )
    code, out, _ = run(clock, "--demo", "--data-dir", demo_dir, "plan", "weeks", "--mode", "rolling",
                       "--start", "2026-10-05", "--per-week", "40", "--by-harm", "--dry-run", "--json")  # fmt: skip
    assert code == 0


def _personal(vault: Vault) -> list[str]:
    """Everything personal the demo holds: people's names, phones and emails, victims and offenders."""
    with vault.reading() as s:
        people = list(s.scalars(select(Person)))
        plans = list(s.scalars(select(SaraPlan)))
    found = (
        [p.full_name for p in people]
        + [p.phone for p in people if p.phone]
        + [p.email for p in people if p.email]
    )
    return found + [t for p in plans for t in (p.victim, p.offender) if t]


def test_quarterly_report_reads_back_with_every_ward_and_no_personal_data(
    demo_dir: Path, demo_vault: Vault, tmp_path: Path, clock: FixedClock
) -> None:
    personal = _personal(demo_vault)
    demo_vault.close()
    target = tmp_path / "report.pdf"
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "report", "quarterly", "--cycle", "2026-Q3",
                         "--out", target, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["wards"] == 40
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    flat = re.sub(r"\s+", " ", text)
    for expected in ("Community Matters: quarterly report", "Safer Neighbourhood Board", "Astley Bridge",
                     "Where the priorities stand", "background trend", "Residents' confidence",
                     "Contains public sector information licensed under the Open Government Licence v3.0",
                     "DEMO"):  # fmt: skip
        assert expected in flat, expected
    assert flat.count("Measured by") == 40
    assert not [p for p in personal if p in flat]
    # Small numbers are never printed as numbers.
    assert not re.search(r"from [1-4] to|to [1-4][ :)]", flat)


def test_police_uk_export_has_the_shape_and_only_approved_wording(
    demo_dir: Path, demo_vault: Vault, tmp_path: Path, clock: FixedClock
) -> None:
    personal = _personal(demo_vault)
    with demo_vault.reading() as s:
        approved = {
            p.ward.code: p.public_issue
            for p in s.scalars(
                select(Priority).where(Priority.cycle.has(code="2026-Q3"), Priority.deleted.is_(False))
            )
            if p.public_issue
        }
    demo_vault.close()
    target = tmp_path / "police-uk.json"
    code, out, err = run(clock, "--demo", "--data-dir", demo_dir, "export", "police-uk", "--cycle", "2026-Q3",
                         "--out", target, "--json")  # fmt: skip
    assert code == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["demo"] is True and data["cycle"] == "2026-Q3"
    assert len(data["neighbourhoods"]) == len(approved) == json.loads(out)["priorities"]
    for n in data["neighbourhoods"]:
        (p,) = n["priorities"]
        assert set(p) == {"issue", "issue-date", "action", "action-date"}
        assert p["issue"] == approved[n["neighbourhood"]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", p["issue-date"])
        assert (p["action"] is None) == (p["action-date"] is None)
    assert not [x for x in personal if x in target.read_text(encoding="utf-8")]
    code, _out, err = run(
        clock, "--demo", "--data-dir", demo_dir, "export", "police-uk", "--out", tmp_path / "x.txt"
    )
    assert code == 1 and ".json" in one_line(err)
