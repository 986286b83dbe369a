"""Change files and the team key: the format on disk in the shared folder.

``<folder>/commmatters/team.json``            the team's keys, each wrapped by the team passphrase
``<folder>/commmatters/<device>/NNNNNNNNNN.cmchange``  one device's changes, numbered, never rewritten

A change file is ``CMCHANGE <format>\\n`` + a JSON header line + nonce + AES-256-GCM ciphertext of the
zlib-compressed changes; the first two lines are the associated data, so any change to the header or
the body is detected before anything is read.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

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


#: Reasons a file may still be arriving: said so, and the file is tried again at the next sync.
INCOMPLETE = (
    "it is incomplete or damaged (it may still be copying into the shared folder); it will be retried"
)
DAMAGED_HEADER = "its header is damaged, so it was not used; it will be retried in case it is replaced"


class BadChangeFile(UserError):
    """A change file that cannot be used; ``incomplete`` when it may still be copying in."""

    def __init__(self, message: str, *, incomplete: bool = False) -> None:
        super().__init__(message)
        self.incomplete = incomplete


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
    #: Written by a demo vault: a real vault never takes these in, and a demo vault takes in nothing else.
    demo: bool = False
    #: The writing computer's name, so a message can say which laptop to look at.
    name: str = ""


def file_name(seq: int) -> str:
    return f"{seq:010d}.cmchange"


def _header(file: ChangeFile, team_id: str) -> dict[str, Any]:
    """What a change file's or a streamed file's header says of it (both are read by :func:`_file_of`)."""
    return {
        "app": APP_NAME,
        "version": __version__,
        "team": team_id,
        "device": file.device,
        "seq": file.seq,
        "key": file.key_id,
        "created": file.created,
        "log_from": file.log_from,
        "log_to": file.log_to,
        "covers": file.covers,
        "demo": file.demo,
        "name": file.name,
    }


def _file_of(header: dict[str, Any], changes: list[Change]) -> ChangeFile:
    """The file a header describes, with ``changes``; KeyError, ValueError, TypeError or AttributeError
    if the header is damaged."""
    return ChangeFile(
        device=str(header["device"]),
        seq=int(header["seq"]),
        key_id=str(header["key"]),
        created=str(header["created"]),
        log_from=int(header["log_from"]),
        log_to=int(header["log_to"]),
        changes=changes,
        covers={str(k): int(v) for k, v in header.get("covers", {}).items()},
        demo=bool(header.get("demo", False)),
        name=str(header.get("name", "")),
    )


def encode(file: ChangeFile, *, team_id: str, key: bytes) -> bytes:
    body = zlib.compress(
        json.dumps([[c.entity, c.row_id, c.field, c.value, c.stamp, c.base] for c in file.changes]).encode()
    )
    header = {
        **_header(file, team_id),
        "count": len(file.changes),
        # The length of what follows the header: a file shorter than this is still being copied in.
        "sealed": 12 + len(body) + 16,
    }
    aad = MAGIC + f" {FORMAT}\n".encode() + json.dumps(header, sort_keys=True).encode() + b"\n"
    nonce = secrets.token_bytes(12)
    return aad + nonce + AESGCM(key).encrypt(nonce, body, aad)


def _version(text: object) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(text).split(".")[:3])
    except ValueError:
        return (0,)


def read_header(data: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, associated data, sealed body) or BadChangeFile with a reason a person can act on.

    A file that may still be copying in is called incomplete, never "altered" or "from a newer
    version": a flipped bit in the first line or the header says "damaged", not "update the app".
    """
    if not data:
        raise BadChangeFile(
            "the file is empty (it may still be copying into the shared folder); it will be retried",
            incomplete=True,
        )
    first, newline, rest = data.partition(b"\n")
    if not first.startswith(MAGIC):
        if MAGIC.startswith(first) and not newline:
            raise BadChangeFile(INCOMPLETE, incomplete=True)
        raise BadChangeFile("it is not a Community Matters change file")
    line, newline, sealed = rest.partition(b"\n")
    if not newline:
        raise BadChangeFile(INCOMPLETE, incomplete=True)
    header = _parse_header(first[len(MAGIC) :], line, FORMAT)
    return header, first + b"\n" + line + b"\n", sealed


