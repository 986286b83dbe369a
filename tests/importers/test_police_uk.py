"""data.police.uk street files as downloaded: every quirk, counts checked against an independent count."""

from __future__ import annotations

import csv
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import crime
from commmatters_desktop.importers.police_uk import (
    ImportCancelled,
    WardOf,
    read_lsoa_lookup,
    tally_files,
)
from commmatters_desktop.paths import resource
from commmatters_desktop.storage.vault import Vault

SAMPLE = resource("data", "police-uk", "2023-01-metropolitan-street-sample.csv")
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)


def sample_rows() -> list[list[str]]:
    with open(SAMPLE, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def borough_lookup(rows: list[list[str]]) -> dict[str, WardOf]:
    """A made-up ward per LSOA-name prefix for London's two boroughs; Arun and friends stay outside."""
    wards = {"Barking and Dagenham": "E05099001", "Barnet": "E05099002"}
    return {
        r[7]: WardOf(wards[r[8].rsplit(" ", 1)[0]], "E09LONDON")
        for r in rows
        if r[8].rsplit(" ", 1)[0] in wards
    }


def independent_count(rows: list[list[str]], lookup: dict[str, WardOf]) -> Counter[tuple[str, str]]:
    """The rules written the obvious way: unique Crime IDs once, every ASB row, only LSOAs in the lookup."""
    counts: Counter[tuple[str, str]] = Counter()
    seen = set()
    for r in rows:
        if r[7] not in lookup:
            continue
        if r[0]:
            if r[0] in seen:
                continue
            seen.add(r[0])
        counts[(lookup[r[7]].code, r[9])] += 1
    return counts


def test_the_real_sample_counts_as_an_independent_computation_does() -> None:
    rows = sample_rows()
    lookup = borough_lookup(rows)
    tally = tally_files([SAMPLE], lookup)

    expected = independent_count(rows, lookup)
    got = Counter({(w, k): n for (_f, _m, w, k), n in tally.counts.items()})
    assert got == expected
    assert tally.rows == 4000
    assert {f for f, _m, _w, _k in tally.counts} == {"Metropolitan Police Service"}
    # The real quirks: 699 ASB rows without an ID all count; 181 repeated Crime IDs count once;
    # six points in Arun, Aylesbury Vale and Babergh lie outside the force.
    assert tally.asb == 699
    assert tally.duplicates == 181
    assert tally.skipped == {"outside the force's wards (LSOA not in the lookup)": 6}
    assert tally.crimes + tally.asb + tally.duplicates + tally.skipped_total == 4000


def test_exact_duplicate_asb_rows_each_count_and_on_or_near_without_a_street_is_kept(tmp_path: Path) -> None:
    rows = [
        "abc,2026-01,Demo Police,Demo Police,-2.1,53.4,On or near Main Street,E01000001,X 001A,Burglary,,",
        "abc,2026-01,Demo Police,Demo Police,-2.1,53.4,On or near Main Street,E01000001,X 001A,Burglary,,",
        ",2026-01,Demo Police,Demo Police,-2.1,53.4,On or near ,E01000001,X 001A,Anti-social behaviour,,",
        ",2026-01,Demo Police,Demo Police,-2.1,53.4,On or near ,E01000001,X 001A,Anti-social behaviour,,",
        ",2026-01,Demo Police,Demo Police,,,No location,,,Anti-social behaviour,,",
        "def,2026-01,Demo Police,Demo Police,-2.1,53.4,On or near ,E01999999,Y 001A,Drugs,,",
        "ghi,2026-1,Demo Police,Demo Police,-2.1,53.4,On or near ,E01000001,X 001A,Drugs,,",
        "jkl,2026-01,Demo Police,Demo Police,-2.1,53.4,On or near ,E01000001,X 001A,Drugs",
    ]
    path = tmp_path / "2026-01-demo-street.csv"
    path.write_text(HEADER + "\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    tally = tally_files([path], {"E01000001": WardOf("E05000001", "E08000001")})

    assert dict(tally.counts) == {
        ("Demo Police", "2026-01", "E05000001", "Burglary"): 1,
        ("Demo Police", "2026-01", "E05000001", "Anti-social behaviour"): 2,
    }
    assert tally.skipped == {
        "no LSOA: police.uk could not place it": 1,
        "outside the force's wards (LSOA not in the lookup)": 1,
        "no month (YYYY-MM)": 1,
        "10 columns instead of 12": 1,
    }
    assert [line for _f, line, _r in tally.examples] == [6, 7, 8, 9]


def test_archive_folders_and_zips_with_other_files_are_read_whole(tmp_path: Path) -> None:
    rows = sample_rows()
    lookup = borough_lookup(rows)
    archive = tmp_path / "download"
    for month, part in (("2023-01", rows[:2000]), ("2023-02", rows[2000:])):
        folder = archive / month
        folder.mkdir(parents=True)
        with open(folder / f"{month}-metropolitan-street.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([HEADER.split(","), *part])
        (folder / f"{month}-metropolitan-outcomes.csv").write_text(
            "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
        )
    zipped = tmp_path / "download.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for file in sorted(archive.rglob("*.csv")):
            z.write(file, file.relative_to(archive))

    from_folder = tally_files([archive], lookup)
    from_zip = tally_files([zipped], lookup)

    assert from_folder.counts == from_zip.counts
    assert sum(from_folder.counts.values()) == sum(independent_count(rows, lookup).values())
    assert len(from_folder.files) == 2 and len(from_folder.files_skipped) == 2
    assert "not a street-level crime file" in from_folder.files_skipped[0][1]


def test_reading_can_be_cancelled_and_reports_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> bool:
        seen.append((done, total))
        return False

    with pytest.raises(ImportCancelled):
        tally_files([SAMPLE], {}, progress=stop)
    assert seen and seen[0][1] == SAMPLE.stat().st_size


def test_files_that_are_not_crime_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    other = tmp_path / "wards.csv"
    other.write_text("wd22cd,wd22nm\nE05000001,X\n")
    with pytest.raises(UserError, match="street-level crime file"):
        tally_files([other], {})
    with pytest.raises(UserError, match="no file or folder"):
        tally_files([tmp_path / "missing.csv"], {})


def test_the_ons_lookup_is_read_in_any_vintage_and_case(tmp_path: Path) -> None:
    lookup = read_lsoa_lookup(resource("data", "ons", "greater-manchester-lsoa-to-ward-2022.csv"))
    assert len(lookup) == 1702 and lookup["E01004861"] == WardOf("E05000655", "E08000001")
    odd = tmp_path / "lookup.csv"
    odd.write_text("LSOA11CD,LSOA11NM,WD19CD,WD19NM,LAD19CD\ne01000001,X,e05000001,Y,e09000001\n")
    assert read_lsoa_lookup(odd) == {"E01000001": WardOf("E05000001", "E09000001")}


def test_storing_is_idempotent_and_replaces_a_month(vault: Vault, tmp_path: Path) -> None:
    rows = sample_rows()
    lookup = borough_lookup(rows)
    tally = tally_files([SAMPLE], lookup)
    for _ in range(2):
        with vault.unit_of_work() as s:
            crime.store_tally(s, tally)
    with vault.reading() as s:
        total = sum(crime.monthly(s, months=["2023-01"]).values())
        held = crime.held_months(s)
    assert total == sum(independent_count(rows, lookup).values())
    assert [(h.force, h.month, h.asb) for h in held] == [("Metropolitan Police Service", "2023-01", 699)]

    # A corrected re-download of the month replaces it, never adds to it.
    shorter = tmp_path / "2023-01-metropolitan-street.csv"
    shutil.copy(SAMPLE, shorter)
    text = shorter.read_text(encoding="utf-8-sig").splitlines()
    shorter.write_text("\n".join(text[:1001]) + "\n", encoding="utf-8")
    with vault.unit_of_work() as s:
        result = crime.store_tally(s, tally_files([shorter], lookup))
    with vault.reading() as s:
        assert sum(crime.monthly(s, months=["2023-01"]).values()) == sum(
            independent_count(rows[:1000], lookup).values()
        )
    assert result.replaced == [("Metropolitan Police Service", "2023-01")]
