"""Every filesystem location the app uses, resolved in one place.

Tests, a portable build and ``--data-dir`` all redirect paths here, so no other module
calls platformdirs or guesses where the resources live.
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from commmatters_desktop import APP_NAME

DEMO_FOLDER_NAME = "demo"


def default_data_dir() -> Path:
    """The user's vault folder when ``--data-dir`` is not given."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_demo_dir() -> Path:
    """The demo vault lives apart from real data so it can be rebuilt without a second thought."""
    return default_data_dir() / DEMO_FOLDER_NAME


def _root() -> Path:
    """The folder holding ``resources/``: the checkout, or the bundle when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle is not None else Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """Top-level ``resources/``: beside the package in a checkout, inside the bundle when frozen."""
    return _root() / "resources"


def build_info_file() -> Path:
    """Written into a packaged build by packaging/commmatters-desktop.spec (see build.py)."""
    return _root() / "build-info.json"


def resource(*parts: str) -> Path:
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"A bundled resource is missing: {path}. Reinstall the application.")
    return path
