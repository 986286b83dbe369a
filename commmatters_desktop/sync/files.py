"""Change files and the team key: the format on disk in the shared folder.

``<folder>/commmatters/team.json``            the team's keys, each wrapped by the team passphrase
``<folder>/commmatters/<device>/NNNNNNNNNN.cmchange``  one device's changes, numbered, never rewritten

A change file is ``CMCHANGE <format>\\n`` + a JSON header line + nonce + AES-256-GCM ciphertext of the
zlib-compressed changes; the first two lines are the associated data, so any change to the header or
the body is detected before anything is read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import uuid
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from commmatters_desktop import APP_NAME, __version__
from commmatters_desktop.core.errors import UserError
from commmatters_desktop.storage.keystore import RecoveryCopy, WrongPassphrase, check_new_passphrase, dumps
from commmatters_desktop.storage.vault import atomic_write

FORMAT = 1
MAGIC = b"CMCHANGE"
ROOT = "commmatters"
TEAM_FILE = "team.json"
CHANGE_FILE = re.compile(r"^(\d{10})\.cmchange$")
#: Names the shared folder's own software leaves lying around: never ours, never an error.
JUNK = re.compile(
    r"(^desktop\.ini$|^\.ds_store$|^thumbs\.db$|^~\$|^\.|conflicted copy|\(\d+\)\.cmchange$|\.tmp$)", re.I
)


class BadChangeFile(UserError):
    pass


@dataclass(frozen=True)
class Change:
    """One field's new value, with its clock stamp and the stamp of the value it replaced."""

    entity: str
    row_id: str
    field: str
    value: str
    stamp: str
    base: str


@dataclass(frozen=True)
class ChangeFile:
    device: str
    seq: int
    key_id: str
    created: str
    log_from: int
    log_to: int
    changes: list[Change]
    #: Snapshots only: the last file of each laptop already inside this state.
    covers: dict[str, int] = field(default_factory=dict)


def file_name(seq: int) -> str:
    return f"{seq:010d}.cmchange"


