"""Unlocking and creating vaults: the only places a passphrase is typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from commmatters_desktop.storage.keystore import MIN_PASSPHRASE_LENGTH


def _password_field(parent: QWidget, name: str, accessible: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setAccessibleName(accessible)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


class UnlockDialog(QDialog):
    """Asks for the recovery passphrase, saying why the keyring could not supply the key."""

    def __init__(self, folder: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unlockDialog")
        self.setWindowTitle("Unlock the vault")
        intro = QLabel(
            f"<p>Enter the recovery passphrase for the vault in <b>{folder}</b>.</p>"
            f"<p>It is needed because {reason}.</p>",
            self,
        )
        intro.setObjectName("unlockReason")
        intro.setWordWrap(True)
        self.passphrase = _password_field(self, "unlockPassphrase", "Recovery passphrase")
        self.error = QLabel(self)
        self.error.setObjectName("unlockError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Unlock")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Recovery passphrase:", self.passphrase)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()


class NewVaultDialog(QDialog):
    """First run: choose the recovery passphrase for a new vault (typed twice)."""

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newVaultDialog")
        self.setWindowTitle("Create your vault")
        intro = QLabel(
            f"<p>There is no vault in <b>{folder}</b> yet. Choose a recovery passphrase to create one.</p>"
            "<p>Your data is encrypted on this laptop. The key is kept in the system keyring; the recovery "
            "passphrase is the only other way in, so write it down and keep it somewhere safe.</p>"
            f"<p>Use at least {MIN_PASSPHRASE_LENGTH} characters: a few unrelated words work well.</p>",
            self,
        )
        intro.setWordWrap(True)
        self.passphrase = _password_field(self, "newPassphrase", "New recovery passphrase")
        self.confirm = _password_field(self, "confirmPassphrase", "Type the recovery passphrase again")
        self.error = QLabel(self)
        self.error.setObjectName("newVaultError")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create vault")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Recovery passphrase:", self.passphrase)
        form.addRow("Type it again:", self.confirm)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if len(self.passphrase.text().strip()) < MIN_PASSPHRASE_LENGTH:
            self.show_error(f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters.")
        elif self.passphrase.text() != self.confirm.text():
            self.show_error("The two passphrases are different.")
        else:
            self.accept()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
