"""Before the window starts: a broken Qt install or a missing system library is one line, not Qt's abort."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo
from pytestqt.qtbot import QtBot

from commmatters_desktop import __version__
from commmatters_desktop.ui import startup
from commmatters_desktop.ui.main_window import MainWindow
from tests.ui.driver import Dialogs

PLUGINS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
QT_LIBS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
needs_ldd = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="ldd is Linux's"
)

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd3a1f2000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f2b6c400000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f2b6c3f0000)
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f2b6c9d0000)
"""


@pytest.mark.parametrize(
    ("pyside", "python", "refused"),
    [
        ("6.12.0", (3, 11), True),
        ("6.12.0", (3, 12), False),
        ("6.12.0", (3, 13), False),
        ("6.11.3", (3, 11), False),
        ("6.12.1", (3, 11), False),
        ("6.8.0", (3, 11), False),
    ],
)
def test_pyside_6_12_0_is_refused_on_python_3_11_only(
    pyside: str, python: tuple[int, int], refused: bool
) -> None:
    message = startup.pyside_refusal(pyside, python)
    assert (message is not None) is refused
    if message is not None:
        assert "\n" not in message and 'pip install "PySide6!=6.12.0"' in message


def test_ldd_output_gives_the_missing_libraries_once_each() -> None:
    assert startup.missing_libraries(LDD_OUTPUT) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    assert startup.missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libfontconfig.so.1", "libfontconfig1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_a_missing_library_is_named_with_its_debian_package(soname: str, package: str) -> None:
    assert startup.debian_package(soname) == package


def test_the_message_is_one_line_with_the_command_that_fixes_it() -> None:
    message = startup.describe_missing("xcb", ["libxcb-cursor.so.0", "libxcb-icccm.so.4"], debian=True)
    assert "\n" not in message
    assert "libxcb-cursor.so.0, libxcb-icccm.so.4" in message
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4" in message


def test_qt_tries_wayland_first_in_a_wayland_session() -> None:
    assert startup.candidate_platforms({}) == ["xcb"]
    assert startup.candidate_platforms({"WAYLAND_DISPLAY": "wayland-0"}) == ["wayland", "xcb"]
    assert startup.candidate_platforms({"QT_QPA_PLATFORM": "offscreen"}) == ["offscreen"]
    assert startup.candidate_platforms({"QT_QPA_PLATFORM": "wayland;xcb"}) == ["wayland", "xcb"]
    assert startup.candidate_platforms({"QT_QPA_PLATFORM": "vnc:size=800x600"}) == ["vnc"]


def _plugin_with_a_missing_library(folder: Path) -> Path:
    """A real copy of Qt's xcb plugin whose first dependency is renamed to a library that does not exist
    (same length, so the ELF file stays valid): what `ldd` and Qt see on a machine without that library."""
    original = (PLUGINS / "libqxcb.so").read_bytes()
    assert b"libQt6XcbQpa.so.6" in original
    folder.mkdir()
    (folder / "libqxcb.so").write_bytes(original.replace(b"libQt6XcbQpa.so.6", b"libQt6XcbQpX.so.6"))
    return folder


@needs_ldd
def test_a_plugin_with_a_missing_library_is_named(tmp_path: Path) -> None:
    plugins = _plugin_with_a_missing_library(tmp_path / "platforms")
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}
    problem = startup.platform_problem(env, plugins, QT_LIBS, debian=True)
    assert problem is not None and "libQt6XcbQpX.so.6" in problem and "\n" not in problem
    assert startup.platform_problem({"QT_QPA_PLATFORM": "offscreen"}, PLUGINS, QT_LIBS) is None


@needs_ldd
def test_the_window_refuses_in_one_line_instead_of_aborting(tmp_path: Path) -> None:
    plugins = _plugin_with_a_missing_library(tmp_path / "platforms")
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", DISPLAY=":0", QT_QPA_PLATFORM_PLUGIN_PATH=str(plugins))
    done = subprocess.run(
        [sys.executable, "-m", "commmatters_desktop", "--data-dir", str(tmp_path / "vault")],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "libQt6XcbQpX.so.6" in done.stderr, done.stderr
    assert done.stderr.startswith("commmatters-desktop: The window cannot open:")
    assert not (tmp_path / "vault").exists()


@needs_ldd
def test_no_display_and_an_unknown_plugin_are_one_line_each() -> None:
    no_display = startup.platform_problem({"QT_QPA_PLATFORM": "xcb"}, PLUGINS, QT_LIBS)
    assert no_display is not None and "no desktop session (DISPLAY is not set)" in no_display
    unknown = startup.platform_problem({"QT_QPA_PLATFORM": "teletype"}, PLUGINS, QT_LIBS)
    assert unknown is not None and "'teletype'" in unknown and "offscreen" in unknown


def test_this_install_can_start_the_window_offscreen() -> None:
    assert startup.startup_problem() is None


def test_about_shows_the_version_and_the_build(window: MainWindow, dialogs: Dialogs) -> None:
    dialogs.press("About", "OK")
    window.actions_.about.trigger()
    dialogs.done()
    assert f"{__version__} (source)" in dialogs.seen[0]


def test_the_smoke_run_visits_every_view_and_closes(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(startup.SMOKE_ENV, "views")
    startup.smoke_after_shown(window)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60_000)  # six views on a busy 2-core runner
    out = capsys.readouterr().out
    assert "smoke: actionShowOverview" in out and "smoke: actionShowWards" in out and "smoke: shown" in out
