"""Checks before the window starts, so a machine that cannot show it gets one line that says why.

Without them Qt prints a paragraph blaming the wrong library and aborts (core dump), or PySide6 6.12.0
on Python 3.11 aborts with ``none_dealloc`` minutes later. Nothing here imports a Qt module that needs a
display library until the checks have passed: importing ``PySide6.QtGui`` itself fails when ``libEGL``
is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Debian and Ubuntu package names that do not follow the library packaging rule.
_PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
_CANNOT_OPEN = re.compile(r"(\S+\.so[.\d]*): cannot open shared object file")
FIX_PYSIDE = 'pip install "PySide6!=6.12.0"'
SMOKE_ENV = "COMMMATTERS_SMOKE"


def pyside_refusal(pyside: str, python: tuple[int, int]) -> str | None:
    """PySide6 6.12.0 on Python < 3.12 drops a reference to None on every void call and aborts."""
    if pyside.split("+")[0] == "6.12.0" and python < (3, 12):
        return (
            f"PySide6 6.12.0 crashes on Python {python[0]}.{python[1]} (it aborts with none_dealloc); "
            f"install another version with: {FIX_PYSIDE}"
        )
    return None


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` could not find, each once, in the order it reported them."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library, by Debian's library packaging rule.

    ``libxcb-cursor.so.0`` → ``libxcb-cursor0``; a name ending in a digit gets a hyphen
    (``libxkbcommon-x11.so.0`` → ``libxkbcommon-x11-0``).
    """
    if soname in _PACKAGE_EXCEPTIONS:
        return _PACKAGE_EXCEPTIONS[soname]
    stem, _, version = soname.partition(".so")
    version = version.lstrip(".")
    stem = stem.lower()
    if not version:
        return stem
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def _is_debian_like(os_release: Path = Path("/etc/os-release")) -> bool:
    try:
        text = os_release.read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(r"^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b", text, re.MULTILINE) is not None


def describe_missing(platform: str, libraries: Iterable[str], *, debian: bool) -> str:
    names = list(libraries)
    text = (
        f"The window cannot open: Qt's {platform} display plugin needs system libraries that are not "
        f"installed ({', '.join(names)})."
    )
    if debian:
        packages = " ".join(dict.fromkeys(debian_package(name) for name in names))
        text += f" Install them with: sudo apt-get install {packages}"
    else:
        text += " Install them with your system's package manager."
    return text + " (Commands work without them: see --help.)"


def _ldd(library: Path, qt_libraries: Path) -> str | None:
    """``ldd`` over a plugin, with Qt's own libraries visible as they are inside the running app."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(qt_libraries), env.get("LD_LIBRARY_PATH")) if p)
    try:
        done = subprocess.run([ldd, str(library)], capture_output=True, text=True, env=env, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout + done.stderr


def candidate_platforms(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order (Qt 6 prefers Wayland in a Wayland session)."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [name.split(":")[0] for name in chosen.split(";") if name]
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def platform_problem(
    env: Mapping[str, str], plugins: Path, qt_libraries: Path, *, debian: bool | None = None
) -> str | None:
    """Why no platform plugin Qt would try can load, or None when one can (or we cannot tell)."""
    folder = Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"]) if env.get("QT_QPA_PLATFORM_PLUGIN_PATH") else plugins
    problems: list[str] = []
    for platform in candidate_platforms(env):
        plugin = folder / f"libq{platform}.so"
        if not plugin.exists():
            installed = sorted(p.name[4:-3] for p in folder.glob("libq*.so"))
            problems.append(
                f"Qt has no display plugin called {platform!r} (QT_QPA_PLATFORM); "
                f"choose one of: {', '.join(installed) or 'none installed'}."
            )
            continue
        if platform == "xcb" and not env.get("DISPLAY"):
            problems.append(
                "The window cannot open: there is no desktop session (DISPLAY is not set). "
                "Run it from your desktop, or use a command (see --help)."
            )
            continue
        output = _ldd(plugin, qt_libraries)
        if output is None:
            return None  # no ldd: let Qt try
        missing = missing_libraries(output)
        if not missing:
            return None
        problems.append(
            describe_missing(platform, missing, debian=_is_debian_like() if debian is None else debian)
        )
    return problems[-1] if problems else None


def startup_problem() -> str | None:
    """Everything that would stop the window from starting, as one line; None when it can start."""
    try:
        import PySide6
        from PySide6.QtCore import QLibraryInfo
    except ImportError as exc:
        return _import_problem(exc)
    refusal = pyside_refusal(PySide6.__version__, sys.version_info[:2])
    if refusal is not None:
        return refusal
    if sys.platform.startswith("linux"):
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        libraries = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
        problem = platform_problem(os.environ, plugins, libraries)
        if problem is not None:
            return problem
    try:
        import PySide6.QtGui
        import PySide6.QtWidgets
    except ImportError as exc:
        return _import_problem(exc)
    return None


def _import_problem(exc: ImportError) -> str:
    missing = _CANNOT_OPEN.findall(str(exc))
    if missing:
        return describe_missing("Qt", missing, debian=_is_debian_like())
    return f"The window cannot open: Qt for Python cannot be loaded ({exc}). Reinstall the application."


def smoke_after_shown(window: object) -> None:
    """For the packaged app's smoke test only (``COMMMATTERS_SMOKE=views``): once the window is shown,
    visit every view, say so on stdout and close the window the way a user does."""
    if os.environ.get(SMOKE_ENV) != "views":
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    assert isinstance(window, QMainWindow)
    views = sorted(
        (a for a in window.findChildren(QAction) if a.objectName().startswith("actionShow")),
        key=lambda a: a.objectName(),
    )

    def step(remaining: list[QAction]) -> None:
        if remaining:
            remaining[0].trigger()
            print(f"smoke: {remaining[0].objectName()}", flush=True)
            QTimer.singleShot(0, lambda: step(remaining[1:]))
        else:
            print(f"smoke: shown {window.windowTitle()!r}", flush=True)
            window.close()

    QTimer.singleShot(0, lambda: step(views))
