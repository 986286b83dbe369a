"""Auto-lock: after a spell with no keyboard or mouse, the window hides its content until unlocked.

The content widgets are only hidden, never rebuilt, so nothing typed is lost; anything typed but
not yet saved is saved before the lock shows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

DEFAULT_MINUTES = 5
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits :attr:`idle` once the whole application has seen no input for ``interval_ms``."""

    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(int(minutes * 60_000))
        self.timer.start()

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()


class LockScreen(QWidget):
    unlock_requested = Signal(str)

    def __init__(self, minutes: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        heading = QLabel("Locked", self)
        heading.setStyleSheet("font-size: 24pt; font-weight: bold;")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain = QLabel(self)
        self.set_minutes(minutes)
        self.explain.setWordWrap(True)
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = QLineEdit(self)
        self.passphrase.setObjectName("lockPassphrase")
        self.passphrase.setAccessibleName("Recovery passphrase to unlock")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self._submit)
        self.button = QPushButton("Unlock", self)
        self.button.setObjectName("lockUnlock")
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self._submit)
        self.error = QLabel(self)
        self.error.setObjectName("lockError")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error.setWordWrap(True)
        # A wrapped label given an alignment in a layout is squeezed to its narrowest and cut off:
        # the text sits in a column of its own width instead, centred by stretches either side.
        column = QVBoxLayout()
        for widget in (heading, self.explain, self.passphrase, self.button, self.error):
            column.addWidget(widget)
        self.passphrase.setMaximumWidth(520)
        column.setAlignment(self.passphrase, Qt.AlignmentFlag.AlignHCenter)
        column.setAlignment(self.button, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(column, 4)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def set_minutes(self, minutes: float) -> None:
        self.explain.setText(
            f"The window locks itself after {minutes:g} minutes without use, so nobody passing can read it. "
            "Your work is kept exactly as you left it. Type the recovery passphrase to carry on."
        )

    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text())

    def reset(self) -> None:
        self.passphrase.clear()
        self.error.clear()
        self.passphrase.setFocus()

    def refuse(self) -> None:
        self.error.setText("That is not the recovery passphrase. Check Caps Lock and try again.")
        self.passphrase.selectAll()
        self.passphrase.setFocus()
