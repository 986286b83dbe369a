"""A ward panel meeting on the demo force: import a poll, prepare, run it on the projector, minutes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from commmatters_desktop.core.enums import NominationStatus, PriorityStatus
from commmatters_desktop.core.models import Nomination, PanelMeeting, Priority, Ward
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.meeting import MeetingPrep, MeetingView
from tests.ui.driver import Dialogs

POLL = (
    "\ufeffReference,Ward_Code,WORDING,Support,Source,Date\r\n"
    'NX-1,E05000650,"Drug dealing in the park, every evening",12 votes,Nextdoor poll,2026-12-01\r\n'
    "NX-2,E05000650,Drugs in Queens Park,9,Nextdoor,01/12/2026\r\n"
    "\r\n"
    'NX-3,E05000650,"Call Margaret Oduya on 07700 900123, she knows the bikers",3,online,2026-12-02\r\n'
    "NX-4,E05000650,Speeding,lots,online,2026-12-02\r\n"
)
PERSONAL = ("Margaret", "Oduya", "07700", "900123")


@pytest.fixture
def prep(window: MainWindow, qtbot: QtBot, tmp_path: Path, dialogs: Dialogs) -> MeetingPrep:
    window.ward_view.table.selectRow(0)  # Astley Bridge: its priority this quarter is agreed, so next quarter
    dialog = window.wards.open_meeting()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert dialog.cycle.currentText() == "2027-Q1" and "E05000650" in dialog.ward.currentText()
    poll = tmp_path / "nextdoor-export.csv"
    poll.write_bytes(POLL.encode())
    dialogs.file("Import nominations", poll).form("Match the columns")  # accept the guessed mapping
    dialog.import_csv()
    dialogs.done()
    assert dialog.message.text().startswith("nextdoor-export.csv: 3 added, 0 merged, 1 skipped.")
    assert "line 6: the support 'lots' is not a number" in dialog.message.text()
    return dialog


def texts(widget: QWidget) -> str:
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_a_whole_meeting_from_poll_to_minutes(
    window: MainWindow,
    prep: MeetingPrep,
    qtbot: QtBot,
    demo_vault: Vault,
    tmp_path: Path,
    dialogs: Dialogs,
) -> None:
    prep.venue.setText("Astley Bridge Library")
    prep.attendance.setValue(23)
    # Nothing reaches the projector before the officer approves its public wording.
    assert prep.start_meeting() is None
    assert "not cleared for public use" in prep.message.text() and "Nomination 1" in prep.message.text()
    assert prep.save_minutes() is None
    prep.approve_suggested()
    assert all(r.approved for r in prep.model.rows())
    view = prep.start_meeting()
    assert view is not None and view.objectName() == "meetingView"
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    seen: list[str] = []
    assert "23 people here tonight" in texts(view)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # last quarter's result
    assert "You said:" in texts(view) and "We did:" in texts(view)
    seen.append(texts(view))
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the nominations
    assert "Drugs in Queens Park" in texts(view) and "[name removed] on [number removed]" in texts(view)
    seen.append(texts(view))
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the vote: first nomination selected
    qtbot.keyClicks(view, "14")
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClicks(view, "6")
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClicks(view, "2")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    seen.append(texts(view))
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the decision: the most votes is proposed
    assert "Drug dealing in the park, every evening" in texts(view)
    assert "Lead agency: <b>Bolton Neighbourhood Team</b>" in view.body.text()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "Press Enter again" in view.body.text()
    with qtbot.waitSignal(view.decided):
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "The panel agreed" in view.body.text()
    seen.append(texts(view))
    qtbot.keyClick(view, Qt.Key.Key_Right)
    seen.append(texts(view))
    for text in seen:
        for personal in PERSONAL:
            assert personal not in text, f"'{personal}' reached the public screen"

    with demo_vault.reading() as s:
        votes = {n.wording[:20]: (n.votes, n.status) for n in s.scalars(select(Nomination).where(
            Nomination.source_ref.like("NX-%")))}  # fmt: skip
        agreed = s.scalars(select(Priority).where(Priority.title == "Drug dealing in the park")).one()
        assert agreed.status is PriorityStatus.AGREED and agreed.meeting_id == view.meeting_id
        assert agreed.lead_agency is not None and agreed.lead_agency.name == "Bolton Neighbourhood Team"
    assert votes["Drug dealing in the "] == (14, NominationStatus.TAKEN_FORWARD)
    assert votes["Drugs in Queens Park"] == (6, NominationStatus.NOT_TAKEN_FORWARD)

    # The minutes: the decision and the counts, and no resident's name or number.
    dialogs.file("Save the minutes", tmp_path / "minutes.pdf")
    saved = prep.save_minutes()
    dialogs.done()
    assert saved is not None
    text = " ".join(page.extract_text() for page in PdfReader(saved).pages)
    for expected in ("Ward panel meeting: Astley Bridge", "Attendance: 23", "Drug dealing in the park",
                     "Bolton Neighbourhood Team", "Not taken forward: Not chosen by the ward panel's vote (6 votes)",
                     "[name removed]", "DEMO"):  # fmt: skip
        assert expected in " ".join(text.split()), expected
    for personal in PERSONAL:
        assert personal not in text

    # The board now shows the new priority as Agreed, in the next quarter.
    window.board.cycle.setCurrentText("2027-Q1")
    agreed_cards = [c for c in window.board.model.cards() if c.status is PriorityStatus.AGREED]
    assert [c.title for c in agreed_cards] == ["Drug dealing in the park"]


def test_the_officer_can_redact_and_merge_before_the_meeting(
    prep: MeetingPrep, demo_vault: Vault, dialogs: Dialogs
) -> None:
    model = prep.model
    masked = next(r for r in range(model.rowCount()) if model.row_at(r).masked)
    assert not model.row_at(masked).approved and "Oduya" in model.row_at(masked).suspects[0]
    model.setData(model.index(masked, 0), "Off-road bikes on the estate")
    assert any(r.display == "Off-road bikes on the estate" and r.approved for r in model.rows())
    # The rest are approved from the review dialog, with the masked drafts it suggests.
    dialog = prep.review_wording()
    assert dialog is not None
    drafts = [d.text() for _r, d, _b in dialog.drafts]  # type: ignore[attr-defined]
    assert "Drug dealing in the park, every evening" in drafts
    dialog.approve_all()  # type: ignore[attr-defined]
    dialog.accept()
    assert prep.agenda().pending == []  # type: ignore[union-attr]
    rows = {r.wording: r for r in model.rows()}
    dialogs.form("Merge two nominations", {"keep": rows["Drug dealing in the park, every evening"].id,
                                           "absorb": rows["Drugs in Queens Park"].id})  # fmt: skip
    prep.merge()
    dialogs.done()
    kept = next(r for r in model.rows() if r.wording.startswith("Drug dealing"))
    assert kept.combined_support == 21
    assert (
        next(r for r in model.rows() if r.wording == "Drugs in Queens Park").status is NominationStatus.MERGED
    )
    prep.ops.stack.undo()  # merged in error: apart again, and merged again on redo
    assert next(r for r in model.rows() if r.wording.startswith("Drug dealing")).combined_support < 21
    prep.ops.stack.redo()
    assert next(r for r in model.rows() if r.wording.startswith("Drug dealing")).combined_support == 21


def test_a_second_decision_for_the_same_quarter_is_refused_on_screen(prep: MeetingPrep, qtbot: QtBot) -> None:
    prep.approve_suggested()
    view = prep.start_meeting()
    assert view is not None
    qtbot.addWidget(view)
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "The panel agreed" in view.body.text()
    second = MeetingView(prep.ops, prep.clock, view.meeting_id)
    qtbot.addWidget(second)
    for _ in range(4):
        qtbot.keyClick(second, Qt.Key.Key_Right)
    assert "The panel agreed" in second.body.text()  # already decided: shown, not asked again


def test_escape_leaves_meeting_mode(prep: MeetingPrep, qtbot: QtBot) -> None:
    prep.approve_suggested()
    view = prep.start_meeting()
    assert view is not None
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_digits_on_the_welcome_are_the_attendance_never_a_vote(
    window: MainWindow, prep: MeetingPrep, qtbot: QtBot, demo_vault: Vault, tmp_path: Path, dialogs: Dialogs
) -> None:
    prep.attendance.setValue(5)
    prep.approve_suggested()
    view = prep.start_meeting()
    assert view is not None
    qtbot.addWidget(view)
    qtbot.keyClicks(view, "31")  # the officer counts the room on the projector
    assert "31 people here tonight" in re.sub("<[^>]+>", "", view.body.text())
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right)  # to the vote
    vote = re.sub("<[^>]+>", "", view.body.text())
    assert "31 hands" not in vote and "evening (12: online) not counted yet" in vote
    qtbot.keyClick(view, Qt.Key.Key_Right)  # on to the decision without typing a count
    with demo_vault.reading() as s:
        noms = s.scalars(select(Nomination).where(Nomination.source_ref.like("NX-%"))).all()
        assert all(n.votes is None for n in noms), "no digit from the welcome became a vote"
        assert s.get(PanelMeeting, view.meeting_id).attendance == 31  # type: ignore[union-attr]
    # The preparation screen now shows 31, so printing the minutes there keeps the projector's count.
    assert prep.attendance.value() == 31
    dialogs.file("Save the minutes", tmp_path / "minutes.pdf")
    saved = prep.save_minutes()
    dialogs.done()
    assert saved is not None and "Attendance: 31" in " ".join(
        PdfReader(saved).pages[0].extract_text().split()
    )


def test_the_decision_leaves_one_priority_takes_a_short_title_and_can_be_undone(
    window: MainWindow, prep: MeetingPrep, qtbot: QtBot, demo_vault: Vault
) -> None:
    # A candidate already on the board for the ward's quarter, proposed from another nomination.
    with demo_vault.unit_of_work() as s:
        from commmatters_desktop.core.services import priorities

        other = s.scalars(select(Nomination).where(Nomination.source_ref == "NX-2")).one()
        candidate = priorities.propose(
            s,
            ward=s.get(Ward, other.ward_id),
            title="Queens Park",
            nomination=other,  # type: ignore[arg-type]
        ).id
    prep.approve_suggested()
    view = prep.start_meeting()
    assert view is not None
    qtbot.addWidget(view)
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert "Short title: <b>Drug dealing in the park</b>" in view.body.text()
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # to the lead agency
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # to the title
    for _ in range(len("Drug dealing in the park")):
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    qtbot.keyClicks(view, "Drugs in the park")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "The panel agreed: <b>Drugs in the park</b>" in view.body.text()

    def quarter(s: Session) -> list[tuple[str, PriorityStatus]]:
        ward_id = s.get(Nomination, other_id).ward_id  # type: ignore[union-attr]
        rows = s.scalars(select(Priority).where(Priority.ward_id == ward_id, Priority.deleted.is_(False),
                                                Priority.cycle_id == s.get(Nomination, other_id).cycle_id))  # type: ignore[union-attr]  # fmt: skip
        return sorted((p.title, p.status) for p in rows)

    with demo_vault.reading() as s:
        other_id = s.scalars(select(Nomination).where(Nomination.source_ref == "NX-2")).one().id
        assert quarter(s) == [
            ("Drugs in the park", PriorityStatus.AGREED),
            ("Queens Park", PriorityStatus.NOT_TAKEN_FORWARD),
        ]
    window.board.cycle.setCurrentText("2027-Q1")
    ward_cards = [c for c in window.board.model.cards() if c.ward_code == "E05000650"]
    shown = [c for c in ward_cards if c.status is not PriorityStatus.NOT_TAKEN_FORWARD]
    assert [c.title for c in shown] == ["Drugs in the park"], "the ward shows one priority, not two"
    # Recorded in error: undo takes the whole decision back.
    window.actions_.undo.trigger()
    with demo_vault.reading() as s:
        assert quarter(s) == [("Queens Park", PriorityStatus.NOMINATED)]
        assert s.get(Priority, candidate).status is PriorityStatus.NOMINATED  # type: ignore[union-attr]
        opened = s.scalars(select(Nomination).where(Nomination.source_ref.like("NX-%"))).all()
        assert {n.status for n in opened} == {NominationStatus.OPEN}
    window.actions_.redo.trigger()  # and recorded again
    with demo_vault.reading() as s:
        assert ("Drugs in the park", PriorityStatus.AGREED) in quarter(s)


def test_a_long_list_pages_on_the_projector(prep: MeetingPrep, qtbot: QtBot, demo_vault: Vault) -> None:
    with demo_vault.unit_of_work() as s:
        from commmatters_desktop.core.enums import Channel
        from commmatters_desktop.core.services import engagement

        ward = s.get(Ward, prep.ward_id)
        for n in range(14):
            engagement.nominate(s, ward=ward, wording=f"Issue number {n + 1} raised at the door",  # type: ignore[arg-type]
                                channel=Channel.PANEL, support=1, cycle="2027-Q1")  # fmt: skip
    prep.reload_table()
    prep.approve_suggested()
    view = prep.start_meeting()
    assert view is not None
    qtbot.addWidget(view)
    view.showNormal()
    view.resize(1366, 768)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # the nominations, page 1
    assert "Page 1 of" in view.body.text()
    assert view.body.heightForWidth(view.body.width()) <= view.body.height(), "page 1 fits the screen"
    first = view.body.text()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # page 2, still the nominations stage
    assert view.stage == 2 and "Page 2 of" in view.body.text() and view.body.text() != first
