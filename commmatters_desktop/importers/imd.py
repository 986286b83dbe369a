"""The English Indices of Deprivation 2019 (File 1): IMD rank by LSOA (2011 codes), shipped in resources/."""

from __future__ import annotations

import csv
import functools
import gzip
import io
from pathlib import Path

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.importers.csvfile import normalise_header
from commmatters_desktop.paths import resource

IMD_FILE = ("data", "imd", "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")


@functools.cache
def imd_ranks(path: Path | None = None) -> dict[str, int]:
    """LSOA code → IMD 2019 rank (1 = most deprived of England's 32,844)."""
    path = path or resource(*IMD_FILE)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as exc:
        raise UserError(
            f"The IMD 2019 file {path.name} cannot be read ({exc}); reinstall the application."
        ) from None
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = [normalise_header(h) for h in next(reader)]
    try:
        code = next(i for i, h in enumerate(header) if h.startswith("lsoa_code"))
        rank = next(i for i, h in enumerate(header) if "rank" in h)
    except StopIteration:
        raise UserError(f"{path.name} is not the IMD 2019 File 1 (no LSOA code and rank columns).") from None
    return {
        row[code].strip(): int(row[rank].replace(",", "")) for row in reader if len(row) > rank and row[rank]
    }
