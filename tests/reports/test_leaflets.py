"""Leaflets read back with pypdf: sections, names, figures, fonts, page sizes, and the privacy gate."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from commmatters_desktop.core.enums import (
    ActionKind,
    AgencyKind,
    Channel,
    FeedbackChannel,
    PersonRole,
    PriorityStatus,
)
from commmatters_desktop.core.leaflets import PersonalDataFound, record_distribution
from commmatters_desktop.core.models import Cycle, Feedback, Priority
from commmatters_desktop.core.services import common, engagement, force, people, priorities, response, wards
from commmatters_desktop.reports.leaflet import LeafletFormat, produce
from commmatters_desktop.storage.vault import Vault
from tests.conftest import approve_leaflet_wording

TODAY = dt.date(2026, 11, 21)
A4_POINTS, A5_POINTS = (595.28, 841.89), (419.53, 595.28)


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> dict[str, bool]:
    """Every font a page uses, and whether its TrueType program is embedded in the PDF."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found[str(font["/BaseFont"]).split("+")[-1]] = embedded
    return found


def feedback_given(vault: Vault) -> Priority:
    with vault.reading() as s:
        return s.scalars(
            select(Priority)
            .join(Cycle)
            .where(Priority.status == PriorityStatus.FEEDBACK_GIVEN, Cycle.code == "2026-Q4")
        ).first()  # type: ignore[return-value]


def ward_code_of(vault: Vault, priority: Priority) -> str:
    with vault.reading() as s:
        return common.fetch(s, Priority, priority.id).ward.code


def make(vault: Vault, code: str, fmt: LeafletFormat = LeafletFormat.A4):  # type: ignore[no-untyped-def]
    with vault.reading() as s:
        return produce(s, ward_code=code, cycle="2026-Q4", today=TODAY, fmt=fmt, demo=vault.is_demo)


@pytest.mark.parametrize(
    ("fmt", "size", "pages"),
    [(LeafletFormat.A4, A4_POINTS, (1, 1)), (LeafletFormat.A5, A5_POINTS, (1, 2)),
     (LeafletFormat.LARGE_PRINT, A4_POINTS, (1, 3))],
)  # fmt: skip
def test_every_format_has_the_sections_and_the_right_pages(
    demo_vault: Vault, fmt: LeafletFormat, size: tuple[float, float], pages: tuple[int, int]
) -> None:
    priority = feedback_given(demo_vault)
    leaflet = make(demo_vault, ward_code_of(demo_vault, priority), fmt)
    reader = PdfReader(io.BytesIO(leaflet.data))
    assert pages[0] <= len(reader.pages) <= pages[1]
    for page in reader.pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == size
    text = text_of(leaflet.data)
    for section in ("You said", "We did", "What changed", "What happens next", "Get involved"):
        assert section in text
    assert leaflet.content.ward_name in text and "October to December 2026" in text
    assert fonts_of(leaflet.data) == {"DejaVuSans": True, "DejaVuSans-Bold": True}
    assert (
        reader.metadata is not None
        and reader.metadata.title == f"You said, we did: {leaflet.content.ward_name} 2026-Q4"
    )


def test_the_figures_the_chart_source_and_the_demo_marking(demo_vault: Vault) -> None:
    priority = feedback_given(demo_vault)
    leaflet = make(demo_vault, ward_code_of(demo_vault, priority))
    text = text_of(leaflet.data)
    with demo_vault.reading() as s:
        measure = common.fetch(s, Priority, priority.id).measures[0]
    assert f"{measure.baseline_value:g} reports" in text and f"now {measure.after_value:g} reports" in text
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in text
    assert "DEMO" in text and "Demo Force" in text
    assert "Raised by" in text and "next ward panel meets on" in text
    # Where it was raised, in words: a count beside a channel only when there were several.
    raised = re.search(r"Raised by (\d+) (?:person|people)(:? )([^.]*)\.", " ".join(text.split()))
    assert raised is not None, text
    counts = re.findall(r"\((\d+)\)", raised.group(3))
    if raised.group(2) == " ":
        assert counts == [], raised.group(0)
    else:
        assert len(counts) > 1 and sum(map(int, counts)) == int(raised.group(1)), raised.group(0)
    assert re.search(r"\b0\d (January|February|March|April|May|June|July|August|September|October|November|"
                     r"December)", text) is None  # fmt: skip