def _parse_header(version_text: bytes, line: bytes, supported: int) -> dict[str, Any]:
    """The JSON header of a change file or a streamed snapshot, once its first two lines are whole.

    A version above ``supported`` from an app no newer than this one is a flipped bit ("damaged"),
    not a reason to tell the officer to update.
    """
    try:
        header = json.loads(line)
        version = int(version_text.strip())
    except ValueError:
        raise BadChangeFile(DAMAGED_HEADER) from None
    if not isinstance(header, dict):
        raise BadChangeFile(DAMAGED_HEADER)
    if version > supported:
        if _version(header.get("version")) <= _version(__version__):
            raise BadChangeFile(DAMAGED_HEADER)  # a flipped bit, not a newer app
        raise BadChangeFile(
            "it was written by a newer version of Community Matters Desktop: update this laptop"
        )
    return header


def _team_key(header: dict[str, Any], team_id: str, keys: dict[str, bytes]) -> bytes:
    if header.get("team") != team_id:
        if str(header.get("key")) in keys:
            raise BadChangeFile(DAMAGED_HEADER)  # our key with another team's id: damage, not a stranger
        raise BadChangeFile("it belongs to another team's shared folder")
    key = keys.get(str(header.get("key")))
    if key is None:
        raise BadChangeFile(
            "it uses a team key this laptop does not have: sync with the team passphrase again"
        )
    return key


def _same_kind(header: dict[str, Any], demo: bool) -> None:
    if bool(header.get("demo", False)) != demo:
        raise BadChangeFile(
            "it was written by a DEMO vault: its invented data is never taken into a real vault"
            if not demo
            else "it was written by a real vault: a demo vault never takes in real data"
        )


