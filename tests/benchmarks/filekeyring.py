"""A keyring backend that keeps its secrets in one JSON file, for benchmark vaults other processes open.

The force-scale vaults are built once and opened by later runs, by a subprocess (cold start) and by
other engineers' measurements. The in-memory keyring of the unit tests dies with its process, so
these vaults keep their key here instead: a real ``keyring`` backend, chosen with keyring's own
``PYTHON_KEYRING_BACKEND=tests.benchmarks.filekeyring.FileKeyring`` and pointed at its file with
``CMD_BENCH_KEYRING``. It is plain text on purpose and holds only the keys of generated vaults
full of invented people.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import keyring.errors
from jaraco.classes import properties
from keyring.backend import KeyringBackend

ENV_FILE = "CMD_BENCH_KEYRING"
BACKEND = "tests.benchmarks.filekeyring.FileKeyring"


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        """Not a candidate when keyring looks for a backend by itself (the unit tests' processes import
        this module), unless this process was pointed at a benchmark keyring file."""
        if not os.environ.get(ENV_FILE):
            raise RuntimeError(f"set {ENV_FILE} to the benchmark keyring file")
        return 0.5

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self._path = path

    @property
    def path(self) -> Path:
        given = self._path or os.environ.get(ENV_FILE)
        if not given:
            raise keyring.errors.KeyringError(f"set {ENV_FILE} to the benchmark keyring file")
        return Path(given)

    def _read(self) -> dict[str, str]:
        try:
            data: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data[f"{service}\n{username}"] = password
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        temporary.replace(self.path)

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if data.pop(f"{service}\n{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("no such secret")
        self.path.write_text(json.dumps(data, indent=1), encoding="utf-8")


def use(path: Path) -> None:
    """Make this process (and the subprocesses it starts) use the keyring file at ``path``."""
    os.environ[ENV_FILE] = str(path)
    os.environ["PYTHON_KEYRING_BACKEND"] = BACKEND
    keyring.set_keyring(FileKeyring(path))
