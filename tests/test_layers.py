"""The architecture's one hard line: nothing outside ui/ imports Qt (so the core and CLI run headless)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "commmatters_desktop"


def non_ui_modules() -> list[str]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        if "ui" in parts or "migrations" in parts or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts.pop()
        modules.append(".".join(parts))
    return modules


def test_nothing_outside_ui_imports_pyside6() -> None:
    modules = non_ui_modules()
    assert "commmatters_desktop.core.services.priorities" in modules and "commmatters_desktop.cli" in modules
    probe = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"Qt was imported outside ui/: {result.stdout}"


def test_the_core_does_not_reach_into_storage_or_the_ui() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / "core").rglob("*.py")
        if "commmatters_desktop.storage" in path.read_text() or "commmatters_desktop.ui" in path.read_text()
    ]
    assert offenders == []


def test_the_ui_reads_and_edits_through_services_never_database_records() -> None:
    """Views and controllers hold ids and read models; edits are core commands (``core.commands``).
    A screen that fetches a record itself bypasses the rules and their undo (issue 15, item 2)."""
    import ast

    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "commmatters_desktop.core.models":
                records = [a.name for a in node.names if a.name[:1].isupper()]
                if records:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {', '.join(records)}")
            if isinstance(node, ast.Attribute) and node.attr in (
                "fetch",
                "fetch_any",
                "tombstone",
                "restore",
            ):
                if isinstance(node.value, ast.Name) and node.value.id == "common":
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} calls common.{node.attr}")
    assert offenders == []


def test_every_fallback_on_the_machines_clock_is_frozen_in_the_tests() -> None:
    """A module that falls back on ``SystemClock()`` when given no clock is listed in tests/conftest.py's
    CLOCK_DEFAULTS, so no test depends on the day it runs (one failed the day after it was written)."""
    from tests.conftest import CLOCK_DEFAULTS

    package = Path(__file__).resolve().parents[1] / "commmatters_desktop"
    falling_back = {
        "commmatters_desktop." + ".".join(path.relative_to(package).with_suffix("").parts)
        for path in package.rglob("*.py")
        if "SystemClock()" in path.read_text(encoding="utf-8") and path.name != "clock.py"
    }
    assert falling_back == set(CLOCK_DEFAULTS)
