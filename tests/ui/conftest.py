from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from commmatters_desktop.ui.settings import WindowSettings


@pytest.fixture
def window_settings(tmp_path: Path) -> WindowSettings:
    """Window state goes to a private ini file, never the user's settings."""
    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