def test_no_personal_data_reaches_any_demo_leaflet(demo_vault: Vault) -> None:
    from commmatters_desktop.core.leaflets import wards_with_feedback
    from commmatters_desktop.core.models import Person

    with demo_vault.reading() as s:
        codes = wards_with_feedback(s, "2026-Q4")
        people_ = list(s.scalars(select(Person)))
    assert codes
    for code in codes:
        text = text_of(make(demo_vault, code).data)
        for person in people_:
            assert person.full_name not in text
            assert not person.phone or person.phone not in text


def test_welsh_and_polish_names_render(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="W05000001", name="Aberffraw", la_name="Ynys Môn")
        ward.team_contact = "Call 101 and ask for the Ynys Môn neighbourhood team"
        council = people.create_agency(s, name="Cyngor Sir Ynys Môn", kind=AgencyKind.LOCAL_AUTHORITY)
        meeting = engagement.record_meeting(
            s, ward=ward, held_on=dt.date(2026, 10, 8), venue="Neuadd y Pentref"
        )
        nomination = engagement.nominate(s, ward=ward, wording="Speeding on Łódź Street", channel=Channel.ONLINE,
                                         support=23)  # fmt: skip
        p = priorities.propose(s, ward=ward, title="Speeding on Łódź Street", nomination=nomination)
        priorities.agree(s, priority=p, lead_agency=council, meeting=meeting)
        action = response.add_action(s, priority=p, description="Speed checks on Łódź Street",
                                     kind=ActionKind.ENFORCEMENT, owner_agency=council)  # fmt: skip
        response.complete_action(s, action=action, note="Speed checks on Łódź Street on four mornings")
    assert approve_leaflet_wording(vault, "W05000001", "2026-Q4") == 1  # the action's note
    leaflet = make(vault, "W05000001")
    text = text_of(leaflet.data)
    assert "Ynys Môn" in text and "Łódź Street" in text and "Cyngor Sir Ynys Môn" in text
    assert "DEMO" not in text and "Your Neighbourhood Policing Team" in text


