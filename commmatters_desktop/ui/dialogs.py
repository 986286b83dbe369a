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


class _PassphraseDialog(QDialog):
    """What both passphrase dialogs share: an intro, a form, an error line and two buttons."""

    def __init__(self, name: str, title: str, intro_html: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.intro = QLabel(intro_html, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.error = QLabel(self)
        self.error.setObjectName(f"{name}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class UnlockDialog(_PassphraseDialog):
    """Asks for the recovery passphrase, saying why the keyring could not supply the key."""

    def __init__(self, folder: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "unlockDialog",
            "Unlock the vault",
            f"<p>Enter the recovery passphrase for the vault in <b>{folder}</b>.</p>"
            f"<p>It is needed because {reason}.</p>",
            "Unlock",
            parent,
        )
        self.intro.setObjectName("unlockReason")
        self.passphrase = _password_field(self, "unlockPassphrase", "Recovery passphrase")
        self.form.addRow("Recovery passphrase:", self.passphrase)
        self.buttons.accepted.connect(self.accept)

    def show_error(self, message: str) -> None:
        super().show_error(message)
        self.passphrase.selectAll()
        self.passphrase.setFocus()


class NewVaultDialog(_PassphraseDialog):
    """First run: choose the recovery passphrase for a new vault (typed twice)."""

    def __init__(self, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(
            "newVaultDialog",
            "Create your vault",
            f"<p>There is no vault in <b>{folder}</b> yet. Choose a recovery passphrase to create one.</p>"
            "<p>Your data is encrypted on this laptop. The key is kept in the system keyring; the recovery "
            "passphrase is the only other way in, so write it down and keep it somewhere safe.</p>"
            f"<p>Use at least {MIN_PASSPHRASE_LENGTH} characters: a few unrelated words work well.</p>",
            "Create vault",
            parent,
        )
        self.passphrase = _password_field(self, "newPassphrase", "New recovery passphrase")
        self.confirm = _password_field(self, "confirmPassphrase", "Type the recovery passphrase again")
        self.form.addRow("Recovery passphrase:", self.passphrase)
        self.form.addRow("Type it again:", self.confirm)
        self.buttons.accepted.connect(self._check)

    def _check(self) -> None:
        if len(self.passphrase.text().strip()) < MIN_PASSPHRASE_LENGTH:
            self.show_error(f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters.")
        elif self.passphrase.text() != self.confirm.text():
            self.show_error("The two passphrases are different.")
        else:
            self.accept()
