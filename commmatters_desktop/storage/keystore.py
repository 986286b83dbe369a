"""Where the database key lives: the OS keyring first, a passphrase-wrapped recovery copy always.

The key store is a small protocol so tests can choose a keyring backend themselves and the
app never falls back to keeping the key in plain text. A keyring that is missing, locked or
broken is reported, not fatal: the vault asks for the recovery passphrase instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from commmatters_desktop import APP_NAME
from commmatters_desktop.core.errors import UserError

KEY_BYTES = 32
MIN_PASSPHRASE_LENGTH = 10
#: scrypt cost: 128 MiB and about half a second, paid once per unlock (OWASP's recommended floor).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1


class WrongPassphrase(UserError):
    def __init__(self) -> None:
        super().__init__(
            "That recovery passphrase does not unlock this vault. Check Caps Lock and try again; nothing was changed."
        )


class KeyStore(Protocol):
    """Somewhere to keep a vault's database key between sessions."""

    #: Why the store could not help last time (shown to the user), or "" when it worked.
    problem: str

    def load(self, vault_id: str) -> bytes | None: ...

    def save(self, vault_id: str, key: bytes) -> bool: ...

    def forget(self, vault_id: str) -> None: ...


class KeyringStore:
    """The OS keyring through ``keyring`` (service ``commmatters-desktop``), failing soft."""

    service = APP_NAME

    def __init__(self) -> None:
        self.problem = ""

    @staticmethod
    def _account(vault_id: str) -> str:
        return f"vault-key:{vault_id}"

    def _fail(self, exc: BaseException) -> None:
        import keyring.errors

        if isinstance(exc, keyring.errors.NoKeyringError):
            self.problem = "no system keyring is available on this computer"
        elif isinstance(exc, keyring.errors.KeyringLocked):
            self.problem = "the system keyring is locked"
        else:
            self.problem = f"the system keyring could not be used ({type(exc).__name__})"

    def load(self, vault_id: str) -> bytes | None:
        import keyring

        try:
            stored = keyring.get_password(self.service, self._account(vault_id))
        except Exception as exc:  # any backend failure (D-Bus down, locked, absent) means "ask instead"
            self._fail(exc)
            return None
        if stored is None:
            self.problem = "the system keyring has no key for this vault"
            return None
        try:
            key = bytes.fromhex(stored)
        except ValueError:
            self.problem = "the key in the system keyring is damaged"
            return None
        self.problem = ""
        return key if len(key) == KEY_BYTES else None

    def save(self, vault_id: str, key: bytes) -> bool:
        import keyring

        try:
            keyring.set_password(self.service, self._account(vault_id), key.hex())
            # Some backends (keyring's "null" one) accept a secret and keep nothing: read it back.
            kept = keyring.get_password(self.service, self._account(vault_id)) == key.hex()
        except Exception as exc:
            self._fail(exc)
            return False
        if not kept:
            name = type(keyring.get_keyring()).__module__.rsplit(".", 1)[-1]
            self.problem = f"the system keyring ('{name}') did not keep the key"
            return False
        self.problem = ""
        return True

    def forget(self, vault_id: str) -> None:
        import keyring

        try:
            keyring.delete_password(self.service, self._account(vault_id))
        except Exception as exc:
            self._fail(exc)


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC so the same passphrase typed on Windows and Linux gives the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase.strip()) < MIN_PASSPHRASE_LENGTH:
        raise UserError(
            f"The recovery passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters: "
            "a few unrelated words are easy to remember and hard to guess."
        )


@dataclass(frozen=True)
class RecoveryCopy:
    """The database key wrapped by the recovery passphrase (scrypt, then AES-256-GCM)."""

    salt: bytes
    nonce: bytes
    ciphertext: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @staticmethod
    def _aad(vault_id: str) -> bytes:
        return f"{APP_NAME} recovery v1 {vault_id}".encode()

    @classmethod
    def _derive(cls, passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(normalise_passphrase(passphrase))

    @classmethod
    def wrap(cls, key: bytes, passphrase: str, vault_id: str) -> RecoveryCopy:
        salt, nonce = os.urandom(16), os.urandom(12)
        wrapping = cls._derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return cls(salt, nonce, AESGCM(wrapping).encrypt(nonce, key, cls._aad(vault_id)))

    def unwrap(self, passphrase: str, vault_id: str) -> bytes:
        wrapping = self._derive(passphrase, self.salt, self.n, self.r, self.p)
        try:
            return AESGCM(wrapping).decrypt(self.nonce, self.ciphertext, self._aad(vault_id))
        except InvalidTag:
            raise WrongPassphrase() from None

    def to_json(self) -> dict[str, Any]:
        b64 = base64.b64encode
        return {
            "kdf": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": b64(self.salt).decode(),
            "cipher": "AES-256-GCM",
            "nonce": b64(self.nonce).decode(),
            "ciphertext": b64(self.ciphertext).decode(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecoveryCopy:
        if data.get("kdf") != "scrypt" or data.get("cipher") != "AES-256-GCM":
            raise ValueError("unknown recovery format")
        b64 = base64.b64decode
        return cls(
            salt=b64(data["salt"]),
            nonce=b64(data["nonce"]),
            ciphertext=b64(data["ciphertext"]),
            n=int(data["n"]),
            r=int(data["r"]),
            p=int(data["p"]),
        )


def key_check_value(key: bytes) -> str:
    """A fingerprint that tells a wrong key from a damaged file without touching the database.

    HMAC of a fixed label under the 256-bit key: it reveals nothing that helps find the key.
    """
    return hmac.new(key, f"{APP_NAME} key check v1".encode(), hashlib.sha256).hexdigest()[:32]


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
