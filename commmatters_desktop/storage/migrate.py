"""Schema migrations with Alembic, run on open, with an encrypted backup taken first.

Alembic itself (a fifth of a second to import) is loaded only when a vault needs upgrading: opening a
vault already at head reads ``alembic_version`` directly and compares it with the head named in the
bundled revision files (``tests/storage/test_migrations.py`` checks that this is Alembic's own head).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from commmatters_desktop.core.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"^revision(?:\s*:\s*[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


class VaultTooNew(UserError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"This vault was saved by a newer version of Community Matters Desktop (schema {revision}). "
            "Install the newer version to open it; nothing was changed."
        )


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))  # set in code so frozen builds work
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _revisions() -> tuple[frozenset[str], str | None]:
    return _read_revisions(SCRIPT_LOCATION)


@cache
def _read_revisions(location: Path) -> tuple[frozenset[str], str | None]:
    """The bundled revisions, and the one no other revision comes after (None: not readable as text)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for script in (location / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found:
            revisions.add(found.group(1))
            down = _DOWN.search(source)
            if down:
                downs.add(down.group(1))
    heads = revisions - downs
    return frozenset(revisions), (next(iter(heads)) if len(heads) == 1 else None)


def head_revision() -> str:
    head = _revisions()[1]
    if head is None:  # a build without readable scripts, or a branched history: Alembic decides
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations are bundled"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:  # no such table: a brand new database
            return None


def _known(revision: str) -> bool:
    if revision in _revisions()[0]:
        return True
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

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
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return saved
