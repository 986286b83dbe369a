"""Window state in QSettings through one typed wrapper; anything about data lives in the vault."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from commmatters_desktop import APP_NAME

ORGANISATION = "CommunityMatters"


class WindowSettings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._s = settings or QSettings(ORGANISATION, APP_NAME)

    def geometry(self) -> QByteArray | None:
        value = self._s.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def state(self) -> QByteArray | None:
        value = self._s.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def autolock_minutes(self, default: float) -> float:
        value = self._s.value("security/autolock_minutes", default)
        try:
            minutes = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return default
        return minutes if minutes > 0 else default

    def set_autolock_minutes(self, minutes: float) -> None:
        self._s.setValue("security/autolock_minutes", minutes)
        self._s.sync()

    def save_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)
        self._s.sync()
