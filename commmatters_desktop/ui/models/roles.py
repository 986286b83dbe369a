"""Item data roles and header orientations as plain values, for models' ``data`` and ``headerData``.

Qt asks a model for about a dozen roles per cell and per header section, hundreds of cells a paint, and
680 sections when a header sizes itself. Reading ``Qt.ItemDataRole.DisplayRole`` goes through PySide's
enum machinery every time (about six times the cost of comparing an int), which was a fifth of a
680-ward view's first show. Qt hands ``role`` over as an int, so the models compare with these.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

DISPLAY = int(Qt.ItemDataRole.DisplayRole)
EDIT = int(Qt.ItemDataRole.EditRole)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)

HORIZONTAL = Qt.Orientation.Horizontal
