"""Leaflets: previewing one, publishing the cycle's (with progress), and the force's name and logo."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from commmatters_desktop.core.errors import UserError
from commmatters_desktop.core.services import force, priorities
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.controllers.base import Controller
from commmatters_desktop.ui.forms import Field, Kind

if TYPE_CHECKING:  # leaflets (reportlab, Qt's PDF viewer) load when first asked for, not at start
    from commmatters_desktop.reports.publish import Batch
    from commmatters_desktop.ui.leaflet_preview import LeafletPreview


class LeafletsController(Controller):
    def preview_leaflet(self, priority_id: uuid.UUID) -> LeafletPreview:
        from commmatters_desktop.ui.leaflet_preview import LeafletPreview

        ward_code, cycle = self.ops.read(lambda s: priorities.ward_and_cycle(s, priority_id))
        dialog = LeafletPreview(self.ops, self.clock, ward_code, cycle, self.window)
        dialog.open()
        return dialog

    def cycle_leaflets(self) -> Batch | None:
        """A leaflet for every ward of the board's cycle with feedback, into a folder the user chooses."""
        from commmatters_desktop.reports.leaflet import LeafletFormat
        from commmatters_desktop.ui.leaflet_preview import batch_leaflets

        cycle = self.window.board.selected_cycle() or str(self.window.cycle)
        answer = forms.ask_form(
            self.window,
            f"Leaflets for {cycle}",
            "A leaflet for every ward whose priority has feedback recorded.",
            [
                Field(
                    "format",
                    "Format",
                    Kind.CHOICE,
                    value=LeafletFormat.A4,
                    choices=[(f.label, f) for f in LeafletFormat],
                )
            ],
            "Choose folder…",
        )
        if answer is None:
            return None
        folder = QFileDialog.getExistingDirectory(self.window, "Save the leaflets in", str(Path.home()))
        if not folder:
            return None
        batch = batch_leaflets(self.ops, self.clock, cycle, Path(folder), answer["format"], self.window)
        lines = batch.describe() + [f"{code}: {reason}" for code, reason in batch.refused[:10]]
        if len(batch.refused) > 10:
            lines.append(f"… and {len(batch.refused) - 10} more wards not made.")
        QMessageBox.information(self.window, "Leaflets", "\n\n".join(lines))
        return batch

    def force_identity(self) -> None:
        current = self.ops.read(force.force_name)
        answer = forms.ask_form(
            self.window,
            "Force name and logo",
            "Printed at the top of every leaflet.",
            [
                Field("name", "Force name", required=True, value=current),
                Field("logo", "Change the logo", Kind.CHECK, value=False),
            ],
            "Save",
        )
        if answer is None:
            return
        logo: bytes | None = None
        if answer["logo"]:
            path, _ = QFileDialog.getOpenFileName(
                self.window, "Choose the logo", str(Path.home()), "Images (*.png *.jpg)"
            )
            if path:
                try:
                    logo = Path(path).read_bytes()
                except OSError as exc:
                    QMessageBox.warning(
                        self.window, "Logo not read", f"{path} could not be read: {exc.strerror}."
                    )
                    return
        try:
            self.ops.run(lambda s: force.set_force(s, name=answer["name"], logo=logo))
        except UserError as exc:
            QMessageBox.warning(self.window, "Not changed", exc.message)
            return
        self.say(f"Leaflets will be published as '{answer['name']}'.", 8000)