def test_the_privacy_gate_catches_a_planted_name_and_phone_number(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000650", name="Astley Bridge", la_name="Bolton")
        member = people.create_person(s, full_name="Margaret Oduya", role=PersonRole.PANEL_MEMBER,
                                      phone="07700 900123")  # fmt: skip
        people.assign(s, ward=ward, person=member, role=PersonRole.PANEL_MEMBER)
        team = people.create_agency(s, name="Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        p = priorities.propose(
            s,
            ward=ward,
            title="Drugs in the park",
            public_issue="Margaret Oduya says drugs are sold in the park; call her on 07700 900123",
        )
        priorities.agree(s, priority=p, lead_agency=team, ratified_online=True)
        action = response.add_action(s, priority=p, description="Patrols", kind=ActionKind.ENFORCEMENT,
                                     owner_agency=team)  # fmt: skip
        response.complete_action(
            s, action=action, note="Patrols; car AB12 CDE stopped; reported by mrs.o@example.com"
        )
    with pytest.raises(PersonalDataFound) as refused:
        make(vault, "E05000650")
    message = refused.value.message
    assert message.startswith(
        "The leaflet for Astley Bridge was not made because some of its text is not cleared for public use:"
    )
    for planted in (
        "You said '[name removed] says drugs are sold in the park; ca…': holds "
        "'Margaret Oduya' (a name held as personal data), '07700 900123' (a phone number)",
        "'AB12 CDE' (a vehicle registration)",
        "'mrs.o@example.com' (an email address)",
    ):
        assert planted in message
    assert "Review public wording" in message


def test_small_numbers_are_suppressed_and_not_charted(vault: Vault) -> None:
    with vault.unit_of_work() as s:
        ward = wards.create_ward(s, code="E05000651", name="Bradshaw", la_name="Bolton")
        team = people.create_agency(s, name="Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        p = priorities.propose(s, ward=ward, title="Burglary")
        priorities.agree(s, priority=p, lead_agency=team, ratified_online=True)
        m = response.add_measure(s, priority=p, name="Burglaries", source="data.police.uk crime data",
                                 unit="crimes", baseline_period="Jul-Sep", baseline_value=7)  # fmt: skip
        response.record_result(s, measure=m, after_period="Oct-Dec", after_value=3)
    approve_leaflet_wording(vault, "E05000651", "2026-Q4")
    leaflet = make(vault, "E05000651")
    text = text_of(leaflet.data)
    assert "7 crimes (Jul-Sep), now fewer than 5 crimes (Oct-Dec)" in text
    assert "Before" not in text  # no chart when a figure is suppressed
    assert leaflet.content.show_ogl


def test_the_same_leaflet_is_the_same_file_and_is_recorded_once(demo_vault: Vault) -> None:
    priority = feedback_given(demo_vault)
    code = ward_code_of(demo_vault, priority)
    first, second = make(demo_vault, code), make(demo_vault, code)
    assert first.data == second.data and first.sha256 == second.sha256
    with demo_vault.unit_of_work() as s:
        assert record_distribution(s, content=first.content, file_hash=first.sha256, fmt_label="A4") is True
    with demo_vault.unit_of_work() as s:
        assert (
            record_distribution(s, content=second.content, file_hash=second.sha256, fmt_label="A4") is False
        )
    with demo_vault.reading() as s:
        leaflets = s.scalars(select(Feedback).where(Feedback.file_hash == first.sha256)).all()
    assert len(leaflets) == 1 and leaflets[0].channel is FeedbackChannel.LEAFLET


def test_the_force_name_and_logo_are_printed(vault: Vault, tmp_path: Path) -> None:
    from PIL import Image

    logo = io.BytesIO()
    Image.new("RGB", (64, 64), (18, 53, 91)).save(logo, "PNG")
    with vault.unit_of_work() as s:
        force.set_force(s, name="Greater Exampleshire Police", logo=logo.getvalue())
        ward = wards.create_ward(s, code="E05000652", name="Breightmet")
        team = people.create_agency(s, name="Neighbourhood Team", kind=AgencyKind.POLICE_TEAM)
        p = priorities.propose(s, ward=ward, title="Litter")
        priorities.agree(s, priority=p, lead_agency=team, ratified_online=True)
    leaflet = make(vault, "E05000652")
    reader = PdfReader(io.BytesIO(leaflet.data))
    assert "Greater Exampleshire Police" in text_of(leaflet.data)
    assert any(obj.get("/Subtype") == "/Image" for obj in reader.pages[0]["/Resources"]["/XObject"].values())
    with vault.unit_of_work() as s, pytest.raises(Exception, match="PNG or JPEG"):
        force.set_force(s, logo=b"GIF89a....")


@pytest.mark.parametrize("fmt", [LeafletFormat.A5, LeafletFormat.LARGE_PRINT])
def test_no_heading_is_left_at_the_foot_of_a_page(demo_vault: Vault, fmt: LeafletFormat) -> None:
    from commmatters_desktop.core.leaflets import wards_with_feedback

    with demo_vault.reading() as s:
        codes = wards_with_feedback(s, "2026-Q4")
    for code in codes:
        leaflet = make(demo_vault, code, fmt)
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(leaflet.data)).pages]
        content = leaflet.content
        starts = {
            "What happens next": (content.next_steps or ["The ward team will keep an eye on it"])[0][:25],
            "Get involved": content.next_meeting[:25],
            "What changed": content.figures[0].name[:20] if content.figures else None,
        }
        for heading, first_words in starts.items():
            if first_words is None:
                continue
            page = next(i for i, text in enumerate(pages) if heading in text)
            assert first_words in " ".join(pages[page].split()), (
                f"{code} {fmt}: '{heading}' left without its text"
            )
