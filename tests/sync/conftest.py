"""Three laptops (three encrypted vaults with their own device ids) and one shared folder."""

from __future__ import annotations

from pathlib import Path

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault

TEAM_PASSPHRASE = "the panel meets on tuesdays"


class Laptop:
    def __init__(self, name: str, folder: Path, clock: FixedClock) -> None:
        self.name, self.folder, self.clock = name, folder, clock
        self.vault = Vault.open(folder, keystore=KeyringStore(), clock=clock)

    def reopen(self) -> None:
        self.vault.close()
        self.vault = Vault.open(self.folder, keystore=KeyringStore(), clock=self.clock)

    def sync(self, shared: Path, passphrase: str | None = TEAM_PASSPHRASE):  # type: ignore[no-untyped-def]
        from commmatters_desktop.sync.engine import sync

        return sync(self.vault, shared, passphrase=passphrase)
