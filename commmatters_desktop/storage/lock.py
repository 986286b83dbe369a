"""One app instance per vault: an OS file lock that dies with the process that held it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from commmatters_desktop.core.errors import UserError


class VaultInUse(UserError):
    def __init__(self, folder: Path) -> None:
        super().__init__(
            f"The vault in {folder} is already open in another Community Matters window or command. "
            "Close that one first; this one was not opened and nothing was changed."
        )


class FolderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")
        handle.seek(0)
        try:
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise VaultInUse(self.path.parent) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing drops the lock on every platform
            self._handle = None
