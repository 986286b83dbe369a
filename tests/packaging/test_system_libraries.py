"""The README's apt line names every system library Qt's window needs, checked against Qt's own files.

Run where the README's line has been installed (CI does, on a fresh Debian machine):
``python -m pytest -m packaging tests/packaging``. Debian or Ubuntu only (needs ``ldd`` and ``dpkg``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QLibraryInfo

from commmatters_desktop.ui.startup import missing_libraries
from tests.conftest import REPO

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or not (shutil.which("ldd") and shutil.which("dpkg-query")),
        reason="checks a Debian or Ubuntu system",
    ),
]

PLUGINS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
QT_LIBS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
#: What the window loads: the X11 display plugin and the Qt libraries the app imports.
LOADED = [
    PLUGINS / "platforms" / "libqxcb.so",
    *(QT_LIBS / f"libQt6{name}.so.6" for name in ("XcbQpa", "Gui", "Core", "Widgets", "DBus", "Pdf",
                                                   "PdfWidgets", "PrintSupport", "OpenGL")),
]  # fmt: skip


def readme_packages() -> set[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"sudo apt-get install ([a-z0-9.+\- ]+)", text)
    assert found, "the README has no apt-get line"
    return set(found.group(1).split())


def needed(library: Path) -> list[str]:
    """The libraries a file names itself (its ELF NEEDED entries), resolved by ldd."""
    done = subprocess.run(
        ["ldd", str(library)],
        capture_output=True,
        text=True,
        check=True,
        env={"LD_LIBRARY_PATH": str(QT_LIBS)},
    )
    assert missing_libraries(done.stdout) == [], f"{library.name} cannot load: {done.stdout}"
    return [
        m.group(1) for m in re.finditer(r"=> (/\S+)", done.stdout) if not m.group(1).startswith(str(QT_LIBS))
    ]


def owners(paths: set[str]) -> set[str]:
    """The Debian packages that own these files (one dpkg-query for all of them)."""
    candidates = {path: str(Path(path).resolve()) for path in paths}
    done = subprocess.run(["dpkg-query", "-S", *candidates.values()], capture_output=True, text=True)
    found = dict(line.split(": ", 1)[::-1] for line in done.stdout.splitlines() if ": " in line)
    # merged /usr: dpkg may record /lib/... for a file resolved to /usr/lib/...
    unowned = [p for p in candidates.values() if p not in found]
    if unowned:
        retry = [p.replace("/usr/lib/", "/lib/", 1) for p in unowned]
        done = subprocess.run(["dpkg-query", "-S", *retry], capture_output=True, text=True)
        found.update(dict(line.split(": ", 1)[::-1] for line in done.stdout.splitlines() if ": " in line))
        missing = [p for p in retry if p not in found]
        assert missing == [], f"no Debian package owns {missing}"
    return {package.split(":")[0] for package in found.values() for package in package.split(", ")}


def with_dependencies(names: set[str]) -> set[str]:
    """The packages and everything they depend on, as apt would install them (from dpkg's own records)."""
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\t${Provides}\n"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    depends: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():
        package, requires, provides = line.split("\t")
        names_of = [package] + [p.strip().split(" ")[0] for p in provides.split(",") if p.strip()]
        wanted = [
            alt.strip().split(" ")[0].split(":")[0] for c in requires.split(",") for alt in c.split("|")
        ]
        for name in names_of:
            depends.setdefault(name, []).extend([package, *wanted] if name != package else wanted)
    seen: set[str] = set()
    todo = sorted(names)
    while todo:
        name = todo.pop()
        if name and name not in seen:
            seen.add(name)
            todo.extend(depends.get(name, []))
    return seen


def test_the_readme_apt_line_installs_every_library_the_window_loads() -> None:
    """ldd lists every library the window loads (directly or not); each must come from a package the
    README names, one apt installs with them, or one every system has (apt and dpkg and their needs)."""
    listed = readme_packages()
    provided = with_dependencies(listed) | with_dependencies({"apt", "dpkg"})
    loaded = owners({path for library in LOADED for path in needed(library)})
    assert sorted(loaded - provided) == [], "the README's apt line lacks these packages"
