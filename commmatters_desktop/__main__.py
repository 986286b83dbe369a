"""``python -m commmatters_desktop``: the same as the ``commmatters-desktop`` command."""

from commmatters_desktop.app import main

raise SystemExit(main())
