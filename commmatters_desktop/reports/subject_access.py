"""A subject access request's answer as a PDF: what is held, section by section, in plain words."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.subject_access import Held
from commmatters_desktop.reports.pdf import BRAND, FONT, register_fonts, style


def render(held: list[Held], *, name: str, reference: str, force_name: str, on: dt.date) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, invariant=True, initialFontName=FONT, leftMargin=16 * mm,
                            rightMargin=16 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
                            title=f"Subject access: {reference}", author=force_name,
                            creator="Community Matters Desktop")  # fmt: skip
    h1, h2 = style("h1", 16, bold=True, color=BRAND, space_after=4), style("h2", 12, bold=True, color=BRAND)
    p, cell = style("p", 10, space_after=3), style("cell", 8.5)
    story: list[Flowable] = [
        Paragraph("Subject access request: personal data held", h1),
        Paragraph(
            f"{escape(force_name)} · Community Matters Desktop · request {escape(reference)} · "
            f"searched {in_words(on)} for <b>{escape(name)}</b>",
            p,
        ),
        Paragraph(
            f"{len(held)} item{'s' if len(held) != 1 else ''} found. OFFICIAL-SENSITIVE: personal data.", p
        ),
    ]
    for section in dict.fromkeys(h.section for h in held):
        story.append(Paragraph(escape(section), h2))
        rows = [[Paragraph(t, cell) for t in ("Record", "Field", "Value")]]
        rows += [[Paragraph(escape(h.record), cell), Paragraph(escape(h.field.replace("_", " ")), cell),
                  Paragraph(escape(h.value), cell)] for h in held if h.section == section]  # fmt: skip
        table = Table(rows, colWidths=[32 * mm, 32 * mm, 114 * mm], repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, BRAND), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), BRAND.clone(alpha=0.12))]))  # fmt: skip
        story.append(table)
    if not held:
        story.append(Paragraph("Nothing is held about this name.", p))
    doc.build(story)
    return buffer.getvalue()
