"""A partner's open actions across every ward, printed for a PACT or CSP meeting."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.partner_actions import PartnerAction
from commmatters_desktop.reports.pdf import BRAND, FONT, demo_marking, register_fonts, style


def render_action_list(
    agency: str, actions: list[PartnerAction], *, today: dt.date, force_name: str, demo: bool
) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        invariant=True,
        initialFontName=FONT,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"Open actions: {agency}",
        author=force_name,
    )
    h1 = style("h1", 17, bold=True, color=BRAND, space_after=4)
    p = style("p", 10, space_after=6)
    cell = style("cell", 9)
    head = style("head", 9, bold=True)
    overdue = sum(a.overdue for a in actions)
    story: list[Flowable] = [
        Paragraph(f"Open actions for {escape(agency)}", h1),
        Paragraph(
            f"{escape(force_name)} · Community Matters · as at {in_words(today)} · {len(actions)} open, "
            f"{overdue} overdue",
            p,
        ),
    ]
    rows: list[list[Paragraph]] = [
        [Paragraph(t, head) for t in ("Due", "Ward", "Priority", "Action", "Status")]
    ]
    for a in actions:
        due = f"{a.due_on:%d %b %Y}" if a.due_on else "no date"
        rows.append(
            [
                Paragraph(escape(t), cell)
                for t in (
                    due + (" (overdue)" if a.overdue else ""),
                    f"{a.ward_name} ({a.ward_code})",
                    f"{a.priority} ({a.cycle})",
                    a.description,
                    a.status.label,
                )
            ]
        )
    if len(rows) == 1:
        story.append(Paragraph("No open actions: nothing is owed.", p))
    else:
        table = Table(rows, colWidths=[30 * mm, 45 * mm, 60 * mm, 110 * mm, 24 * mm], repeatRows=1)
        commands: list[Any] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.4, BRAND),
            ("BACKGROUND", (0, 0), (-1, 0), HexColor("#e4ebf3")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        commands += [
            ("BACKGROUND", (0, i), (0, i), HexColor("#fde2e4")) for i, a in enumerate(actions, 1) if a.overdue
        ]
        table.setStyle(TableStyle(commands))
        story.append(table)

    def decorate(canvas: object, _doc: object) -> None:
        if demo:
            demo_marking(canvas, *page)  # type: ignore[arg-type]

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
