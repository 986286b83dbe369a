"""The recovery commands: ``restore`` a backup in place and ``salvage`` a damaged vault into a new one.

Kept apart from cli.py (registered by ``cli.build_parser``) so the everyday commands stay short.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.vault import PassphraseNeeded

if TYPE_CHECKING:
    from commmatters_desktop.cli import Context


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    restore = command(
        "restore",
        "put back the newest backup from the vault's backups folder (or FILE); the replaced database is kept",
        cmd_restore,
    )
    restore.add_argument("file", nargs="?", type=Path, help="a backup to restore instead of the newest")
    salvage = command(
        "salvage",
        "copy every row still readable in a damaged vault into a new vault in FOLDER",
        cmd_salvage,
    )
    salvage.add_argument("target", type=Path, metavar="FOLDER", help="where to create the new vault")


def _with_passphrase(ctx: Context, action: Callable[[str | None], Any]) -> Any:
    """Run with the keyring's key, asking for the recovery passphrase only if the keyring cannot help."""
    try:
        return action(None)
    except PassphraseNeeded as needed:
        passphrase = ctx.passphrase(reason=needed.reason)
        if passphrase is None:
            raise
        return action(passphrase)


def cmd_restore(ctx: Context) -> int:
    from commmatters_desktop.storage.recovery import restore

    result = _with_passphrase(
        ctx,
        lambda passphrase: restore(
            ctx.folder, keystore=ctx.keystore, passphrase=passphrase, backup=ctx.args.file, clock=ctx.clock
        ),
    )
    ctx.emit(
        {
            "restored": str(result.backup),
            "kept_aside": str(result.kept_aside) if result.kept_aside else None,
            "vault_file_restored": result.vault_file_restored,
        },
        lambda: "\n".join(
            [f"Restored {result.backup.name} into {ctx.folder}."]
            + (
                [f"The vault's key file was put back from {result.backup.parent}."]
                if result.vault_file_restored
                else []
            )
            + (
                [f"The database it replaced is kept as {result.kept_aside.name}."]
                if result.kept_aside
                else []
            )
            + [
                "Changes made since that backup are not in it: sync now, and whatever this laptop had sent "
                "(and everything from colleagues) comes back from the shared folder."
            ]
        ),
    )
    return 0


def cmd_salvage(ctx: Context) -> int:
    from commmatters_desktop.storage.recovery import salvage

    passphrase = ctx.passphrase()
    if passphrase is None:
        raise UserError(
            "Salvage needs the vault's recovery passphrase (it protects the new vault too): set "
            "COMMMATTERS_PASSPHRASE or use --passphrase-file."
        )
    result = salvage(
        ctx.folder, ctx.args.target, keystore=ctx.keystore, passphrase=passphrase, clock=ctx.clock
    )
    total = sum(result.copied.values())
    ctx.emit(
        {"folder": str(result.folder), "copied": result.copied, "damaged_tables": result.damaged},
        lambda: "\n".join(
            [f"Copied {total} rows still readable into a new vault in {result.folder}."]
            + (
                [f"Some rows of {', '.join(result.damaged)} could not be read and are missing."]
                if result.damaged
                else ["Every table was read in full."]
            )
            + [
                f"Use it with --data-dir {result.folder}; its first sync takes back from the shared folder what "
                "the damage lost. The damaged vault was not changed."
            ]
        ),
    )
    return 0
