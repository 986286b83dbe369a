"""Schema migrations with Alembic, run on open, with an encrypted backup taken first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from commmatters_desktop.core.errors import UserError

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"


class VaultTooNew(UserError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"This vault was saved by a newer version of Community Matters Desktop (schema {revision}). "
            "Install the newer version to open it; nothing was changed."
        )


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))  # set in code so frozen builds work
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations are bundled"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade(engine: Engine, *, backup: Callable[[str], Path]) -> Path | None:
    """Bring the schema to head; back up first unless the database is brand new.

    Returns the backup's path when one was taken.
    """
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    if current is not None and not _known(current):
        raise VaultTooNew(current)
    saved = backup(current) if current is not None else None
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return saved
