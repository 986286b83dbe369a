"""Start-up: a command runs headless; no command opens the window.

The CLI never imports Qt, so scripts and schedulers work on machines without a display.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from commmatters_desktop import cli

    args = list(sys.argv[1:] if argv is None else argv)
    parser = cli.build_parser()
    try:
        parsed, _unknown = parser.parse_known_args(args)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if getattr(parsed, "command", None) is None and not {"-h", "--help", "--version"} & set(args):
        return gui_main(args)
    try:
        code = cli.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # Piped into `head` or a pager that quit: the reader has what it wanted; no traceback on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


def gui_main(argv: Sequence[str] | None = None) -> int:
    from commmatters_desktop import APP_NAME
    from commmatters_desktop.ui.startup import startup_problem

    problem = startup_problem()
    if problem is not None:
        print(f"{APP_NAME}: {problem}", file=sys.stderr)
        return 1
    from commmatters_desktop.ui.application import run_gui

    return run_gui(list(sys.argv[1:] if argv is None else argv))
