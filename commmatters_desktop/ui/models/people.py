"""Table models and proxies for partners, people, key individuals, contacts and representation gaps.

Each table is a :class:`RecordTableModel` (declared columns over plain rows) behind a
:class:`RecordFilterProxy` that searches every column and applies the view's own filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from commmatters_desktop.core.people_queries import AgencyRow, ContactRow, KinRow, PersonRow
from commmatters_desktop.core.services.kin import Gap
from commmatters_desktop.ui.models.filtering import refilter
from commmatters_desktop.ui.models.record_table import Column, RecordTableModel, show_date

Index = QModelIndex | QPersistentModelIndex
PERSONAL = " ⚠"  # a column holding personal data about members of the public


class RecordFilterProxy(QSortFilterProxyModel):
    """Free-text search across every column, plus an optional predicate on the row itself.

    Over a model that pages a listing (``RecordTableModel.set_listing``) the search, filter and sort
    are the model's, over every row, not this proxy's over the rows loaded so far.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._keep: Callable[[Any], bool] = lambda _row: True
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Sort by the edit role: date columns give their ISO form there, so they sort by date.
        self.setSortRole(Qt.ItemDataRole.EditRole)

    def set_search(self, text: str) -> None:
        if self.source().listed:
            self.source().set_search(text)
            return
        refilter(self, lambda: setattr(self, "_words", text.casefold().split()))

    def set_predicate(self, keep: Callable[[Any], bool]) -> None:
        if self.source().listed:
            self.source().set_predicate(keep)
            return
        refilter(self, lambda: setattr(self, "_keep", keep))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self.source().listed:
            self.source().sort(column, order)
            return
        super().sort(column, order)

    def source(self) -> RecordTableModel[Any]:
        model = self.sourceModel()
        assert isinstance(model, RecordTableModel)
        return model

    def row_at(self, index: Index) -> Any:
        return self.source().row_at(self.mapToSource(index).row()) if index.isValid() else None

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.source()
        if model.listed:
            return True
        record = model.row_at(source_row)
        if not self._keep(record):
            return False
        if not self._words:
            return True
        text = " ".join(c.show(record) for c in model.columns).casefold()
        return all(word in text for word in self._words)


def _iso(day: Callable[[Any], dt.date | None]) -> Callable[[Any], str]:
    return lambda r: (day(r) or dt.date.min).isoformat()


def _retired_red(row: Any) -> bool:
    return getattr(row, "retired_on", None) is not None


def agency_model(parent: QObject) -> RecordTableModel[AgencyRow]:
    model: RecordTableModel[AgencyRow] = RecordTableModel(
        [
            Column("Agency", lambda r: r.name),
            Column("Kind", lambda r: r.kind.label),
            Column("Contact route", lambda r: r.contact_route),
            Column("Contacts", lambda r: "; ".join(r.contacts)),
            Column("Wards", lambda r: " ".join(r.wards)),
            Column("Status", lambda r: r.status),
        ],
        parent,
        warn=_retired_red,
    )
    model.editable = False
    return model


def person_model(parent: QObject) -> RecordTableModel[PersonRow]:
    model: RecordTableModel[PersonRow] = RecordTableModel(
        [
            Column("Name" + PERSONAL, lambda r: r.full_name),
            Column("Role", lambda r: r.role.label),
            Column("Agency or team", lambda r: r.agency),
            Column("Number or title", lambda r: r.title),
            Column("Wards", lambda r: r.describe_wards()),
            Column("Email" + PERSONAL, lambda r: r.email),
            Column("Phone" + PERSONAL, lambda r: r.phone),
            Column("Status", lambda r: r.status),
        ],
        parent,
        warn=_retired_red,
    )
    model.editable = False
    return model


def kin_model(parent: QObject) -> RecordTableModel[KinRow]:
    model: RecordTableModel[KinRow] = RecordTableModel(
        [
            Column("Key individual" + PERSONAL, lambda r: r.person.full_name),
            Column("Community or group" + PERSONAL, lambda r: r.person.community),
            Column("Wards", lambda r: " ".join(r.person.ward_codes)),
            Column("Prefers", lambda r: r.preferred),
            Column("Consent", lambda r: r.consent),
            Column("Contacts (90 days)", lambda r: f"{r.recent}{' — fatigue' if r.fatigued else ''}"),
            Column(
                "Last contact", lambda r: show_date(r.last_contact), current=_iso(lambda r: r.last_contact)
            ),
        ],
        parent,
        warn=lambda r: r.fatigued or r.person.consent_on is None,
    )
    model.editable = False
    return model


def contact_model(parent: QObject) -> RecordTableModel[ContactRow]:
    model: RecordTableModel[ContactRow] = RecordTableModel(
        [
            Column("Date", lambda r: show_date(r.contacted_on), current=_iso(lambda r: r.contacted_on)),
            Column("Key individual" + PERSONAL, lambda r: r.person),
            Column("Ward", lambda r: r.ward_code),
            Column("Channel", lambda r: r.channel.label),
            Column("Purpose", lambda r: r.purpose),
        ],
        parent,
    )
    model.editable = False
    return model


def gap_model(parent: QObject) -> RecordTableModel[Gap]:
    model: RecordTableModel[Gap] = RecordTableModel(
        [
            Column("Ward", lambda r: r.ward_name),
            Column("Code", lambda r: r.ward_code),
            Column("Not hearing from", lambda r: r.group),
            Column("Awaiting consent", lambda r: str(r.awaiting_consent) if r.awaiting_consent else ""),
        ],
        parent,
    )
    model.editable = False
    return model
