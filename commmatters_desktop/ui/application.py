"""Starting the window: open (or create) the vault, asking for a passphrase only when needed."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from commmatters_desktop import APP_NAME, APP_TITLE, __version__, cli, paths
from commmatters_desktop.core.clock import Clock, SystemClock
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.keystore import KeyringStore, KeyStore, WrongPassphrase
from commmatters_desktop.storage.vault import PassphraseNeeded, Vault, vault_exists
from commmatters_desktop.ui.dialogs import NewVaultDialog, UnlockDialog
from commmatters_desktop.ui.settings import ORGANISATION
from commmatters_desktop.ui.startup import smoke_after_shown

#: (folder, reason, error from the last try or "") → passphrase, or None when the user cancels.
AskPassphrase = Callable[[str, str, str], str | None]


def ask_with_dialog(parent: QWidget | None = None) -> AskPassphrase:
    dialog: UnlockDialog | None = None

    def ask(folder: str, reason: str, error: str) -> str | None:
        nonlocal dialog
        if dialog is None:
            dialog = UnlockDialog(folder, reason, parent)
        if error:
            dialog.show_error(error)
        return dialog.passphrase.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    return ask


def unlock(
    folder: Path, *, keystore: KeyStore, ask: AskPassphrase, clock: Clock | None = None
) -> Vault | None:
    """Open silently with the keyring; otherwise ask until the passphrase is right or the user cancels."""
    try:
        return Vault.open(folder, keystore=keystore, clock=clock)
    except PassphraseNeeded as needed:
        reason = needed.reason
    error = ""
    while True:
        passphrase = ask(str(folder), reason, error)
        if passphrase is None:
            return None
        try:
            return Vault.open(folder, keystore=keystore, passphrase=passphrase, clock=clock)
        except WrongPassphrase as wrong:
            error = wrong.message


def open_for_window(folder: Path, *, demo: bool, keystore: KeyStore, clock: Clock) -> Vault | None:
    if demo:
        from commmatters_desktop.demo import open_demo

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return open_demo(folder, clock=clock)
        finally:
            QApplication.restoreOverrideCursor()
    if not vault_exists(folder):
        dialog = NewVaultDialog(str(folder))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return Vault.create(folder, passphrase=dialog.passphrase.text(), keystore=keystore, clock=clock)
    return unlock(folder, keystore=keystore, ask=ask_with_dialog(), clock=clock)


def _install_excepthook() -> None:
    """An unexpected error becomes a one-line message and a log file, never a traceback on screen."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        import platformdirs

        log = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)) / "crash.log"
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8") as handle:
                handle.write("".join(traceback.format_exception(kind, error, tb)) + "\n")
        except OSError:
            pass
        message = (
            error.message
            if isinstance(error, UserError)
            else (
                f"Something went wrong ({kind.__name__}: {error}). Your saved work is safe. "
                f"Details were written to {log}; please send that file to the team."
            )
        )
        QMessageBox.critical(None, APP_TITLE, message)

    sys.excepthook = hook


def run_gui(argv: list[str], *, keystore: KeyStore | None = None, clock: Clock | None = None) -> int:
    parser = cli.build_parser()
    args, _unknown = parser.parse_known_args(argv)
    demo = bool(getattr(args, "demo", False))
    chosen = getattr(args, "data_dir", None)
    folder = (
        chosen.expanduser().resolve()
        if chosen
        else (paths.default_demo_dir() if demo else paths.default_data_dir())
    )

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(ORGANISATION)
    _install_excepthook()

    clock = clock or SystemClock()
    try:
        vault = open_for_window(folder, demo=demo, keystore=keystore or KeyringStore(), clock=clock)
    except UserError as exc:
        QMessageBox.critical(None, APP_TITLE, exc.message)
        return 1
    if vault is None:
        return 1
    from commmatters_desktop.ui.main_window import MainWindow

    with vault:
        window = MainWindow(vault, clock=clock)
        window.show()
        smoke_after_shown(window)
        return int(app.exec())
