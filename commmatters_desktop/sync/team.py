"""The team: its key (joined or founded with the passphrase), its folder, leaving it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.models import (
    VaultMeta,
)
from commmatters_desktop.core.services import laptops
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync import files
from commmatters_desktop.sync.files import TeamKeys
from commmatters_desktop.sync.state import (
    EXPORTED_META,
    FOLDER_META,
    LAST_SYNC_META,
    NEXT_FILE_META,
    TEAM_META,
    TEAM_PASSPHRASE_ENV,
    FolderUnreachable,
)

# --- the team key -----------------------------------------------------------------------------------------


def team_keys(vault: Vault, folder: Path, passphrase: str | None) -> TeamKeys:
    """The team's keys: from this vault, or by joining (or founding) the team with the passphrase."""
    local_text = vault.meta(TEAM_META)
    local = TeamKeys.from_meta(local_text) if local_text else None
    data = _team_file(folder)
    if data is None:
        if local is not None:
            raise UserError(
                f"The shared folder {folder} has no team file, but this laptop belongs to a team. "
                "Check you chose the right folder (and that it is plugged in); nothing was changed. To start "
                "a new team there instead, run 'sync --leave' first."
            )
        if not passphrase:
            raise UserError(
                f"Choose a team passphrase to start syncing in {folder}: set {TEAM_PASSPHRASE_ENV} or "
                "use --team-passphrase-file, and share it with colleagues in person."
            )
        try:
            team = files.create_team(folder, passphrase, vault.clock.now(), demo=vault.is_demo)
        except files.TeamFileExists:
            data = _team_file(folder)  # another laptop founded it a moment ago: join theirs
            if data is None:
                raise UserError(
                    f"Another laptop is setting up sync in {folder} right now; sync again in a minute."
                ) from None
        except OSError as exc:
            raise FolderUnreachable(folder, exc.strerror or "") from None
    if data is not None:
        _same_kind(vault, folder, data)
        if (
            local is not None
            and local.team_id == data["team"]
            and {k["id"] for k in data["keys"]} <= set(local.keys)
        ):
            return local
        if local is not None and local.team_id != data["team"]:
            raise UserError(
                f"{folder} belongs to a different team from this laptop's; nothing was changed. If this laptop "
                "should now sync with that team, run 'sync --leave' and then sync with that team's passphrase "
                "(nothing in the vault is lost)."
            )
        if not passphrase:
            raise UserError(
                f"This laptop has not joined the team that syncs in {folder}: set {TEAM_PASSPHRASE_ENV} "
                "or use --team-passphrase-file with the team passphrase."
            )
        team = files.join_team(data, passphrase)
    vault.set_meta(TEAM_META, team.to_meta())
    return team


def _team_file(folder: Path) -> dict[str, Any] | None:
    try:
        return files.read_team_file(folder)
    except OSError as exc:
        raise FolderUnreachable(folder, exc.strerror or "") from None


def _same_kind(vault: Vault, folder: Path, data: dict[str, Any]) -> None:
    """A demo vault and a real team never share a folder, whichever way round."""
    demo_folder = bool(data.get("demo", False))
    if demo_folder and not vault.is_demo:
        raise UserError(
            f"{folder} is where a DEMO vault syncs: a real vault never takes in its invented data. "
            "Choose your team's own shared folder; nothing was changed."
        )
    if vault.is_demo and not demo_folder:
        raise UserError(
            f"{folder} is a real team's shared folder: the demo vault never syncs with it. Give the demo a "
            "folder of its own; nothing was changed."
        )


def check_same_folder(folder: Path, team: TeamKeys) -> None:
    """The folder still holds this team's file: not unplugged, not swapped for another (checked before
    and after writing, so a change file is never reported sent into a folder nobody reads)."""
    try:
        data = files.read_team_file(folder)
    except (OSError, UserError):
        data = None
    if data is None or data.get("team") != team.team_id:
        raise FolderUnreachable(folder, "it went away or changed during the sync")


def leave(vault: Vault) -> str:
    """Leave the team: forget its key and folder. Nothing in the vault is lost: the next sync joins
    (or founds) a team afresh, as a new device, and sends everything this laptop holds."""
    old = vault.device_id
    from commmatters_desktop.sync.compaction import reseed_log

    reseed_log(vault)  # a compacted log is whole again first: the next sync sends everything
    with vault.unit_of_work() as session:
        for key in (TEAM_META, FOLDER_META, LAST_SYNC_META, EXPORTED_META, NEXT_FILE_META):
            row = session.get(VaultMeta, key)
            if row is not None:
                session.delete(row)
    new_device(vault)
    return old


def new_device(vault: Vault) -> None:
    """Continue as a new device id, keeping the laptop's name for colleagues."""
    with vault.reading() as session:
        named = laptops.laptop_name(session, vault.device_id)
    vault.renew_device_id()
    if not named.startswith("laptop "):
        with vault.unit_of_work() as session:
            laptops.name_laptop(session, device_id=vault.device_id, name=named)
