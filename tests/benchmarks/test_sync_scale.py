"""A sync's cost follows the number of new changes, not the number of old files. Run with ``-m benchmark``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from commmatters_desktop.core.services import wards
from tests.sync.conftest import Laptop

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("old_files", [5, 200])
def test_one_new_change_after_many_old_files(
    benchmark: BenchmarkFixture, laptops: list[Laptop], shared: Path, old_files: int
) -> None:
    a, b, _ = laptops
    for n in range(old_files):
        with a.vault.unit_of_work() as s:
            wards.create_ward(s, code=f"E05{900000 + n:06d}", name=f"Ward {n}")
        a.sync(shared)
    b.sync(shared)
    counter = iter(range(10_000))

    def one_more_change_and_sync() -> int:
        with a.vault.unit_of_work() as s:
            ward = wards.ward_by_code(s, "E05900000")
            assert ward is not None
            wards.update_ward(s, ward=ward, notes=f"note {next(counter)}")
        a.sync(shared)
        return b.sync(shared).received_files

    assert benchmark.pedantic(one_more_change_and_sync, rounds=10, iterations=1) == 1
