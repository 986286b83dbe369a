"""The detector's recall and false-positive rate on the labelled corpus, and its speed on long text with
many vault names (one automaton: time grows with the text, not with names × text).

Run with ``pytest -m benchmark tests/benchmarks/test_privacy_corpus.py -s``.
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from commmatters_desktop.core import privacy
from tests.privacy import corpus

pytestmark = pytest.mark.benchmark


def test_corpus_recall_and_false_positives(benchmark: BenchmarkFixture) -> None:
    sentences = corpus.load()
    score = benchmark.pedantic(corpus.evaluate, args=(sentences,), rounds=3, iterations=1)
    print(
        f"\nprivacy corpus: {len(sentences)} sentences, {score.items} personal items, {score.clean} clean; "
        f"recall {score.recall:.3f}, false-positive rate {score.false_positive_rate:.3f}"
    )
    for miss in score.missed:
        print("  missed:", miss)
    for alarm in score.false_alarms:
        print("  false alarm:", alarm)
    assert score.recall >= 0.98


def test_scan_is_linear_in_text_with_many_names(benchmark: BenchmarkFixture) -> None:
    names = [f"Resident{n:05d} Surname{n:05d}" for n in range(5000)]
    text = "Speeding on Princess Road near the school at home time. " * 400  # ~23,000 characters
    privacy.scan("warm up", names)
    findings = benchmark(privacy.scan, text, names)
    assert findings == []
