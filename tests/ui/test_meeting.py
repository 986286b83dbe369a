"""A ward panel meeting on the demo force: import a poll, prepare, run it on the projector, minutes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from commmatters_desktop.core.enums import NominationStatus, PriorityStatus
from commmatters_desktop.core.models import Nomination, Priority
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.meeting import MeetingPrep, MeetingView

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
def prep(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer_forms
) -> MeetingPrep:  # type: ignore[no-untyped-def]
    answers, _ = answer_forms
    window.ward_view.table.selectRow(0)  # Astley Bridge: its priority this quarter is agreed, so next quarter
    dialog = window.open_meeting()
    qtbot.addWidget(dialog)
    assert dialog.cycle.currentText() == "2027-Q1" and "E05000650" in dialog.ward.currentText()
    poll = tmp_path / "nextdoor-export.csv"
    poll.write_bytes(POLL.encode())
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(poll), ""))
    answers["Match the columns"] = {}  # accept the guessed mapping
    dialog.import_csv()
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
    monkeypatch: pytest.MonkeyPatch,
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
        agreed = s.scalars(
            select(Priority).where(Priority.title == "Drug dealing in the park, every evening")
        ).one()
        assert agreed.status is PriorityStatus.AGREED and agreed.meeting_id == view.meeting_id
        assert agreed.lead_agency is not None and agreed.lead_agency.name == "Bolton Neighbourhood Team"
    assert votes["Drug dealing in the "] == (14, NominationStatus.TAKEN_FORWARD)
    assert votes["Drugs in Queens Park"] == (6, NominationStatus.NOT_TAKEN_FORWARD)

    # The minutes: the decision and the counts, and no resident's name or number.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(tmp_path / "minutes.pdf"), ""))
    saved = prep.save_minutes()
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
    assert [c.title for c in agreed_cards] == ["Drug dealing in the park, every evening"]


def test_the_officer_can_redact_and_merge_before_the_meeting(
    prep: MeetingPrep, demo_vault: Vault, answer_forms
) -> None:  # type: ignore[no-untyped-def]
    answers, _ = answer_forms
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
    answers["Merge two nominations"] = {"keep": rows["Drug dealing in the park, every evening"].id,
                                        "absorb": rows["Drugs in Queens Park"].id}  # fmt: skip
    prep.merge()
    kept = next(r for r in model.rows() if r.wording.startswith("Drug dealing"))
    assert kept.combined_support == 21
    assert (
        next(r for r in model.rows() if r.wording == "Drugs in Queens Park").status is NominationStatus.MERGED
    )


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
