from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from commmatters_desktop.core.clock import FixedClock
from commmatters_desktop.storage.vault import Vault
from commmatters_desktop.ui.main_window import MainWindow
from commmatters_desktop.ui.settings import WindowSettings


@pytest.fixture
def window_settings(tmp_path: Path) -> WindowSettings:
    """Window state goes to a private ini file, never the user's settings."""
    return WindowSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def answer_forms(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Answer the app's forms as a user would, recording what was asked."""
    from commmatters_desktop.ui import forms

    asked: list[str] = []
    answers: dict[str, object] = {}

    def ask_form(_parent, title, _intro, fields, _ok="OK"):  # type: ignore[no-untyped-def]
        asked.append(title)
        given = answers.get(title)
        if given is None:
            return None
        values = {f.key: f.value for f in fields}
        values.update(given(fields) if callable(given) else given)  # type: ignore[arg-type]
        return values

    def ask_reason(_parent, title, _question):  # type: ignore[no-untyped-def]
        asked.append(title)
        value = answers.get(title)
        return None if value is None else str(value)

    monkeypatch.setattr(forms, "ask_form", ask_form)
    monkeypatch.setattr(forms, "ask_reason", ask_reason)
    return answers, asked


@pytest.fixture
def window(
    qtbot: QtBot, demo_vault: Vault, clock: FixedClock, window_settings: WindowSettings
) -> Iterator[MainWindow]:
    """The main window on the demo force, laptop-sized, with auto-lock far away."""
    main = MainWindow(demo_vault, clock=clock, settings=window_settings, autolock_minutes=600)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    yield main
