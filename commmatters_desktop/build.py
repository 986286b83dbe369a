"""Which build is running: from source, or a packaged app and the day it was built.

The first thing support asks is "which version, and is it the installed one?"; ``--version`` and
Help → About both answer from here. A packaged build carries ``build-info.json``, written by
``packaging/commmatters-desktop.spec``; a checkout or ``pip install`` has none.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from commmatters_desktop import __version__, paths


@dataclass(frozen=True)
class Build:
    version: str
    packaged: bool
    date: str | None = None
    commit: str | None = None

    def describe(self) -> str:
        """``0.2.0 (source)`` or ``0.2.0 (packaged 2026-11-21, commit a9b9d74)``."""
        if not self.packaged:
            return f"{self.version} (source)"
        details = [f"packaged {self.date}" if self.date else "packaged, build date unknown"]
        if self.commit:
            details.append(f"commit {self.commit}")
        return f"{self.version} ({', '.join(details)})"


def current() -> Build:
    if not getattr(sys, "frozen", False):
        return Build(__version__, packaged=False)
    try:
        info = json.loads(paths.build_info_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Build(__version__, packaged=True)  # a build made without the spec: say so, do not fail
    return Build(__version__, packaged=True, date=info.get("date"), commit=info.get("commit"))
