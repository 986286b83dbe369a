"""Drive the app's real modal dialogs as a user would: find the modal, fill it, press its button.

Nothing here replaces a dialog. A repeating timer watches ``QApplication.activeModalWidget()`` while
the app sits in the dialog's own event loop; each modal that appears takes the next queued answer.
A modal nobody expected is closed and fails the test, so a journey cannot pass by skipping a question
the officer would have been asked.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QWidget,
)
from pytestqt.qtbot import QtBot

from commmatters_desktop.ui.forms import FormDialog
from commmatters_desktop.ui.widgets import ChoiceCombo

Handler = Callable[[QWidget], None]
_MET = "metByTheTestDriver"
#: Dialogs that ask the user something: one of these appearing unasked-for fails the test.
QUESTIONS = (QMessageBox, FormDialog, QFileDialog, QInputDialog)


def _plain(text: str) -> str:
    return text.replace("&", "").strip().casefold()


def dialog_text(modal: QWidget) -> str:
    """What the dialog says: its title, and a message box's text (for assertions and failures)."""
    body = modal.text() if isinstance(modal, QMessageBox) else ""
    return f"{modal.windowTitle()}: {body}" if body else modal.windowTitle()


@dataclass
class Dialogs:
    """The queue of answers for the dialogs a journey expects, in the order it meets them."""

    qtbot: QtBot
    answers: deque[tuple[str, Handler]] = field(default_factory=deque)
    #: Every modal met, as "title: text", in order.
    seen: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Answer every dialog nobody queued an answer for, as a careless user would (see :meth:`_autopilot`).
    autopilot: Path | None = None

    def __post_init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    # --- queueing answers --------------------------------------------------------------------------------

    def expect(self, title: str, handler: Handler) -> Dialogs:
        """The next modal's title starts with ``title`` (any case); ``handler`` answers it."""
        self.answers.append((title, handler))
        return self

    def form(self, title: str, values: dict[str, Any] | None = None, *, ok: bool = True) -> Dialogs:
        """Fill a FormDialog field by field (typing into text boxes, picking combo labels) and press OK."""
        return self.expect(title, lambda modal: self._fill_form(modal, values or {}, ok))

    def reason(self, title: str, text: str) -> Dialogs:
        return self.form(title, {"reason": text})

    def press(self, title: str, button_text: str) -> Dialogs:
        """Press the button labelled ``button_text`` on a message box (or any dialog)."""
        return self.expect(title, lambda modal: self._press(modal, button_text))

    def cancel(self, title: str) -> Dialogs:
        return self.expect(
            title, lambda modal: modal.reject() if isinstance(modal, QDialog) else modal.close()
        )

    def file(self, title: str, path: Path) -> Dialogs:
        """Choose ``path`` in Qt's own file dialog (a file to open or save, or a folder) and accept."""

        def choose(modal: QWidget) -> None:
            assert isinstance(modal, QFileDialog), f"expected a file dialog, got {dialog_text(modal)!r}"
            if modal.fileMode() == QFileDialog.FileMode.Directory:
                modal.setDirectory(str(path.parent))
            modal.selectFile(str(path))
            modal.accept()

        return self.expect(title, choose)

    # --- checks ------------------------------------------------------------------------------------------

    def done(self) -> None:
        """Every queued answer used and nothing unexpected met; waits for the last dialog to go."""
        self.qtbot.waitUntil(lambda: not self.answers or bool(self.errors), timeout=10_000)
        assert not self.errors, "\n".join(self.errors)
        self.qtbot.waitUntil(lambda: not isinstance(self._open_modal(), QUESTIONS), timeout=5_000)

    def wait_for(self, count: int) -> None:
        """Wait until ``count`` dialogs have been met (for dialogs opened from a timer)."""
        self.qtbot.waitUntil(lambda: len(self.seen) >= count or bool(self.errors), timeout=10_000)

    def stop(self) -> None:
        self.timer.stop()

    # --- answering ---------------------------------------------------------------------------------------

    def _open_modal(self) -> QWidget | None:
        modal = QApplication.activeModalWidget()
        return modal if modal is not None and modal.isVisible() else None

    def _poll(self) -> None:
        modal = self._open_modal()
        # Marked on the widget itself: an id() would be reused by the next dialog at the same address.
        if modal is None or modal.property(_MET):
            return
        if isinstance(modal, QProgressDialog) and not (
            self.answers and _plain(modal.windowTitle()).startswith(_plain(self.answers[0][0]))
        ):
            return  # progress shows and goes by itself; answer it only when the test says so
        modal.setProperty(_MET, True)
        said = dialog_text(modal)
        self.seen.append(said)
        if "something went wrong" in said.casefold():
            self.errors.append(f"the app failed: {said!r}")
            self._close(modal)
            return
        if not self.answers and self.autopilot is not None:
            self._autopilot(modal)
            return
        if not self.answers:
            if isinstance(modal, QUESTIONS):
                self.errors.append(f"a dialog nobody expected: {said!r}")
                self._close(modal)
            return  # one of the app's own windows the test opened itself (a preview, the meeting)
        title, handler = self.answers.popleft()
        if not _plain(modal.windowTitle()).startswith(_plain(title)):
            self.errors.append(f"expected a dialog titled {title!r}, met {said!r}")
            self._close(modal)
            return
        try:
            handler(modal)
        except Exception as exc:  # a failed answer must not leave the app stuck in the dialog
            self.errors.append(f"answering {said!r}: {type(exc).__name__}: {exc}")
            self._close(modal)

    def _autopilot(self, modal: QWidget) -> None:
        """Fill and accept forms (typing into required fields), save files into the autopilot folder,
        open nothing, press a message box's default button, and close the app's own windows."""
        assert self.autopilot is not None
        if isinstance(modal, FormDialog):
            for spec in modal.fields:
                widget = modal.widgets[spec.key]
                if spec.required and isinstance(widget, QLineEdit | QPlainTextEdit):
                    if not (widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()).strip():
                        typed = "21/11/2026" if spec.kind.value == "date" else "Checked by the autopilot"
                        self.qtbot.keyClicks(widget, typed)
                if spec.required and isinstance(widget, ChoiceCombo) and widget.value() is None:
                    widget.setCurrentIndex(widget.count() - 1)
            buttons = modal.findChild(QDialogButtonBox)
            assert buttons is not None
            buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            if modal.isVisible():
                modal.reject()
        elif isinstance(modal, QFileDialog):
            if modal.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
                modal.selectFile(str(self.autopilot / f"saved-{len(self.seen)}"))
                modal.accept()
            elif modal.fileMode() == QFileDialog.FileMode.Directory:
                modal.setDirectory(str(self.autopilot))
                modal.selectFile(str(self.autopilot))
                modal.accept()
            else:
                modal.reject()
        elif isinstance(modal, QMessageBox):
            chosen = modal.defaultButton() or modal.escapeButton()
            if chosen is not None:
                chosen.click()
            else:
                modal.accept()
        else:
            self._close(modal)

    @staticmethod
    def _close(modal: QWidget) -> None:
        if isinstance(modal, QDialog):
            modal.reject()
        else:
            modal.close()

    def _fill_form(self, modal: QWidget, values: dict[str, Any], ok: bool) -> None:
        assert isinstance(modal, FormDialog), f"expected a form, got {dialog_text(modal)!r}"
        for key, value in values.items():
            widget = modal.widgets[key]
            if isinstance(widget, ChoiceCombo):
                picked = widget.select_label(value) if isinstance(value, str) else widget.select(value)
                assert picked, (
                    f"{key}: no choice {value!r} in {[widget.itemText(i) for i in range(widget.count())]}"
                )
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.clear()
                self.qtbot.keyClicks(widget, str(value))
            elif isinstance(widget, QLineEdit):
                widget.clear()
                self.qtbot.keyClicks(widget, str(value))
        if ok:
            buttons = modal.findChild(QDialogButtonBox)
            assert buttons is not None
            buttons.button(QDialogButtonBox.StandardButton.Ok).click()
            if modal.isVisible():  # the form refused what was typed: say what it said
                error = modal.error.text()
                modal.reject()
                raise AssertionError(f"the form refused the answer: {error}")
        else:
            modal.reject()

    @staticmethod
    def _press(modal: QWidget, button_text: str) -> None:
        wanted = _plain(button_text)
        for candidate in modal.findChildren(QAbstractButton):
            if _plain(candidate.text()) == wanted and candidate.isVisible():
                candidate.click()
                return
        shown = [b.text() for b in modal.findChildren(QAbstractButton) if b.isVisible()]
        raise AssertionError(f"no button {button_text!r} on {dialog_text(modal)!r}; buttons: {shown}")
