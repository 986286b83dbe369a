"""Reading the labelled corpus and measuring the detector on it (shared by the test and the benchmark)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from commmatters_desktop.core import privacy

CORPUS = Path(__file__).with_name("corpus.txt")
VAULT_NAMES = sorted(
    form for name in ("Margaret Oduya", "Kevin Ashworth") for form in privacy.name_forms(name)
)
_MARK = re.compile(r"\[\[(.+?)\]\]")


@dataclass
class Labelled:
    text: str
    spans: list[tuple[int, int]]


@dataclass
class Score:
    items: int = 0
    caught: int = 0
    clean: int = 0
    flagged_clean: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.items

    @property
    def false_positive_rate(self) -> float:
        return self.flagged_clean / self.clean


def load() -> list[Labelled]:
    sentences = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, spans, last = "", [], 0
        for m in _MARK.finditer(line):
            text += line[last : m.start()]
            spans.append((len(text), len(text) + len(m.group(1))))
            text += m.group(1)
            last = m.end()
        text += line[last:]
        sentences.append(Labelled(text, spans))
    return sentences


def evaluate(sentences: list[Labelled]) -> Score:
    """Recall: marked items wholly covered by findings. False positives: clean sentences with any finding."""
    score = Score()
    for sentence in sentences:
        findings = privacy.scan(sentence.text, VAULT_NAMES)
        covered = {i for f in findings for i in range(f.start, f.end)}
        if not sentence.spans:
            score.clean += 1
            if findings:
                score.flagged_clean += 1
                score.false_alarms.append(f"{sentence.text!r}: {[f.text for f in findings]}")
            continue
        for start, stop in sentence.spans:
            score.items += 1
            wanted = {i for i in range(start, stop) if not sentence.text[i].isspace()}
            if wanted <= covered:
                score.caught += 1
            else:
                score.missed.append(f"{sentence.text[start:stop]!r} in {sentence.text!r}")
    return score
