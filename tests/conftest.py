"""Shared test set-up: offscreen Qt, a private keyring, a frozen clock and template vaults.

Nothing here touches the user's keyring, data folder or settings: every location is redirected
into a temporary folder before the application is imported.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_SANDBOX = Path(tempfile.mkdtemp(prefix="commmatters-tests-"))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_var] = str(_SANDBOX / _var.lower())
os.environ.pop("COMMMATTERS_PASSPHRASE", None)

import keyring  # noqa: E402
import keyring.errors  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from commmatters_desktop.core.changes import DEVICE_META_KEY  # noqa: E402
from commmatters_desktop.core.clock import FixedClock  # noqa: E402
from commmatters_desktop.storage.keystore import KeyringStore  # noqa: E402
from commmatters_desktop.storage.vault import Vault  # noqa: E402

TODAY = dt.date(2026, 11, 21)
PASSPHRASE = "correct horse battery staple"
REPO = Path(__file__).resolve().parents[1]
GM_WARDS = REPO / "resources" / "data" / "ons" / "greater-manchester-wards-2022.csv"
GM_BOROUGHS = frozenset(
    {
        "Bolton",
        "Bury",
        "Manchester",
        "Oldham",
        "Rochdale",
        "Salford",
        "Stockport",
        "Tameside",
        "Trafford",
        "Wigan",
    }
)
GM_LSOAS = REPO / "resources" / "data" / "ons" / "greater-manchester-lsoa-to-ward-2022.csv"


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in this process only."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("no such secret")


class LockedKeyring(MemoryKeyring):
    """A keyring whose user has not unlocked it (GNOME keyring after login, say)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    ui_folder = Path(__file__).parent / "ui"
    for item in items:
        if ui_folder in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session", autouse=True)
def _scrypt_once_per_passphrase_and_salt() -> Iterator[None]:
    """Unlocking a copy of the same vault with the same passphrase derives the same key: derive it once.

    scrypt costs about 0.65 s on purpose (storage/keystore.py). Every test that opens a copy of the demo
    vault unlocks it with its published passphrase and the template's salt (88 tests paid it each); the
    derivation is the real one, run once per (passphrase, salt, cost), and a wrong passphrase still
    derives its own key and is refused as before.
    """
    from commmatters_desktop.storage.keystore import RecoveryCopy

    real = RecoveryCopy.__dict__["_derive"].__func__
    derived: dict[tuple[str, bytes, int, int, int], bytes] = {}

    def derive(cls: type[RecoveryCopy], passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        if (passphrase, salt, n, r, p) not in derived:
            derived[(passphrase, salt, n, r, p)] = real(cls, passphrase, salt, n, r, p)
        return derived[(passphrase, salt, n, r, p)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RecoveryCopy, "_derive", classmethod(derive))
        yield


@pytest.fixture(autouse=True)
def _frozen_day_for_vaults_opened_without_a_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vault, window, demo or command a test starts without saying which clock lives on the tests'
    frozen day, not the machine's.

    The template vault is made on that day; opened a day later by the machine's clock, a backup falls
    due at open and changes what the test sees (an upgrade's backup was no longer the last one on
    2026-11-22: a test that passed the day before failed in CI). Tests that mean the real clock pass
    ``SystemClock()`` themselves.
    """
    for module in CLOCK_DEFAULTS:
        monkeypatch.setattr(f"{module}.SystemClock", lambda: FixedClock.on(TODAY))


#: Where the app falls back on the machine's clock when it is given none.
CLOCK_DEFAULTS = (
    "commmatters_desktop.storage.vault",
    "commmatters_desktop.storage.recovery",
    "commmatters_desktop.demo",
    "commmatters_desktop.cli",
    "commmatters_desktop.ui.main_window",
    "commmatters_desktop.ui.application",
)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets a fresh, private keyring; the user's is never touched."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> None:
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock.on(TODAY)


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], str]]:
    """One migrated vault per session (scrypt and migrations paid once), copied per test."""
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        folder = tmp_path_factory.mktemp("template") / "vault"
        Vault.create(
            folder, passphrase=PASSPHRASE, keystore=KeyringStore(), clock=FixedClock.on(TODAY)
        ).close()
    finally:
        keyring.set_keyring(previous)
    return folder, dict(backend.secrets)


@pytest.fixture
def vault_dir(
    _template: tuple[Path, dict[tuple[str, str], str]], tmp_path: Path, memory_keyring: MemoryKeyring
) -> Path:
    """A private copy of the template vault, its key already in this test's keyring."""
    folder, secrets = _template
    target = tmp_path / "vault"
    shutil.copytree(folder, target)
    memory_keyring.secrets.update(secrets)
    return target


@pytest.fixture
def vault(vault_dir: Path, clock: FixedClock) -> Iterator[Vault]:
    with Vault.open(vault_dir, keystore=KeyringStore(), clock=clock) as opened:
        yield opened


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from commmatters_desktop.demo import build

    folder = tmp_path_factory.mktemp("demo") / "demo"
    build(folder, clock=FixedClock.on(TODAY)).close()
    return folder


@pytest.fixture
def demo_dir(_demo_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(_demo_template, target)
    return target


@pytest.fixture
def demo_vault(demo_dir: Path, clock: FixedClock) -> Iterator[Vault]:
    from commmatters_desktop.demo import open_demo

    with open_demo(demo_dir, clock=clock) as opened:
        yield opened


# --- three laptops for the sync tests ------------------------------------------------------------------------


@pytest.fixture
def laptops(
    _template: tuple[Path, dict[tuple[str, str], str]], tmp_path: Path, memory_keyring: MemoryKeyring
) -> Iterator[list[Any]]:
    folder, secrets = _template
    memory_keyring.secrets.update(secrets)
    made = []
    for index, name in enumerate(("a", "b", "c")):
        target = tmp_path / f"laptop-{name}"
        shutil.copytree(folder, target)
        clock = FixedClock.on(TODAY)
        vault = Vault.open(target, keystore=KeyringStore(), clock=clock)
        vault.set_meta(DEVICE_META_KEY, f"laptop{name}{index}")  # each laptop its own device id
        vault.close()
        made.append(_laptop()(name, target, clock))
    yield made
    for laptop in made:
        laptop.vault.close()


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


def _laptop() -> type:
    from tests.sync.conftest import Laptop

    return Laptop


def approve_leaflet_wording(vault: Vault, ward_code: str, cycle: str) -> int:
    """What an officer does with "Approve all drafts": approve each refused text as it stands (tests use
    clean text). Returns how many were approved."""
    from commmatters_desktop.core import public
    from commmatters_desktop.core.leaflets import leaflet_content

    with vault.unit_of_work() as s:
        try:
            leaflet_content(s, ward_code=ward_code, cycle=cycle, today=TODAY, force_name="Test", demo=False)
        except public.NotPublic as refused:
            for refusal in refused.refusals:
                record = public.record_of(s, refusal.piece)
                assert record is not None
                public.approve(s, record, refusal.piece.field)
            return len(refused.refusals)
    return 0
