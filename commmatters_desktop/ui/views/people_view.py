"""People & partners (Ctrl+7): partner agencies, the ward teams and panels, the key individual network.

Four pages: partners (add, edit, retire, import a contact list, export the list for a PACT pack),
people (officers, PCSOs, panel members, with their wards and the ward officer marked), key
individuals (consent, contacts, consultation fatigue, feedback exports) and the groups each ward is
not hearing from. Every edit is one undoable service call through :class:`Operations`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import commands, queries
from commmatters_desktop.core import people_queries as pq
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.clock import Clock
from commmatters_desktop.core.cycles import CycleCode
from commmatters_desktop.core.enums import (
    PUBLIC_ROLES,
    AgencyKind,
    ContactChannel,
    PersonRole,
)
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import kin
from commmatters_desktop.storage.vault import atomic_write
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.models import people as models
from commmatters_desktop.ui.models.record_table import RecordTableModel
from commmatters_desktop.ui.operations import Operations
from commmatters_desktop.ui.widgets import ChoiceCombo, button, row_table

ALL_WARDS = "All wards"
PERSONAL_NOTE = (
    "⚠ Columns marked ⚠ hold personal data about members of the public (panel members, key "
    "individuals): never put them on a public screen or a leaflet."
)
_CHANNEL_CHOICES = [(c.label, c) for c in ContactChannel]
_KIND_CHOICES = [(k.label, k) for k in AgencyKind]
#: Roles added from the People page (partner contacts are added from their agency, KIN from their page).
_PERSON_ROLES = [
    PersonRole.CONSTABLE,
    PersonRole.PCSO,
    PersonRole.SERGEANT,
    PersonRole.INSPECTOR,
    PersonRole.COUNCILLOR,
    PersonRole.PANEL_CHAIR,
    PersonRole.PANEL_MEMBER,
    PersonRole.PARTNER_CONTACT,
]


def _table(parent: QWidget, name: str, accessible: str, proxy: models.RecordFilterProxy) -> QTableView:
    table = row_table(parent, name, accessible)
    table.setModel(proxy)
    table.setSortingEnabled(True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


def _search(parent: QWidget, name: str, accessible: str, proxy: models.RecordFilterProxy) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(accessible)
    edit.setClearButtonEnabled(True)
    edit.textChanged.connect(proxy.set_search)
    return edit


def fit(table: QTableView, cap: int = 260) -> None:
    """Columns sized to what they hold (from a sample of rows), none wider than ``cap``."""
    header = table.horizontalHeader()
    header.setResizeContentsPrecision(50)
    for column in range(header.count() - 1):
        table.resizeColumnToContents(column)
        table.setColumnWidth(column, min(table.columnWidth(column), cap))


class _Page(QWidget):
    """One table page: a filter row, the table, a row of buttons."""

    def __init__(self, parent: QWidget, name: str, accessible: str, model: RecordTableModel[Any]) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.model = model
        model.set_listing([])  # searched, filtered and sorted whole by the model, shown a page at a time
        self.proxy = models.RecordFilterProxy(self)
        self.proxy.setSourceModel(model)
        self.filters = QHBoxLayout()
        self.search = _search(self, f"{name}Search", f"Search {accessible.lower()}", self.proxy)
        self.filters.addWidget(self.search, 1)
        self.table = _table(self, f"{name}Table", accessible, self.proxy)
        self.buttons = QHBoxLayout()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(self.filters)
        self.layout_.addWidget(self.table, 1)
        self.layout_.addLayout(self.buttons)

    def load(self, rows: list[Any]) -> None:
        self.model.set_listing(rows)
        fit(self.table)

    def add_buttons(self, *specs: tuple[str, str, Callable[[], object]]) -> None:
        for text, name, handler in specs:
            self.buttons.addWidget(button(self, text, name, handler))
        self.buttons.addStretch(1)

    def selected(self) -> Any:
        return self.proxy.row_at(self.table.currentIndex())

    def select_id(self, record_id: uuid.UUID) -> None:
        """Select the record, loading pages of the list until it is shown."""
        found = self.model.reveal(
            lambda record: (
                getattr(record, "id", None) == record_id
                or getattr(getattr(record, "person", None), "id", None) == record_id
            )
        )
        if found is not None:
            self.table.selectRow(self.proxy.mapFromSource(self.model.index(found, 0)).row())


#: What this view shows: partners, people, their wards, key individuals, contacts, groups, gaps.
PEOPLE_TABLES = (
    "agency", "person", "ward_role", "ward", "kin_contact", "community_group", "reference_group", "purge_order",
    "vault_meta",  # the consultation-fatigue threshold
)  # fmt: skip


class PeopleView(QWidget):
    def __init__(self, ops: Operations, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleView")
        self.setAccessibleName("People and partners")
        self.ops, self.clock = ops, clock
        self._ward_rows: list[tuple[uuid.UUID, str, str]] | None = None  # read when first needed

        self.partners = _Page(self, "partners", "Partner agencies", models.agency_model(self))
        self.show_retired = QCheckBox("Show retired", self.partners)
        self.show_retired.setObjectName("partnersShowRetired")
        self.show_retired.setAccessibleName("Show retired partner agencies")
        self.show_retired.toggled.connect(self._filter_partners)
        self.partners.filters.addWidget(self.show_retired)
        self.partners.add_buttons(
            ("Add partner…", "partnerAdd", self.add_partner),
            ("Edit…", "partnerEdit", self.edit_partner),
            ("Retire / reinstate", "partnerRetire", self.toggle_partner),
            ("Add contact…", "partnerAddContact", self.add_contact),
            ("Import contact list…", "partnerImport", lambda: self.import_csv("contacts")),
            ("Export partner list…", "partnerExport", self.export_partners),
        )

        self.people = _Page(self, "people", "People", models.person_model(self))
        self.role = ChoiceCombo(
            self.people, [("All roles", None), *((r.label, r) for r in PersonRole)], name="peopleRole"
        )
        self.role.setAccessibleName("Filter by role")
        self.role.currentIndexChanged.connect(self._filter_people)
        self.people.filters.addWidget(self.role)
        self.people.layout_.insertWidget(1, self._note(self.people))
        self.people.add_buttons(
            ("Add person…", "personAdd", self.add_person),
            ("Edit…", "personEdit", self.edit_person),
            ("Wards…", "personWards", self.edit_wards),
            ("Retire / reinstate", "personRetire", self.toggle_person),
            ("Import ward roster…", "personImport", lambda: self.import_csv("roster")),
        )

        self.kin = _Page(self, "kin", "Key individuals", models.kin_model(self))
        self.kin_ward = ChoiceCombo(self.kin, [(ALL_WARDS, None)], name="kinWard")
        self._in_picker: list[tuple[uuid.UUID, str, str]] = []
        self.kin_ward.setAccessibleName("Ward shown")
        self.kin_ward.currentIndexChanged.connect(self._filter_kin)
        self.kin.filters.insertWidget(0, self.kin_ward)
        self.kin.layout_.insertWidget(1, self._note(self.kin))
        self.fatigue = QLabel(self.kin)
        self.fatigue.setObjectName("kinFatigueNote")
        self.kin.layout_.insertWidget(2, self.fatigue)
        self.contacts_model = models.contact_model(self)
        self.contacts_model.set_listing([])
        self.contacts_proxy = models.RecordFilterProxy(self)
        self.contacts_proxy.setSourceModel(self.contacts_model)
        self.contacts = _table(self.kin, "kinContacts", "Contacts logged", self.contacts_proxy)
        self.kin.layout_.insertWidget(
            4, QLabel("Contacts logged (the selected key individual's, or the ward's):")
        )
        self.kin.layout_.insertWidget(5, self.contacts, 1)
        self.kin.layout_.setStretchFactor(self.kin.table, 2)
        self.contacts.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.kin.add_buttons(
            ("Add key individual…", "kinAdd", self.add_kin),
            ("Record consent…", "kinConsent", self.record_consent),
            ("Log contact…", "kinLog", self.log_contact),
            ("Fatigue threshold…", "kinThreshold", self.set_threshold),
            ("Export feedback…", "kinFeedback", self.export_feedback),
        )
        self.kin.table.selectionModel().currentRowChanged.connect(lambda *_: self._filter_contacts())

        self.gaps = _Page(self, "gaps", "Representation gaps", models.gap_model(self))
        intro = QLabel(
            "Groups each ward has no consenting key individual or reference group for (community mapping: "
            "the force's KIN review named young people, the business community, Travellers, asylum seekers "
            "and disability groups; add your own).",
            self.gaps,
        )
        intro.setWordWrap(True)
        self.gaps.layout_.insertWidget(0, intro)
        self.gaps.add_buttons(
            ("Add a group…", "gapAddGroup", self.add_group),
            ("Link a reference group…", "gapAddReference", self.add_reference),
        )

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("peopleTabs")
        self.tabs.setAccessibleName("People and partners pages")
        self.tabs.addTab(self.partners, "Partners")
        self.tabs.addTab(self.people, "People")
        self.tabs.addTab(self.kin, "Key individuals")
        self.tabs.addTab(self.gaps, "Representation gaps")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self._filter_partners()
        self._stale = True
        #: Pages read since the vault last changed; the others read when shown (tabs.currentChanged).
        self._stale_pages: set[QWidget] = {self.partners, self.people, self.kin, self.gaps}
        self.tabs.currentChanged.connect(self._load_shown)
        self.ops.changes.connect(self._changed)

    def _changed(self, change: ChangeSet) -> None:
        """Reload now if shown; otherwise when next shown. An edit that touches nothing this view shows
        (a SARA plan, a card moved) costs it nothing, not even a reload when it is next shown."""
        if not change.touches(*PEOPLE_TABLES):
            return
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
        super().showEvent(event)

    @staticmethod
    def _note(parent: QWidget) -> QLabel:
        note = QLabel(PERSONAL_NOTE, parent)
        note.setObjectName("personalDataNote")
        note.setWordWrap(True)
        note.setStyleSheet("color: #b00020;")
        return note

    # --- loading ---------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Every page is out of date: load the one shown now, the others when they are shown."""
        self._stale = False
        self._stale_pages = {self.partners, self.people, self.kin, self.gaps}
        self._ward_rows = None
        self._load_shown()

    @property
    def _wards(self) -> list[tuple[uuid.UUID, str, str]]:
        """Every ward (id, code, name), read when a page or a form first needs them since a change."""
        if self._ward_rows is None:
            self._ward_rows = self.ops.read(pq.ward_choices)
            if self._ward_rows != self._in_picker:  # the picker keeps its choice unless the wards changed
                self._in_picker = self._ward_rows
                self.kin_ward.set_choices([(ALL_WARDS, None), *self._ward_choices()])
        return self._ward_rows

    def _load_shown(self, _index: int = -1) -> None:
        """The page on screen, read if stale: a page of rows shown, the rest as the table scrolls."""
        page = self.tabs.currentWidget()
        if page not in self._stale_pages:
            return
        self._stale_pages.discard(page)
        today = self.clock.today()
        if page is self.partners:
            self.partners.load(self.ops.read(pq.agency_rows))
        elif page is self.people:
            self.people.load(self.ops.read(pq.person_rows))
        elif page is self.gaps:
            self.gaps.load(self.ops.read(kin.gaps))
        elif page is self.kin:

            def load(s: Session) -> tuple[Any, ...]:
                return pq.kin_rows(s, on=today), pq.contact_rows(s), kin.fatigue_threshold(s)

            kins, contacts, threshold = self.ops.read(load)
            _ = self._wards  # the ward picker's choices
            self.kin.load(kins)
            self.contacts_model.set_listing(contacts)
            fit(self.contacts)
            self.fatigue.setText(
                f"Consultation fatigue: a key individual contacted {threshold} times in {kin.FATIGUE_DAYS} days "
                "is shown in red, and asking them again needs your confirmation."
            )
            self._filter_kin()

    def show_ward(self, ward_id: uuid.UUID) -> None:
        """From the ward page: its key individuals and contacts."""
        if self._stale:
            self.reload()
        code = next((c for i, c, _n in self._wards if i == ward_id), None)
        if code is not None:
            self.kin_ward.select(code)
        self.tabs.setCurrentWidget(self.kin)

    def _filter_partners(self) -> None:
        shown = self.show_retired.isChecked()
        self.partners.proxy.set_predicate(lambda r: shown or r.retired_on is None)

    def _filter_people(self) -> None:
        role = self.role.value()
        self.people.proxy.set_predicate(lambda r: role is None or r.role is role)

    def _ward_code(self) -> str | None:
        data = self.kin_ward.value()
        return str(data) if data else None

    def _filter_kin(self) -> None:
        code = self._ward_code()
        self.kin.proxy.set_predicate(lambda r: code is None or code in r.person.ward_codes)
        self._filter_contacts()

    def _filter_contacts(self) -> None:
        code, chosen = self._ward_code(), self.kin.selected()
        person = chosen.person.id if chosen else None
        self.contacts_proxy.set_predicate(
            lambda c: (person is None or c.person_id == person) and (code is None or c.ward_code == code)
        )

    # --- helpers -------------------------------------------------------------------------------------------------

    def _need(self, page: _Page, what: str) -> Any:
        chosen = page.selected()
        if chosen is None:
            QMessageBox.information(self, "Nothing selected", f"Select {what} first.")
        return chosen

    def _ward_choices(self) -> list[tuple[str, Any]]:
        return [(f"{name} ({code})", code) for _id, code, name in self._wards]

    def _agency_choices(self, *, none: str | None = None) -> list[tuple[str, Any]]:
        options = self.ops.read(queries.agency_options)
        return ([(none, None)] if none else []) + [(o.label, o.id) for o in options]

    def _warn(self, title: str, message: str) -> None:
        QMessageBox.warning(self, title, message)

    # --- partners ------------------------------------------------------------------------------------------------

    def _partner_fields(self, row: pq.AgencyRow | None) -> list[Field]:
        return [
            Field("name", "Agency name", required=True, value=row.name if row else ""),
            Field("kind", "Kind", Kind.CHOICE, value=row.kind if row else AgencyKind.LOCAL_AUTHORITY,
                  choices=_KIND_CHOICES),
            Field("contact_route", "Contact route", value=row.contact_route if row else "",
                  hint="A team mailbox or switchboard that may be printed for partners"),
        ]  # fmt: skip

    def add_partner(self) -> uuid.UUID | None:
        answer = forms.ask_form(self, "Add a partner agency", "", self._partner_fields(None), "Add")
        if answer is None:
            return None
        made = uuid.uuid4()
        if self.ops.execute(
            commands.AddAgency(made, answer["name"], answer["kind"], answer["contact_route"])
        ):
            self.partners.select_id(made)
            return made
        return None

    def edit_partner(self) -> None:
        row: pq.AgencyRow | None = self._need(self.partners, "a partner agency")
        if row is None:
            return
        answer = forms.ask_form(self, f"Edit {row.name}", "", self._partner_fields(row), "Save")
        if answer is None:
            return
        self.ops.execute(commands.EditRecord.of("agency", row.id, answer, f"Edit partner {row.name}"))

    def toggle_partner(self) -> None:
        row: pq.AgencyRow | None = self._need(self.partners, "a partner agency")
        if row is None:
            return
        retire = row.retired_on is None
        label = f"{'Retire' if retire else 'Reinstate'} {row.name}"
        self.ops.execute(commands.Retire("agency", row.id, retire, label))

    def add_contact(self) -> None:
        row: pq.AgencyRow | None = self._need(self.partners, "the contact's agency")
        if row is None:
            return
        answer = forms.ask_form(
            self,
            f"Add a contact at {row.name}",
            "Work details only: the partner's work email and phone.",
            [
                Field("full_name", "Name", required=True),
                Field("title", "Role or job title"),
                Field("email", "Work email"),
                Field("phone", "Work phone"),
                Field("wards", "Wards covered", hint="Ward codes or names, separated by ;"),
            ],
            "Add contact",
        )
        if answer is None:
            return
        self.ops.execute(
            commands.AddPerson(uuid.uuid4(), role=PersonRole.PARTNER_CONTACT, agency_id=row.id, **answer)
        )

    # --- people --------------------------------------------------------------------------------------------------

    def _person_fields(self, row: pq.PersonRow | None) -> list[Field]:
        public = row is not None and row.public
        mark = " (personal data)" if public or row is None else ""
        return [
            Field("full_name", f"Name{mark}", required=True, value=row.full_name if row else ""),
            Field("role", "Role", Kind.CHOICE, value=row.role if row else PersonRole.CONSTABLE,
                  choices=[(r.label, r) for r in _PERSON_ROLES]),
            Field("agency_id", "Agency or team", Kind.CHOICE, value=row.agency_id if row else None,
                  choices=self._agency_choices(none="(none)")),
            Field("title", "Shoulder number or job title", value=row.title if row else "",
                  hint="Blank for members of the public"),
            Field("email", f"Email{mark}", value=row.email if row else ""),
            Field("phone", f"Phone{mark}", value=row.phone if row else ""),
        ]  # fmt: skip

    def add_person(self) -> uuid.UUID | None:
        fields = [
            *self._person_fields(None),
            Field("wards", "Wards", hint="Ward codes or names, separated by ;"),
            Field("ward_officer", "Ward officer of these wards", Kind.CHECK),
        ]
        answer = forms.ask_form(
            self,
            "Add a person",
            "Officers, PCSOs, panel members and chairs. Names and contact details of members of the public "
            "are personal data.",
            fields,
            "Add",
        )
        if answer is None:
            return None
        made = uuid.uuid4()
        if self.ops.execute(commands.AddPerson(made, **answer)):
            self.people.select_id(made)
            return made
        return None

    def edit_person(self) -> None:
        row: pq.PersonRow | None = self._need(self.people, "a person")
        if row is None:
            return
        fields = self._person_fields(row)
        if row.role not in _PERSON_ROLES:  # a key individual or ward officer keeps their role here
            fields = [f for f in fields if f.key != "role"]
        answer = forms.ask_form(self, f"Edit {row.full_name}", "", fields, "Save")
        if answer is None:
            return
        self.ops.execute(commands.EditRecord.of("person", row.id, answer, f"Edit {row.full_name}"))

    def edit_wards(self) -> None:
        row: pq.PersonRow | None = self._need(self.people, "a person")
        if row is None:
            return
        own = [c for c, r in row.wards if r is row.role]
        officer = row.ward_officer_of
        fields = [Field("wards", f"Wards as {row.role.label}", value="; ".join(own),
                        hint="Ward codes or names, separated by ;")]  # fmt: skip
        if row.role not in {*PUBLIC_ROLES, PersonRole.PARTNER_CONTACT, PersonRole.WARD_OFFICER}:
            fields.append(Field("officer", "Ward officer of", value="; ".join(officer),
                                hint="The wards this person is the ward officer for"))  # fmt: skip
        answer = forms.ask_form(self, f"Wards for {row.full_name}", "", fields, "Save")
        if answer is None:
            return

        self.ops.execute(
            commands.SetWards(
                row.id, row.role, answer["wards"], answer.get("officer"), f"Change {row.full_name}'s wards"
            )
        )

    def toggle_person(self) -> None:
        row: pq.PersonRow | None = self._need(self.people, "a person")
        if row is None:
            return
        retire = row.retired_on is None
        label = f"{'Retire' if retire else 'Reinstate'} {row.full_name}"
        self.ops.execute(commands.Retire("person", row.id, retire, label))

    # --- importing and exporting ---------------------------------------------------------------------------------

    def import_csv(self, kind: str) -> object:
        """A partner contact list or a ward roster: columns guessed, the officer confirms the matching."""
        from commmatters_desktop.importers import people as importer
        from commmatters_desktop.importers.csvfile import read_csv

        title = "Import a partner contact list" if kind == "contacts" else "Import a ward team roster"
        path, _ = QFileDialog.getOpenFileName(self, title, str(Path.home()), "CSV files (*.csv)")
        if not path:
            return None
        try:
            table = read_csv(Path(path))
        except UserError as exc:
            self._warn("Nothing was imported", exc.message)
            return None
        guessed = importer.guess_mapping(kind, table.headers)
        columns = [("(not in this file)", None), *((h, h) for h in table.headers)]
        answer = forms.ask_form(
            self,
            "Match the columns",
            f"Which column of {Path(path).name} holds each piece?",
            [Field(name, name.replace("_", " ").capitalize(), Kind.CHOICE, value=column, choices=columns)
             for name, column in guessed.items()],
            "Import",
        )  # fmt: skip
        if answer is None:
            return None
        try:
            parsed = importer.parse_people(table, kind, answer)
        except UserError as exc:
            self._warn("Nothing was imported", exc.message)
            return None
        records: Any = parsed.contacts if kind == "contacts" else parsed.roster
        apply: Any = importer.apply_contacts if kind == "contacts" else importer.apply_roster
        summary = self.ops.attempt(lambda s: apply(s, records))
        if summary is None:
            return None
        problems = sorted([*parsed.problems, *summary.skipped])
        lines = [f"{Path(path).name}: {summary.describe()}."]
        lines += [f"Line {line}: {reason}" for line, reason in problems[:20]]
        QMessageBox.information(self, "Imported", "\n".join(lines))
        return summary

    def _save_csv(
        self, title: str, suggested: str, data: bytes, record: Callable[[Session, str], None] | None = None
    ) -> Path | None:
        """Ask where, write it; ``record`` (an audit of personal data leaving) commits only if it is written."""
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), "CSV files (*.csv)")
        if not path:
            return None
        target = Path(path if path.lower().endswith(".csv") else f"{path}.csv")

        def write(session: Session) -> None:
            if record is not None:
                record(session, target.name)
            atomic_write(target, data)

        try:
            self.ops.run(write) if record is not None else atomic_write(target, data)
        except UserError as exc:
            self._warn("Not saved", exc.message)
            return None
        except OSError as exc:
            self._warn(
                "Not saved", f"{target} could not be written ({exc.strerror or exc}). Choose another folder."
            )
            return None
        return target

    def export_partners(self) -> Path | None:
        from commmatters_desktop.core.feedback_export import to_csv

        retired = self.show_retired.isChecked()
        table = self.ops.read(lambda s: pq.partner_table(s, include_retired=retired))
        target = self._save_csv(
            "Export the partner list",
            f"partners-{self.clock.today():%Y-%m-%d}.csv",
            to_csv(pq.PARTNER_HEADERS, table),
        )
        if target is not None:
            QMessageBox.information(self, "Partner list saved", f"{len(table)} rows written to {target}.")
        return target

    # --- key individuals -----------------------------------------------------------------------------------------

    def _groups(self) -> list[tuple[str, Any]]:
        return [(g, g) for g in self.ops.read(kin.groups)]

    def _have_wards(self) -> bool:
        if not self._wards:
            self._warn("No wards yet", "Add or import the wards first (Wards menu), then try again.")
        return bool(self._wards)

    def add_kin(self) -> uuid.UUID | None:
        if not self._have_wards():
            return None
        ward = self._ward_code()
        answer = forms.ask_form(
            self,
            "Add a key individual",
            "A member of the public willing to be a critical friend. Everything here is personal data. "
            "They are contacted only once their consent is recorded.",
            [
                Field("ward", "Ward", Kind.CHOICE, value=ward, choices=self._ward_choices()),
                Field("full_name", "Name (personal data)", required=True),
                Field("community", "Community or group", Kind.CHOICE, choices=self._groups(),
                      hint="Add other groups on the Representation gaps page"),
                Field("preferred", "Prefers to be contacted by", Kind.CHOICE, value=ContactChannel.EMAIL,
                      choices=_CHANNEL_CHOICES),
                Field("email", "Email (personal data)"),
                Field("phone", "Phone (personal data)"),
                Field("consent_on", "Consent given on", Kind.DATE, hint="Leave blank until they have agreed"),
                Field("consent_basis", "Basis of consent", hint="For example: signed KIN form, verbal at PACT"),
            ],
            "Add",
        )  # fmt: skip
        if answer is None:
            return None
        made = uuid.uuid4()
        if self.ops.execute(commands.AddKeyIndividual(made, **answer)):
            self.kin.select_id(made)
            return made
        return None

    def record_consent(self) -> None:
        row: pq.KinRow | None = self._need(self.kin, "a key individual")
        if row is None:
            return
        person = row.person
        answer = forms.ask_form(
            self,
            f"Consent from {person.full_name}",
            "When and on what basis they agreed to be contacted as a key individual.",
            [
                Field("on", "Consent given on", Kind.DATE, required=True,
                      value=person.consent_on or self.clock.today()),
                Field("basis", "Basis", required=True, value=person.consent_basis,
                      hint="For example: signed KIN form, verbal at PACT"),
            ],
            "Record consent",
        )  # fmt: skip
        if answer is None:
            return
        self.ops.execute(commands.RecordConsent(person.id, answer["on"], answer["basis"]))

    def log_contact(self) -> uuid.UUID | None:
        row: pq.KinRow | None = self._need(self.kin, "a key individual")
        if row is None:
            return None
        person_id, today = row.person.id, self.clock.today()
        try:
            recent = self.ops.read(lambda s: kin.check_contact_of(s, person_id, on=today))
        except UserError as exc:
            self._warn("Consent needed first", exc.message)
            return None
        threshold = self.ops.read(kin.fatigue_threshold)
        anyway = kin.is_fatigued(recent, threshold)
        if anyway:
            asked = QMessageBox.question(
                self,
                "Consultation fatigue",
                f"{row.person.full_name} has been contacted {recent} times in the last {kin.FATIGUE_DAYS} days "
                f"(the threshold is {threshold}). Consultation should be fair and proportionate: could someone "
                "else be asked? Log this contact anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if asked != QMessageBox.StandardButton.Yes:
                return None
        preferred = row.person.preferred_contact
        answer = forms.ask_form(
            self,
            f"Log a contact with {row.person.full_name}",
            "",
            [
                Field("on", "Date", Kind.DATE, required=True, value=today),
                Field("channel", "Channel", Kind.CHOICE, choices=_CHANNEL_CHOICES,
                      value=ContactChannel(preferred) if preferred in ContactChannel._value2member_map_ else None),
                Field("purpose", "Purpose", required=True, hint="What they were asked or told"),
                Field("ward", "About ward", Kind.CHOICE,
                      value=self._ward_code() or next(iter(row.person.ward_codes), None),
                      choices=self._ward_choices()),
            ],
            "Log contact",
        )  # fmt: skip
        if answer is None:
            return None
        made = uuid.uuid4()
        logged = commands.LogContact(made, person_id, anyway=anyway, **answer)
        return made if self.ops.execute(logged) else None

    def set_threshold(self) -> None:
        current = self.ops.read(kin.fatigue_threshold)
        answer = forms.ask_form(
            self,
            "Consultation fatigue threshold",
            f"How many contacts in {kin.FATIGUE_DAYS} days before asking a key individual again needs a warning?",
            [Field("threshold", "Contacts", required=True, value=str(current))],
            "Save",
        )
        if answer is None:
            return
        try:
            wanted = int(answer["threshold"])
        except ValueError:
            self._warn("Not changed", f"'{answer['threshold']}' is not a whole number.")
            return
        self.ops.do(
            "Change the fatigue threshold",
            lambda s: kin.set_fatigue_threshold(s, wanted),
            lambda s: kin.set_fatigue_threshold(s, current),
        )

    def export_feedback(self) -> Path | None:
        from commmatters_desktop.core.feedback_export import (
            CHANNELS,
            feedback_export,
            holds_personal_data,
            record_export,
            to_csv,
        )

        today = self.clock.today()
        cycles = sorted({*self.ops.read(queries.cycle_codes), str(CycleCode.containing(today))}, reverse=True)
        answer = forms.ask_form(
            self,
            "Export feedback",
            "What to send back to those who took part, from the priority's approved public wording only.",
            [
                Field("cycle", "Quarter", Kind.CHOICE, value=str(CycleCode.containing(today)),
                      choices=[(c, c) for c in cycles]),
                Field("channel", "Channel", Kind.CHOICE, value="nextdoor",
                      choices=[(label, key) for key, label in CHANNELS.items()]),
                Field("ward", "Ward", Kind.CHOICE, value=self._ward_code(),
                      choices=[(ALL_WARDS, None), *self._ward_choices()]),
            ],
            "Export",
        )  # fmt: skip
        if answer is None:
            return None
        demo = self.ops.vault.is_demo
        export = self.ops.read(
            lambda s: feedback_export(
                s,
                cycle=answer["cycle"],
                channel=answer["channel"],
                today=today,
                ward_code=answer["ward"],
                demo=demo,
            )
        )
        rows = export.rows()
        skipped = [f"{code}: {reason}" for code, reason in export.skipped[:12]]
        if not rows:
            self._warn("Nothing to send", "\n".join(["Nothing to send on this channel yet.", *skipped]))
            return None
        reason = ""
        if holds_personal_data(export):
            asked = forms.ask_reason(
                self,
                "Export key individuals' email addresses",
                "This list holds residents' names and email addresses. Why is it being exported? "
                "(Recorded in the audit trail.)",
            )
            if asked is None:
                return None
            reason = asked
        target = self._save_csv(
            "Save the feedback",
            f"feedback-{answer['cycle']}-{answer['channel']}.csv",
            to_csv(export.headers(), rows),
            record=lambda s, name: record_export(s, export, target=name, reason=reason),
        )
        if target is not None:
            QMessageBox.information(
                self, "Feedback saved", "\n".join([f"{len(rows)} rows written to {target}.", *skipped])
            )
        return target

    # --- gaps ---------------------------------------------------------------------------------------------------

    def add_group(self) -> None:
        answer = forms.ask_form(
            self,
            "Add a community group",
            "Every ward will be checked for a link with this group.",
            [Field("name", "Group", required=True)],
            "Add",
        )
        if answer is None:
            return
        self.ops.execute(commands.AddCommunityGroup(answer["name"]))

    def add_reference(self) -> None:
        if not self._have_wards():
            return
        chosen: kin.Gap | None = self.gaps.selected()
        answer = forms.ask_form(
            self,
            "Link a reference group",
            "An organisation the ward hears a community through (a traders' association, a youth forum).",
            [
                Field("ward", "Ward", Kind.CHOICE, value=chosen.ward_code if chosen else None,
                      choices=self._ward_choices()),
                Field("community", "Community group", Kind.CHOICE, value=chosen.group if chosen else None,
                      choices=self._groups()),
                Field("name", "Reference group", required=True),
            ],
            "Link",
        )  # fmt: skip
        if answer is None:
            return
        self.ops.execute(commands.LinkReferenceGroup(uuid.uuid4(), **answer))

    def focus_search(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, _Page):
            page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            page.search.selectAll()
