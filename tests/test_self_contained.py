"""A fresh clone is all there is: nothing in the package or the tests reads a folder beside the checkout."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: A path out of the checkout: `../something`, `/work/...`, or climbing above the repository with parents[n].
OUTSIDE = re.compile(r"""["']\.\./|["']/work/|parents\[(\d+)\]""")


def test_code_and_tests_use_only_files_in_the_repository() -> None:
    offenders = []
    for path in sorted([*(REPO / "commmatters_desktop").rglob("*.py"), *(REPO / "tests").rglob("*.py")]):
        if path == Path(__file__).resolve():
            continue
        depth = len(path.relative_to(REPO).parts) - 1  # parents[depth] is the repository itself
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for found in OUTSIDE.finditer(line):
                if found.group(1) is None or int(found.group(1)) > depth:
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