def encode(file: ChangeFile, *, team_id: str, key: bytes) -> bytes:
    header = {
        "app": APP_NAME,
        "version": __version__,
        "team": team_id,
        "device": file.device,
        "seq": file.seq,
        "key": file.key_id,
        "created": file.created,
        "count": len(file.changes),
        "log_from": file.log_from,
        "log_to": file.log_to,
        "covers": file.covers,
    }
    aad = MAGIC + f" {FORMAT}\n".encode() + json.dumps(header, sort_keys=True).encode() + b"\n"
    body = zlib.compress(
        json.dumps([[c.entity, c.row_id, c.field, c.value, c.stamp, c.base] for c in file.changes]).encode()
    )
    nonce = secrets.token_bytes(12)
    return aad + nonce + AESGCM(key).encrypt(nonce, body, aad)


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, associated data, sealed body) or BadChangeFile with a reason a person can act on."""
    if not data:
        raise BadChangeFile("the file is empty (it may still be copying into the shared folder)")
    first, _, rest = data.partition(b"\n")
    if not first.startswith(MAGIC):
        raise BadChangeFile("it is not a Community Matters change file")
    try:
        version = int(first[len(MAGIC) :].strip())
    except ValueError:
        raise BadChangeFile("its first line is damaged") from None
    if version > FORMAT:
        raise BadChangeFile(
            "it was written by a newer version of Community Matters Desktop: update this laptop"
        )
    line, newline, sealed = rest.partition(b"\n")
    if not newline:
        raise BadChangeFile("it is cut short (it may still be copying into the shared folder)")
    try:
        header = json.loads(line)
    except ValueError:
        raise BadChangeFile("its header is damaged") from None
    return header, first + b"\n" + line + b"\n", sealed


def decode(data: bytes, *, team_id: str, keys: dict[str, bytes]) -> ChangeFile:
    header, aad, sealed = read_header(data)
    if header.get("team") != team_id:
        raise BadChangeFile("it belongs to another team's shared folder")
    key = keys.get(str(header.get("key")))
    if key is None:
        raise BadChangeFile(
            "it uses a team key this laptop does not have: sync with the team passphrase again"
        )
    if len(sealed) < 12 + 16:
        raise BadChangeFile("it is cut short (it may still be copying into the shared folder)")
    try:
        body = AESGCM(key).decrypt(sealed[:12], sealed[12:], aad)
    except InvalidTag:
        raise BadChangeFile(
            "it has been altered or damaged since it was written, so it was not used"
        ) from None
    rows = json.loads(zlib.decompress(body))
    return ChangeFile(
        device=str(header["device"]),
        seq=int(header["seq"]),
        key_id=str(header["key"]),
        created=str(header["created"]),
        log_from=int(header["log_from"]),
        log_to=int(header["log_to"]),
        changes=[Change(*row) for row in rows],
        covers={str(k): int(v) for k, v in header.get("covers", {}).items()},
    )


# --- the team key --------------------------------------------------------------------------------------------


@dataclass
class TeamKeys:
    team_id: str
    keys: dict[str, bytes] = field(default_factory=dict)
    #: Key ids in the order they were made: the last one writes new files.
    order: list[str] = field(default_factory=list)

    @property
    def current(self) -> tuple[str, bytes]:
        key_id = self.order[-1]
        return key_id, self.keys[key_id]

    def to_meta(self) -> str:
        return json.dumps(
            {"team": self.team_id, "order": self.order, "keys": {k: v.hex() for k, v in self.keys.items()}}
        )

    @classmethod
    def from_meta(cls, text: str) -> TeamKeys:
        data = json.loads(text)
        return cls(data["team"], {k: bytes.fromhex(v) for k, v in data["keys"].items()}, list(data["order"]))


def _context(team_id: str, key_id: str) -> str:
    return f"team:{team_id}:{key_id}"


def read_team_file(folder: Path) -> dict[str, Any] | None:
    path = folder / ROOT / TEAM_FILE
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(
            f"The shared folder's {TEAM_FILE} cannot be read ({exc}); ask whoever set up sync."
        ) from None
    if data.get("app") != APP_NAME or int(data.get("format", 0)) > FORMAT:
        raise UserError(
            f"The shared folder's {TEAM_FILE} is not one this version understands; update the app."
        )
    return data


def _wrapped(team_id: str, key_id: str, key: bytes, passphrase: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": key_id,
        "created": now.isoformat(timespec="seconds"),
        **RecoveryCopy.wrap(key, passphrase, _context(team_id, key_id)).to_json(),
    }


def create_team(folder: Path, passphrase: str, now: dt.datetime) -> TeamKeys:
    check_new_passphrase(passphrase)
    team = TeamKeys(str(uuid.uuid4()))
    key_id, key = f"k{secrets.token_hex(4)}", secrets.token_bytes(32)
    team.keys[key_id], team.order = key, [key_id]
    _write_team(folder, team.team_id, [_wrapped(team.team_id, key_id, key, passphrase, now)])
    return team


def join_team(data: dict[str, Any], passphrase: str) -> TeamKeys:
    team = TeamKeys(str(data["team"]))
    for entry in data["keys"]:
        try:
            key = RecoveryCopy.from_json(entry).unwrap(passphrase, _context(team.team_id, entry["id"]))
        except WrongPassphrase:
            raise UserError(
                "That team passphrase does not open the shared folder's team key. Check it and try "
                "again; nothing was changed."
            ) from None
        team.keys[entry["id"]] = key
        team.order.append(entry["id"])
    return team


def rotate_key(folder: Path, team: TeamKeys, passphrase: str, now: dt.datetime) -> str:
    """A new key for new files; the old ones stay so older files can still be read."""
    data = read_team_file(folder)
    if data is None:
        raise UserError("The shared folder has no team file to add a key to.")
    join_team(data, passphrase)  # proves the passphrase before anything changes
    key_id, key = f"k{secrets.token_hex(4)}", secrets.token_bytes(32)
    team.keys[key_id] = key
    team.order.append(key_id)
    _write_team(folder, team.team_id, [*data["keys"], _wrapped(team.team_id, key_id, key, passphrase, now)])
    return key_id


def _write_team(folder: Path, team_id: str, keys: list[dict[str, Any]]) -> None:
    root = folder / ROOT
    root.mkdir(parents=True, exist_ok=True)
    atomic_write(
        root / TEAM_FILE, dumps({"app": APP_NAME, "format": FORMAT, "team": team_id, "keys": keys}).encode()
    )


def write_change_file(folder: Path, device: str, data: bytes, seq: int) -> Path:
    """Temporary name, flushed, renamed: a reader never sees half a file under the real name."""
    directory = folder / ROOT / device
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / file_name(seq)
    atomic_write(target, data)
    return target


SNAPSHOTS = "snapshots"
SNAPSHOT_FILE = re.compile(r"^(\w+)-(\d{10})\.cmsnap$")


def write_snapshot(folder: Path, device: str, data: bytes, seq: int) -> Path:
    directory = folder / ROOT / SNAPSHOTS
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{device}-{seq:010d}.cmsnap"
    atomic_write(target, data)
    return target


def newest_snapshot(folder: Path) -> Path | None:
    """The most recently written snapshot, by name (device and sequence) and time."""
    directory = folder / ROOT / SNAPSHOTS
    if not directory.is_dir():
        return None
    found = [p for p in directory.iterdir() if SNAPSHOT_FILE.match(p.name)]
    return max(found, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def listing(folder: Path) -> tuple[dict[str, list[tuple[int, Path]]], int]:
    """Every device's change files in order, and how many junk names were passed over (one listing).

    Raises OSError if the folder has gone.
    """
    root = folder / ROOT
    found: dict[str, list[tuple[int, Path]]] = {}
    junk = 0
    for device in sorted(os.listdir(root)):
        path = root / device
        if JUNK.search(device) or not path.is_dir() or device == SNAPSHOTS:
            continue
        files = []
        for name in os.listdir(path):
            match = CHANGE_FILE.match(name)
            if match and not JUNK.search(name):
                files.append((int(match.group(1)), path / name))
            else:
                junk += 1
        found[device] = sorted(files)
    return found, junk
