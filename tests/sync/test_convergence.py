"""Three laptops, random edits, deletions and syncs in random orders: they always end up the same."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import keyring
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from commmatters_desktop.core import changes
from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.core.models import Ward, natural_id
from commmatters_desktop.core.services import common, wards
from commmatters_desktop.storage.keystore import KeyringStore
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.sync.engine import sync
from tests.conftest import PASSPHRASE, TODAY, MemoryKeyring
from tests.sync.conftest import TEAM_PASSPHRASE

CODES = ("E05000650", "E05000651", "E05000652")
_TEMPLATE: dict[str, object] = {}


def template() -> tuple[Path, dict[tuple[str, str], str]]:
    """One vault made once for the whole state machine run (scrypt is slow on purpose)."""
    if not _TEMPLATE:
        backend = MemoryKeyring()
        keyring.set_keyring(backend)
        folder = Path(tempfile.mkdtemp(prefix="cm-sync-template-")) / "vault"
        Vault.create(
            folder, passphrase=PASSPHRASE, keystore=KeyringStore(), clock=FixedClock.on(TODAY)
        ).close()
        _TEMPLATE.update(folder=folder, secrets=dict(backend.secrets))
    return _TEMPLATE["folder"], _TEMPLATE["secrets"]  # type: ignore[return-value]


def state(vault: Vault) -> list[tuple[str, str, str, bool]]:
    with vault.reading() as s:
        return sorted((w.code, w.name, w.notes, w.deleted) for w in s.scalars(select(Ward)))


@settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
class ThreeLaptops(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        folder, secrets = template()
        backend = MemoryKeyring()
        backend.secrets.update(secrets)
        keyring.set_keyring(backend)
        self.root = Path(tempfile.mkdtemp(prefix="cm-sync-"))
        self.shared = self.root / "shared"
        self.shared.mkdir()
        self.clocks = [FixedClock.on(TODAY) for _ in range(3)]
        self.vaults = []
        for index in range(3):
            target = self.root / f"laptop{index}"
            shutil.copytree(folder, target)
            vault = Vault.open(target, keystore=KeyringStore(), clock=self.clocks[index])
            vault.set_meta(changes.DEVICE_META_KEY, f"device{index}")
            vault.close()
            self.vaults.append(Vault.open(target, keystore=KeyringStore(), clock=self.clocks[index]))
        with self.vaults[0].unit_of_work() as s:
            for code in CODES:
                wards.create_ward(s, code=code, name=f"Ward {code[-3:]}")
        for vault in self.vaults:
            sync(vault, self.shared, passphrase=TEAM_PASSPHRASE)

    def teardown(self) -> None:
        for vault in getattr(self, "vaults", []):
            vault.close()
        shutil.rmtree(getattr(self, "root", "/nonexistent"), ignore_errors=True)

    @rule(laptop=st.integers(0, 2), code=st.sampled_from(CODES), text=st.sampled_from(["a", "b", "c", "d"]),
          field=st.sampled_from(["notes", "name"]), minutes=st.integers(-300, 300))  # fmt: skip
    def edit(self, laptop: int, code: str, text: str, field: str, minutes: int) -> None:
        # Clocks drift by hours, both ways (never by a day: that is refused, see test_clock_safety.py).
        clock = self.clocks[laptop]
        start = FixedClock.on(TODAY).moment
        clock.moment = min(max(clock.moment + dt.timedelta(minutes=minutes), start - dt.timedelta(hours=10)),
                           start + dt.timedelta(hours=10))  # fmt: skip
        with self.vaults[laptop].unit_of_work() as s:
            ward = s.get(Ward, natural_id("ward", code))
            assert ward is not None
            setattr(ward, field, f"{text} from laptop {laptop}")

    @rule(laptop=st.integers(0, 2), code=st.sampled_from(CODES))
    def delete(self, laptop: int, code: str) -> None:
        with self.vaults[laptop].unit_of_work() as s:
            ward = s.get(Ward, natural_id("ward", code))
            if ward is not None and not ward.deleted:
                common.tombstone(s, ward)

    @rule(laptop=st.integers(0, 2))
    def sync_one(self, laptop: int) -> None:
        sync(self.vaults[laptop], self.shared)

    @precondition(lambda self: hasattr(self, "vaults"))
    @invariant()
    def after_everyone_syncs_twice_all_agree(self) -> None:
        for _ in range(2):
            for vault in self.vaults:
                sync(vault, self.shared)
        first = state(self.vaults[0])
        assert all(state(vault) == first for vault in self.vaults[1:])


# Twelve runs of up to 25 steps with real vaults: minutes on a shared, loaded machine, not 120 s.
TestThreeLaptopsConverge = pytest.mark.slow(pytest.mark.timeout(600)(ThreeLaptops.TestCase))
