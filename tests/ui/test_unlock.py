"""Unlocking when the keyring cannot help, and creating a vault on first run, typed as a person would."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.ui.application import unlock
from commmatters_desktop.ui.dialogs import NewVaultDialog, UnlockDialog
from tests.conftest import PASSPHRASE, MemoryKeyring


def test_unlock_asks_until_the_passphrase_is_right(
    qtbot: QtBot, vault_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.secrets.clear()
    attempts = iter(["wrong passphrase here", PASSPHRASE])
    seen: list[tuple[str, str]] = []

    def ask(folder: str, reason: str, error: str) -> str | None:
        dialog = UnlockDialog(folder, reason)
        qtbot.addWidget(dialog)
        if error:
            dialog.show_error(error)
        seen.append((reason, dialog.error.text()))
        qtbot.keyClicks(dialog.passphrase, next(attempts))
        return dialog.passphrase.text()

    vault = unlock(vault_dir, keystore=KeyringStore(), ask=ask)
    assert vault is not None and vault.key_source == "passphrase"
    vault.close()
    assert seen == [
        ("the system keyring has no key for this vault", ""),
        (
            "the system keyring has no key for this vault",
            "That recovery passphrase does not unlock this vault. Check Caps Lock and try again; nothing was changed.",
        ),
    ]


def test_unlock_is_silent_when_the_keyring_has_the_key(vault_dir: Path) -> None:
    def ask(*_: str) -> str | None:
        raise AssertionError("should not ask")

    vault = unlock(vault_dir, keystore=KeyringStore(), ask=ask)
    assert vault is not None
    vault.close()


def test_cancelling_unlock_opens_nothing(vault_dir: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.secrets.clear()
    assert unlock(vault_dir, keystore=KeyringStore(), ask=lambda *_: None) is None


def test_the_unlock_dialog_masks_the_passphrase_and_says_why(qtbot: QtBot) -> None:
    dialog = UnlockDialog("/data/vault", "the system keyring is locked")
    qtbot.addWidget(dialog)
    dialog.show()
    from PySide6.QtWidgets import QLabel

    reason = dialog.findChild(QLabel, "unlockReason")
    assert reason is not None and "because the system keyring is locked" in reason.text()
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    assert dialog.passphrase.accessibleName() == "Recovery passphrase"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClicks(dialog.passphrase, "anything at all")
        qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)


def test_the_new_vault_dialog_checks_length_and_match(qtbot: QtBot) -> None:
    dialog = NewVaultDialog("/data/vault")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "short")
    qtbot.keyClicks(dialog.confirm, "short")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert dialog.isVisible() and "at least 10 characters" in dialog.error.text()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE + "x")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.error.text() == "The two passphrases are different."
    dialog.confirm.setText(PASSPHRASE)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
