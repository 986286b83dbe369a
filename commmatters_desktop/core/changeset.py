"""What one unit of work changed: which rows of which tables, inserted, updated or deleted.

The change-log hook (``core.changes``) sees every row a flush writes; it records them here as well, so
the window can refresh only the rows a view shows instead of reloading every view after every edit
(Anki's "operation changes"). Besides the rows themselves it keeps their *owners* (the rows their
foreign keys point at: an action's priority, a week of action's ward and cycle), because a card or a
ward's line shows its children's state. Statements that write many rows at once (a crime-data import)
cannot say which rows: their tables are marked ``whole`` and a view showing them reloads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Kind(Enum):
    INSERTED = "inserted"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass
class ChangeSet:
    #: table -> row id -> what happened to it (a row inserted then updated in one unit stays inserted).
    rows: dict[str, dict[Any, Kind]] = field(default_factory=dict)
    #: table -> ids of its rows that a changed row points at (before and after the change).
    owners: dict[str, set[Any]] = field(default_factory=dict)
    #: Tables written by bulk statements: which rows is not known.
    whole: set[str] = field(default_factory=set)
    #: Anything may have changed (a sync, a purge, a restore): every view reloads.
    everything: bool = False

    @classmethod
    def all(cls) -> ChangeSet:
        return cls(everything=True)

    def add(self, table: str, row_id: Any, kind: Kind) -> None:
        known = self.rows.setdefault(table, {})
        before = known.get(row_id)
        if before is Kind.INSERTED and kind is Kind.UPDATED:
            return
        if before is Kind.INSERTED and kind is Kind.DELETED:
            del known[row_id]  # made and unmade in one unit: nothing to show
            return
        known[row_id] = kind

    def own(self, table: str, row_id: Any) -> None:
        if row_id is not None:
            self.owners.setdefault(table, set()).add(row_id)

    def merge(self, other: ChangeSet) -> ChangeSet:
        """This change set and then ``other`` (undo steps merged, a macro's parts)."""
        for table, rows in other.rows.items():
            for row_id, kind in rows.items():
                self.add(table, row_id, kind)
        for table, ids in other.owners.items():
            self.owners.setdefault(table, set()).update(ids)
        self.whole |= other.whole
        self.everything = self.everything or other.everything
        return self

    # --- asking -----------------------------------------------------------------------------------------

    def tables(self) -> set[str]:
        return {t for t, rows in self.rows.items() if rows} | self.whole

    def touches(self, *tables: str) -> bool:
        return self.everything or not self.tables().isdisjoint(tables)

    def unknown(self, *tables: str) -> bool:
        """True when rows of ``tables`` changed without saying which: the view must reload."""
        return self.everything or not self.whole.isdisjoint(tables)

    def ids(self, table: str, *kinds: Kind) -> set[Any]:
        rows = self.rows.get(table, {})
        return {i for i, k in rows.items() if not kinds or k in kinds}

    def related(self, table: str) -> set[Any]:
        """Rows of ``table`` that changed themselves or whose children changed."""
        return self.ids(table) | self.owners.get(table, set())

    def uuids(self, table: str) -> set[uuid.UUID]:
        return {i for i in self.related(table) if isinstance(i, uuid.UUID)}

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def __bool__(self) -> bool:
        return self.everything or bool(self.whole) or len(self) > 0

    def describe(self) -> str:
        if self.everything:
            return "everything"
        parts = [f"{t}: {len(rows)}" for t, rows in sorted(self.rows.items()) if rows]
        parts += [f"{t}: all" for t in sorted(self.whole)]
        return ", ".join(parts) or "nothing"


def combine(sets: Iterable[ChangeSet]) -> ChangeSet:
    result = ChangeSet()
    for item in sets:
        result.merge(item)
    return result
