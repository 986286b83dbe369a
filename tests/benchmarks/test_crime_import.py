"""A million data.police.uk rows (a year of a large force) import well under a minute. ``-m benchmark``."""

from __future__ import annotations

import csv
import time
import zlib
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from commmatters_desktop.core.services import crime
from commmatters_desktop.importers.police_uk import WardOf, tally_files
from commmatters_desktop.paths import resource
from commmatters_desktop.storage.vault import Vault

pytestmark = pytest.mark.benchmark
ROWS = 1_000_000
MONTHS = 12


@pytest.fixture(scope="module")
def year_of_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, WardOf]]:
    """Twelve monthly files made from the real sample's rows, every crime given its own ID."""
    with open(
        resource("data", "police-uk", "2023-01-metropolitan-street-sample.csv"), encoding="utf-8-sig"
    ) as f:
        header, *rows = list(csv.reader(f))
    folder = tmp_path_factory.mktemp("police-uk")
    per_month = ROWS // MONTHS
    n = 0
    for m in range(MONTHS):
        month = f"2025-{m + 1:02d}"
        (folder / month).mkdir()
        with open(
            folder / month / f"{month}-metropolitan-street.csv", "w", encoding="utf-8", newline=""
        ) as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for i in range(per_month + (ROWS % MONTHS if m == MONTHS - 1 else 0)):
                row = list(rows[i % len(rows)])
                row[1] = month
                if row[0]:
                    row[0] = f"{n:016x}{row[0][16:]}"
                n += 1
                writer.writerow(row)
    lookup = {r[7]: WardOf(f"E05{zlib.crc32(r[8].encode()) % 90 + 100000:06d}", "E09000001") for r in rows}
    return folder, lookup


def test_a_million_rows_import_well_under_a_minute(
    benchmark: BenchmarkFixture, year_of_files: tuple[Path, dict[str, WardOf]], vault: Vault
) -> None:
    folder, lookup = year_of_files
    calls: list[float] = []

    def progress(done: int, total: int) -> bool:
        calls.append(time.perf_counter())
        return True

    def run() -> int:
        tally = tally_files([folder], lookup, progress=progress)
        with vault.unit_of_work() as s:
            crime.store_tally(s, tally)
        return tally.rows

    started = time.perf_counter()
    rows = benchmark.pedantic(run, rounds=1, iterations=1)
    elapsed = time.perf_counter() - started
    assert rows == ROWS
    assert elapsed < 30, f"{elapsed:.1f} s for a million rows"
    # The window stays responsive: progress (where it may also cancel) comes often, never a long silence.
    gaps = [b - a for a, b in zip([started, *calls], calls, strict=False)]
    assert max(gaps) < 1.0
