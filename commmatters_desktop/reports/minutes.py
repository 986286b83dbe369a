"""Minutes of a ward panel (PACT) meeting as a PDF: no personal data of residents, ever.

Nominations appear in their redacted or masked wording and the officer's notes are masked; only
counts of people are recorded (attendance, support, votes), never their names.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.enums import NominationStatus
from commmatters_desktop.core.meeting import Agenda
from commmatters_desktop.reports.pdf import BRAND, FONT, FONT_BOLD, demo_marking, register_fonts, style


def render_minutes(agenda: Agenda) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=True, initialFontName=FONT, leftMargin=18 * mm, rightMargin=18 * mm,
        topMargin=16 * mm, bottomMargin=16 * mm, title=f"Ward panel minutes: {agenda.ward_name} {agenda.held_on}",
        author=agenda.force_name, creator="Community Matters Desktop",
    )  # fmt: skip
    h1 = style("h1", 18, bold=True, color=BRAND, space_after=4)
    h2 = style("h2", 12.5, bold=True, color=BRAND, space_before=10, space_after=4)
    p = style("p", 10, space_after=3)
    cell = style("cell", 9.5)
    head = style("head", 9.5, bold=True)
    e = escape
    story: list[Flowable] = [
        Paragraph(f"Ward panel meeting: {e(agenda.ward_name)}", h1),
        Paragraph(f"{e(agenda.force_name)} and partners · {e(agenda.la_name)} · priorities for {e(agenda.cycle)}", p),
        Paragraph(f"<b>Date:</b> {in_words(agenda.held_on, weekday=True)} &nbsp; "
                  f"<b>Venue:</b> {e(agenda.venue)} &nbsp; "
                  f"<b>Attendance:</b> {agenda.attendance if agenda.attendance is not None else 'not recorded'}", p),
        Paragraph("Only numbers of people are recorded in these minutes, never the names of residents.", p),
        Paragraph(f"Last quarter ({e(agenda.previous_cycle)})", h2),
    ]  # fmt: skip
    last = agenda.last_quarter
    if last is None:
        story.append(Paragraph("No result from last quarter was reported.", p))
    else:
        story.append(Paragraph(f"<b>You said:</b> {e(last.you_said)}", p))
        if last.summary_action:
            story.append(Paragraph(f"<b>We did:</b> {e(last.summary_action)}", p))
    story.append(Paragraph("Nominations and the vote", h2))
    rows = [[Paragraph(t, head) for t in ("Nomination", "Support", "Votes", "Outcome")]]
    for n in agenda.shown_nominations:
        support = f"{n.combined_support} ({n.raised_through})"
        outcome = (
            n.status.label
            if n.status is not NominationStatus.NOT_TAKEN_FORWARD
            else f"Not taken forward: {n.reason}"
        )
        votes = "—" if n.votes is None else str(n.votes)
        rows.append([Paragraph(e(text), cell) for text in (n.display, support, votes, outcome)])
    table = Table(rows, colWidths=[70 * mm, 38 * mm, 16 * mm, 50 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.4, BRAND),
        ("BACKGROUND", (0, 0), (-1, 0), BRAND.clone(alpha=0.12)), ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))  # fmt: skip
    story.append(table)
    story.append(Paragraph("Decision", h2))
    if agenda.decided:
        story.append(Paragraph(f"The panel agreed the priority <b>{e(agenda.decided)}</b>, "
                               f"led by <b>{e(agenda.decided_lead)}</b>.", p))  # fmt: skip
    else:
        story.append(Paragraph("No priority was agreed at this meeting.", p))
    story.append(Paragraph("Actions and notes agreed", h2))
    story.append(Paragraph(e(agenda.decisions) if agenda.decisions else "None recorded.", p))
    story.append(Spacer(1, 8))
    story.append(
        Paragraph(
            f"<font name='{FONT_BOLD}'>Next steps:</font> the lead agency brings a SARA problem-solving plan to the "
            "next panel; results are fed back in a 'You said, we did' leaflet.",
            p,
        )
    )

    def decorate(canvas: object, _doc: object) -> None:
        if agenda.demo:
            demo_marking(canvas, *A4)  # type: ignore[arg-type]

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
