"""Small widget helpers shared across views."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox


def index_of(combo: QComboBox, value: Any) -> int:
    """The index of the item whose data equals ``value`` (by Python equality), or -1.

    ``QComboBox.findData`` compares Python objects such as UUIDs and enums by identity, so an
    equal value from a fresh query is never found; this compares them as Python does.
    """
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)


def choose(combo: QComboBox, value: Any) -> None:
    """Select the item holding ``value``, or the first item when none does."""
    combo.setCurrentIndex(max(index_of(combo, value), 0))