def decode(data: bytes, *, team_id: str, keys: dict[str, bytes], demo: bool = False) -> ChangeFile:
    if data.startswith(STREAM_MAGIC):
        return _decode_stream_whole(data, team_id=team_id, keys=keys, demo=demo)
    header, aad, sealed = read_header(data)
    key = _team_key(header, team_id, keys)
    expected = header.get("sealed")
    if (isinstance(expected, int) and len(sealed) < expected) or len(sealed) < 12 + 16:
        raise BadChangeFile(INCOMPLETE, incomplete=True)
    try:
        body = AESGCM(key).decrypt(sealed[:12], sealed[12:], aad)
    except InvalidTag:
        if isinstance(expected, int):
            raise BadChangeFile(
                "it has been altered or damaged since it was written, so it was not used"
            ) from None
        raise BadChangeFile(INCOMPLETE, incomplete=True) from None
    _same_kind(header, demo)
    try:
        rows = json.loads(zlib.decompress(body))
        return _file_of(header, [Change(*(str(part) for part in row)) for row in rows])
    except (KeyError, ValueError, TypeError, AttributeError, zlib.error):
        raise BadChangeFile(DAMAGED_HEADER) from None


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
    """The team file, None if there is none; OSError if the folder cannot be reached."""
    path = folder / ROOT / TEAM_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data: dict[str, Any] = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or "team" not in data:
            raise ValueError("not a team file")
    except ValueError:
        raise UserError(
            f"The shared folder's {TEAM_FILE} cannot be read: another laptop may be setting up sync there "
            "right now (sync again in a minute); otherwise ask whoever set up sync. Nothing was changed."
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


class TeamFileExists(Exception):
    """Another laptop founded the team a moment ago: join it instead."""


def create_team(folder: Path, passphrase: str, now: dt.datetime, *, demo: bool = False) -> TeamKeys:
    """Found the team in an empty shared folder, atomically: if two laptops try at once, one wins and
    the other gets :class:`TeamFileExists` (and joins), never two teams in one folder."""
    check_new_passphrase(passphrase)
    team = TeamKeys(str(uuid.uuid4()))
    key_id, key = f"k{secrets.token_hex(4)}", secrets.token_bytes(32)
    team.keys[key_id], team.order = key, [key_id]
    root = folder / ROOT
    root.mkdir(exist_ok=True)  # never the shared folder itself: that must already be there
    content = dumps(
        {
            "app": APP_NAME,
            "format": FORMAT,
            "team": team.team_id,
            "demo": demo,
            "keys": [_wrapped(team.team_id, key_id, key, passphrase, now)],
        }
    ).encode()
    _create_exclusively(root / TEAM_FILE, content)
    return team


def _create_exclusively(target: Path, data: bytes) -> None:
    """Whole file or nothing under ``target``, and never over another's: a hard link of a flushed
    temporary file fails if the name exists. Where links are not supported (FAT USB sticks), an
    exclusive create does the same job (a reader may then briefly see a short file, and says so)."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise TeamFileExists() from None
        except OSError:
            try:
                with open(target, "xb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except FileExistsError:
                raise TeamFileExists() from None
    finally:
        temporary.unlink(missing_ok=True)


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
    data["keys"] = [*data["keys"], _wrapped(team.team_id, key_id, key, passphrase, now)]
    atomic_write(folder / ROOT / TEAM_FILE, dumps(data).encode())
    return key_id


def write_change_file(folder: Path, device: str, data: bytes, seq: int) -> Path:
    """Temporary name, flushed, renamed: a reader never sees half a file under the real name."""
    directory = folder / ROOT / device
    # Never the parents: if the shared folder has gone (a USB stick pulled), this fails instead of
    # quietly making a look-alike folder on the laptop's own disk that nobody else will ever read.
    directory.mkdir(exist_ok=True)
    target = directory / file_name(seq)
    atomic_write(target, data)
    return target


SNAPSHOTS = "snapshots"
SNAPSHOT_FILE = re.compile(r"^(\w+)-(\d{10})\.cmsnap$")


def snapshot_path(folder: Path, device: str, seq: int) -> Path:
    directory = folder / ROOT / SNAPSHOTS
    directory.mkdir(exist_ok=True)
    return directory / f"{device}-{seq:010d}.cmsnap"


def write_snapshot(folder: Path, device: str, data: bytes, seq: int) -> Path:
    target = snapshot_path(folder, device, seq)
    atomic_write(target, data)
    return target


def newest_snapshot(folder: Path) -> Path | None:
    """The most recently written snapshot, by name (device and sequence) and time."""
    directory = folder / ROOT / SNAPSHOTS
    if not directory.is_dir():
        return None
    found = [p for p in directory.iterdir() if SNAPSHOT_FILE.match(p.name)]
    return max(found, key=lambda p: (p.stat().st_mtime, p.name), default=None)


@dataclass
class Listing:
    """One look at the shared folder: each laptop's change files in order, what was passed over."""

    files: dict[str, list[tuple[int, Path]]] = field(default_factory=dict)
    #: Names the folder's own software leaves about: never ours, never reported one by one.
    junk: int = 0
    #: Entries that look like ours but cannot be: set aside with a reason, and the sync goes on.
    quarantined: list[tuple[str, str]] = field(default_factory=list)


def listing(folder: Path, after: dict[str, int] | None = None) -> Listing:
    """Every device's change files in order (one listing), leaving out those numbered up to
    ``after[device]`` (already taken in: not even looked at). Raises OSError if the folder has gone."""
    after = after or {}
    root = folder / ROOT
    found = Listing()
    for device in sorted(os.listdir(root)):
        path = root / device
        if JUNK.search(device) or device == SNAPSHOTS or not path.is_dir():
            continue
        entries = []
        for name in os.listdir(path):
            match = CHANGE_FILE.match(name)
            if not match or JUNK.search(name):
                found.junk += 1
            elif int(match.group(1)) <= after.get(device, 0):
                continue
            elif not (path / name).is_file():
                found.quarantined.append((f"{device}/{name}", "it is a folder, not a change file"))
            else:
                entries.append((int(match.group(1)), path / name))
        found.files[device] = sorted(entries)
    return found


# --- streamed files: a snapshot of a force's vault without holding it in memory ---------------------------
#
# ``CMSTREAM <format>\n`` + a JSON header line, then frames: 4-byte length + a last-frame flag byte + nonce
# + AES-256-GCM of a zlib-compressed JSON payload. Each frame's associated data is the header lines + the
# frame's number + whether it is the last, so frames cannot be dropped, reordered or cut off unnoticed; the
# last frame carries the count and the newest stamp. Writing and reading hold one frame at a time.
#
# Format 1 frames are lists of changes (``[entity, row_id, field, value, stamp, base]``). Format 2 (the
# snapshot's rows, ``sync.snapshot``) frames are objects: a table's rows as stored, each with its field
# clocks beside it, or audit events; its header names each table's columns. This module only seals and
# unseals frames; what a format-2 payload means is ``sync.snapshot``'s.

STREAM_MAGIC = b"CMSTREAM"
#: The highest streamed format this version reads (and the one its snapshots are written in).
STREAM_FORMAT = 2
#: Snapshots of changes, as written before format 2: still read (a team part way through an upgrade).
CHANGES_FORMAT = 1
FRAME_CHANGES = 4000


def _frame_aad(head: bytes, index: int, last: bool) -> bytes:
    return head + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def write_stream(
    target: Path, file: ChangeFile, frames: Iterable[list[Change]], *, team_id: str, key: bytes
) -> Path:
    """``file``'s header with ``frames`` of changes (format 1; ``file.changes`` is ignored)."""
    ending: dict[str, Any] = {"count": 0, "newest": ""}

    def payloads() -> Iterator[Any]:
        for changes in frames:
            if changes:
                ending["count"] += len(changes)
                ending["newest"] = max(ending["newest"], max(c.stamp for c in changes))
                yield [[c.entity, c.row_id, c.field, c.value, c.stamp, c.base] for c in changes]

    return write_frames(target, file, payloads(), team_id=team_id, key=key, version=CHANGES_FORMAT,
                        ending=lambda: ending)  # fmt: skip


def write_frames(
    target: Path,
    file: ChangeFile,
    payloads: Iterable[Any],
    *,
    team_id: str,
    key: bytes,
    version: int = STREAM_FORMAT,
    extra: dict[str, Any] | None = None,
    ending: Callable[[], dict[str, Any]],
    level: int = 6,
) -> Path:
    """``file``'s header (plus ``extra``) and each payload as one sealed frame, then a last frame holding
    ``ending()`` (read once every payload is written: the count, the newest stamp), written to a temporary
    name, flushed and renamed: a reader never sees half a snapshot under the real name. ``level``: zlib's."""
    header = {**_header(file, team_id), **(extra or {})}
    head = STREAM_MAGIC + f" {version}\n".encode() + json.dumps(header, sort_keys=True).encode() + b"\n"
    cipher = AESGCM(key)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    index = 0
    try:
        with open(temporary, "wb") as handle:
            handle.write(head)

            def frame(payload: bytes, last: bool) -> None:
                nonce = secrets.token_bytes(12)
                body = zlib.compress(payload, level)
                sealed = nonce + cipher.encrypt(nonce, body, _frame_aad(head, index, last))
                handle.write(len(sealed).to_bytes(4, "big") + (b"\x01" if last else b"\x00") + sealed)

            for payload in payloads:
                frame(json.dumps(payload).encode(), False)
                index += 1
            # The newest stamp rides in the sealed last frame: a reader checks the clock rule after
            # only authenticating the frames, without unpacking millions of changes twice.
            frame(json.dumps(ending()).encode(), True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


@dataclass
class Stream:
    """A streamed file opened and its header checked; :meth:`frames` (format 1) or :meth:`payloads`
    (any format) reads it a frame at a time."""

    source: Path | bytes
    info: ChangeFile
    key: bytes
    head: bytes
    offset: int
    #: The header as written (format 2 names each table's columns in it), and the stream's format.
    header: dict[str, Any] = field(default_factory=dict)
    version: int = CHANGES_FORMAT
    _hash: Any = None

    def digest(self) -> str:
        """The SHA-256 of the file as far as it was last read (the whole file, once a read reached its
        last frame): what the ledger notes of a snapshot taken in, without reading the file again."""
        return str(self._hash.hexdigest()) if self._hash is not None else ""

    def frames(self) -> Iterator[list[Change]]:
        """Each frame's changes, every frame verified before it is handed out; BadChangeFile if the
        file was cut short, altered or reordered (so a caller that must apply all or nothing reads it
        through once first, with :meth:`newest_stamp`)."""
        for rows in self._rows():
            try:
                yield [Change(*map(str, row)) for row in rows]
            except TypeError:
                raise BadChangeFile(DAMAGED_HEADER) from None

    def newest_stamp(self) -> str:
        """Read the whole file once, checking every frame; the newest stamp in it ("" if none). A file
        whose sealed last frame names it is only authenticated, frame by frame; an older one is unpacked
        (stamps sort as text in clock order, so no change is built and no stamp parsed)."""
        try:
            last = collections.deque(self._bodies(), maxlen=1)[0][0]  # every frame authenticated
            if isinstance(last, dict) and isinstance(last.get("newest"), str):
                return str(last["newest"])
            return max((str(row[4]) for rows in self._rows() for row in rows if row[4]), default="")
        except (TypeError, IndexError, KeyError):
            raise BadChangeFile(DAMAGED_HEADER) from None

    def payloads(self, ending: dict[str, Any] | None = None) -> Iterator[Any]:
        """Each frame's payload, authenticated and unpacked, in order; the sealed last frame's contents
        (the count, the newest stamp) go into ``ending`` when it is reached, so a caller reading the file
        once learns them only after every frame before has been handed out."""
        for last, body in self._bodies():
            if last is not None:
                if not isinstance(last, dict):
                    raise BadChangeFile(DAMAGED_HEADER)
                if ending is not None:
                    ending.update(last)
                return
            try:
                yield json.loads(zlib.decompress(body))
            except ValueError:
                raise BadChangeFile(
                    "it has been altered or damaged since it was written, so it was not used"
                ) from None
            except (TypeError, zlib.error):
                raise BadChangeFile(DAMAGED_HEADER) from None

    def _rows(self) -> Iterator[list[Any]]:
        for data in self.payloads():
            if not isinstance(data, list):
                raise BadChangeFile(DAMAGED_HEADER)
            yield data

    def _bodies(self) -> Iterator[tuple[Any, bytes]]:
        """Each frame authenticated, in order: (None, its compressed body), and last (the last frame's
        contents, b"")."""
        cipher = AESGCM(self.key)
        self._hash = hashlib.sha256(self.head)
        with self._open() as handle:
            handle.seek(self.offset)
            index = 0
            while True:
                prefix = handle.read(5)
                size = int.from_bytes(prefix[:4], "big")
                sealed = handle.read(size) if len(prefix) == 5 else b""
                self._hash.update(prefix)
                self._hash.update(sealed)
                if len(prefix) < 5 or len(sealed) < size:
                    raise BadChangeFile(INCOMPLETE, incomplete=True)
                last = prefix[4:] == b"\x01"
                try:
                    body = cipher.decrypt(sealed[:12], sealed[12:], _frame_aad(self.head, index, last))
                except (InvalidTag, ValueError):
                    raise BadChangeFile(
                        "it has been altered or damaged since it was written, so it was not used"
                    ) from None
                if last:
                    try:
                        yield json.loads(zlib.decompress(body)), b""
                    except (TypeError, ValueError, zlib.error):
                        raise BadChangeFile(DAMAGED_HEADER) from None
                    return
                yield None, body
                index += 1

    def _open(self) -> BinaryIO:
        return open(self.source, "rb") if isinstance(self.source, Path) else io.BytesIO(self.source)


def open_stream(source: Path | bytes, *, team_id: str, keys: dict[str, bytes], demo: bool = False) -> Stream:
    """The streamed file (a path, or its bytes) with its header checked (team, key, demo); OSError if a
    path cannot be read."""
    with open(source, "rb") if isinstance(source, Path) else io.BytesIO(source) as handle:
        first = handle.readline(64)
        line = handle.readline(1 << 20)
        offset = handle.tell()
    if not first.startswith(STREAM_MAGIC) or not first.endswith(b"\n"):
        raise BadChangeFile(INCOMPLETE if not line else "it is not a Community Matters change file",
                            incomplete=not line)  # fmt: skip
    if not line.endswith(b"\n"):
        raise BadChangeFile(INCOMPLETE, incomplete=True)
    header = _parse_header(first[len(STREAM_MAGIC) :], line, STREAM_FORMAT)
    key = _team_key(header, team_id, keys)
    _same_kind(header, demo)
    try:
        info = _file_of(header, [])
    except (KeyError, ValueError, TypeError, AttributeError):
        raise BadChangeFile(DAMAGED_HEADER) from None
    version = int(first[len(STREAM_MAGIC) :].strip())
    return Stream(source, info, key, first + line, offset, header, version)


def _decode_stream_whole(data: bytes, *, team_id: str, keys: dict[str, bytes], demo: bool) -> ChangeFile:
    """A streamed file held in memory (small ones, and tools that read every file whole)."""
    stream = open_stream(data, team_id=team_id, keys=keys, demo=demo)
    if stream.version != CHANGES_FORMAT:  # a snapshot's rows: read as the changes they amount to
        from commmatters_desktop.sync.snapshot import stream_changes

        return dataclasses.replace(stream.info, changes=list(stream_changes(stream)))
    return dataclasses.replace(stream.info, changes=[change for frame in stream.frames() for change in frame])
