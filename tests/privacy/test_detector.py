"""The detector on the labelled corpus, and the masking rules a DPO would check by eye."""

from __future__ import annotations

import pytest

from commmatters_desktop.core import privacy
from tests.privacy import corpus

RECALL_FLOOR = 0.98
FALSE_POSITIVE_CEILING = 0.05


def test_corpus_is_large_and_varied() -> None:
    sentences = corpus.load()
    assert len(sentences) >= 300
    assert sum(1 for s in sentences if not s.spans) >= 100  # clean sentences that must stay clean


def test_recall_floor_and_false_positive_ceiling() -> None:
    score = corpus.evaluate(corpus.load())
    assert score.recall >= RECALL_FLOOR, "missed:\n" + "\n".join(score.missed)
    assert score.false_positive_rate <= FALSE_POSITIVE_CEILING, "flagged:\n" + "\n".join(score.false_alarms)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mrs O'Neill reported it", "Mrs [name removed] reported it"),
        ("mr smith-jones again", "mr [name removed] again"),
        ("John Smith's car", "[name removed] car"),
        ("Victoria Road and Albert Square", "Victoria Road and Albert Square"),
        ("Call 101 or 999", "Call 101 or 999"),
        ("ring 07700 900123", "ring [number removed]"),
        ("reg ab12 cde", "reg [vehicle removed]"),
        ("at 12 Acacia Avenue, M14 5RT", "at [address removed], [postcode removed]"),
        ("born 12/03/1985", "born [date of birth removed]"),
        ("NI QQ123456C", "NI [NI number removed]"),
        ("j dot smith at gmail dot com", "[email removed]"),
        ("عمران خان saw it", "[name removed] saw it"),
    ],
)
def test_masks_cover_the_whole_item(text: str, masked: str) -> None:
    assert privacy.suggest(text) == masked


def test_vault_names_match_in_any_case_and_form() -> None:
    names = sorted(privacy.name_forms("Margaret Oduya"))
    for text in ("MARGARET ODUYA", "oduya, margaret", "Mrs Oduya", "M. Oduya"):
        assert privacy.scan(text, names), text


def test_allowed_team_route_is_not_flagged() -> None:
    assert privacy.scan("Email team.north@gmp.example.uk", allow=["team.north@gmp.example.uk"]) == []
