"""The "You said, we did" leaflet as a print-ready PDF: A4 single page, A5, or large print.

Plain English, high contrast, the ward team's route rather than anyone's phone, a chart when there
are figures, a QR code to the online engagement page, and the force's name (and logo, if set).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy.orm import Session

from commmatters_desktop.core import privacy
from commmatters_desktop.core.leaflets import OGL_LINE, Figure, LeafletContent, figure_text, leaflet_content
from commmatters_desktop.core.services import force
from commmatters_desktop.reports.pdf import (
    ACCENT,
    BRAND,
    FONT,
    MUTED,
    demo_marking,
    register_fonts,
    sha256,
    style,
)


class LeafletFormat(StrEnum):
    A4 = "a4"
    A5 = "a5"
    LARGE_PRINT = "large-print"

    @property
    def label(self) -> str:
        return {"a4": "A4 single page", "a5": "A5", "large-print": "Large print (A4)"}[self.value]


#: body size, heading size, margin, header height, page size
_SIZES = {
    LeafletFormat.A4: (10.5, 15, 14 * mm, 44 * mm, A4),
    LeafletFormat.A5: (9.5, 13, 10 * mm, 36 * mm, A5),
    LeafletFormat.LARGE_PRINT: (16, 22, 16 * mm, 52 * mm, A4),
}


def render_leaflet(
    content: LeafletContent, fmt: LeafletFormat = LeafletFormat.A4, *, logo: bytes | None = None
) -> bytes:
    register_fonts()
    body, heading, margin, header, page = _SIZES[fmt]
    width, height = page
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=page, invariant=True, title=f"You said, we did: {content.ward_name} {content.cycle}",
        author=content.force_name, subject="Community Matters feedback leaflet", creator="Community Matters Desktop",
        initialFontName=FONT,  # or reportlab lists an unembedded Helvetica on every page
        leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin,
    )  # fmt: skip
    footer = (18 if content.show_ogl else 12) * mm * (1.4 if fmt is LeafletFormat.LARGE_PRINT else 1)
    frame_width, frame_height = width - 2 * margin, height - header - 2 * margin - footer
    first = Frame(margin, margin + footer, frame_width, frame_height, id="first")
    later = Frame(margin, margin + footer, width - 2 * margin, height - 2 * margin - footer, id="later")

    def decorate(canvas: Canvas, _doc: BaseDocTemplate, *, banner: bool) -> None:
        if banner:
            _banner(canvas, content, width, height, header, margin, heading, logo)
        _footer(canvas, content, width, margin, body)
        if content.demo:
            demo_marking(canvas, width, height)

    doc.addPageTemplates([
        PageTemplate("first", [first], onPage=lambda c, d: decorate(c, d, banner=True), autoNextPageTemplate="later"),
        PageTemplate("later", [later], onPage=lambda c, d: decorate(c, d, banner=False)),
    ])  # fmt: skip
    story = _story(content, fmt, body, heading, width - 2 * margin)
    if fmt is LeafletFormat.A4:
        # One side of A4 whatever happens: a long list shrinks a little rather than spill over.
        story = [KeepInFrame(frame_width, frame_height, story, mode="shrink")]
    doc.build(story)
    return buffer.getvalue()


def _banner(
    canvas: Canvas,
    content: LeafletContent,
    width: float,
    height: float,
    header: float,
    margin: float,
    heading: float,
    logo: bytes | None,
) -> None:
    canvas.saveState()
    canvas.setFillColor(BRAND)
    canvas.rect(0, height - header, width, header, stroke=0, fill=1)
    canvas.setFillColor(ACCENT)
    canvas.rect(0, height - header, width, 2.2 * mm, stroke=0, fill=1)
    left = margin
    if logo:
        size = header - 14 * mm
        canvas.drawImage(
            ImageReader(io.BytesIO(logo)),
            margin,
            height - header + 8 * mm,
            size,
            size,
            preserveAspectRatio=True,
            mask="auto",
        )
        left += size + 5 * mm
    canvas.setFillColor(white)
    canvas.setFont(FONT, heading * 0.75)
    canvas.drawString(left, height - margin - heading * 0.4, content.force_name)
    canvas.setFont("DejaVuSans-Bold", heading * 1.75)
    canvas.drawString(left, height - margin - heading * 2.1, "You said, we did")
    canvas.setFont(FONT, heading * 0.85)
    canvas.drawString(
        left, height - margin - heading * 3.2, f"{content.ward_name} · {content.la_name} · {content.period}"
    )
    canvas.restoreState()


def _footer(canvas: Canvas, content: LeafletContent, width: float, margin: float, body: float) -> None:
    """Attribution and publisher, wrapped to the page so nothing runs off the edge."""
    size = max(7.5, body * 0.6)
    lines = simpleSplit(OGL_LINE, FONT, size, width - 2 * margin) if content.show_ogl else []
    lines += simpleSplit(
        f"Published by {content.force_name} and partners · ward {content.ward_code} · {content.cycle}",
        FONT, size, width - 2 * margin,
    )  # fmt: skip
    canvas.saveState()
    canvas.setFont(FONT, size)
    canvas.setFillColor(MUTED)
    y = margin + 2 * mm + size * 1.25 * (len(lines) - 1)
    for line in lines:
        canvas.drawString(margin, y, line)
        y -= size * 1.25
    canvas.restoreState()


def _story(
    content: LeafletContent, fmt: LeafletFormat, body: float, heading: float, width: float
) -> list[Flowable]:
    h = style("h", heading, bold=True, color=BRAND, space_before=heading * 0.5, space_after=heading * 0.25)
    p = style("p", body, space_after=body * 0.35)
    quote = style("q", body * 1.15, bold=True, leading=1.35)
    small = style("s", body * 0.9, color=MUTED)
    e = escape
    story: list[Flowable] = []

    def section(title: str, parts: list[Flowable]) -> None:
        """A heading never ends a page without the start of its section (A4 is one page: nothing to break)."""
        if fmt is LeafletFormat.A4:
            story.extend([Paragraph(title, h), *parts])
        else:
            story.append(KeepTogether([Paragraph(title, h), parts[0]]))
            story.extend(parts[1:])

    said: list[Flowable] = [_boxed(Paragraph(f"“{e(content.you_said)}”", quote), width)]
    if content.raised_by:
        # One channel: "Raised by 36 people through a partner." Several: "...: online (32), at the panel (4)."
        joined = (" " if len(content.channels) == 1 else ": ") + ", ".join(content.channels)
        said.append(Spacer(1, body * 0.3))
        said.append(Paragraph(
            f"Raised by {content.raised_by} {'person' if content.raised_by == 1 else 'people'}"
            f"{e(joined) if content.channels else ''}.", small))  # fmt: skip
    section("You said", said)

    did: list[Flowable] = [Paragraph(e(content.summary_action), p)] if content.summary_action else []
    for agency, items in content.we_did:
        did += [Paragraph(f"<b>{e(agency)}</b>", p), _bullets(items, p)]
    section(
        "We did",
        did or [Paragraph("The work is under way; this leaflet will be updated when it is done.", p)],
    )

    if content.figures:
        section("What changed", [_figure(figure, p, body, width, fmt) for figure in content.figures])

    steps = content.next_steps or ["The ward team will keep an eye on it and report back at the ward panel."]
    section("What happens next", [_bullets(steps, p)])

    involved: list[Flowable] = [Paragraph(e(content.next_meeting), p)]
    if content.engagement_url:
        online = [*involved, Paragraph(f"Have your say online: {e(content.engagement_url)}", p)]
        size = {LeafletFormat.A4: 26 * mm, LeafletFormat.A5: 22 * mm, LeafletFormat.LARGE_PRINT: 34 * mm}[fmt]
        involved = [
            _table(
                [[online, _qr(content.engagement_url, size)]],
                [width - size - 4 * mm, size + 4 * mm],
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            )
        ]
    # The contact route gets the full width: an email address split across lines gets mistyped.
    involved += [
        Paragraph(f"<b>Contact the ward team:</b><br/>{e(content.contact)}", p),
        Paragraph("In an emergency always call 999.", small),
    ]
    section("Get involved", involved)
    return story


def _table(rows: list[list[Any]], widths: list[float], *commands: tuple[Any, ...]) -> Table:
    """A layout table in our font (reportlab's default cell font is an unembedded Helvetica)."""
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands]))
    return table


def _boxed(flowable: Flowable, width: float) -> Table:
    return _table(
        [[flowable]], [width],
        ("BACKGROUND", (0, 0), (-1, -1), HexColor("#eef3f8")), ("LINEBEFORE", (0, 0), (0, -1), 4, BRAND),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    )  # fmt: skip


def _bullets(items: list[str], para: ParagraphStyle) -> ListFlowable:
    entries: list[Any] = [ListItem(Paragraph(escape(item), para), leftIndent=12) for item in items]
    return ListFlowable(
        entries,
        bulletType="bullet", start="•", leftIndent=para.fontSize * 1.1, bulletFontName=FONT,
        bulletFontSize=para.fontSize,
    )  # fmt: skip


def _figure(figure: Figure, para: ParagraphStyle, body: float, width: float, fmt: LeafletFormat) -> Flowable:
    unit = f" {figure.unit}" if figure.unit else ""
    text = Paragraph(
        f"<b>{escape(figure.name)}</b>: {figure_text(figure.before)}{unit} ({escape(figure.before_label)}), "
        f"now {figure_text(figure.after)}{unit} ({escape(figure.after_label)}).",
        para,
    )
    if not figure.chartable or figure.before is None or figure.after is None:
        return text
    chart_w, chart_h = {LeafletFormat.LARGE_PRINT: (70 * mm, 38 * mm)}.get(fmt, (52 * mm, 26 * mm))
    drawing = Drawing(chart_w, chart_h)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22, 14, int(chart_w - 30), int(chart_h - 20)
    chart.data = [[figure.before, figure.after]]
    chart.categoryAxis.categoryNames = ["Before", "After"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = body * 0.75
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = body * 0.7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BRAND
    chart.bars.strokeColor = None
    drawing.add(chart)
    return _table(
        [[text, drawing]], [width - chart_w - 4, chart_w + 4],
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
    )  # fmt: skip


def _qr(url: str, size: float) -> Drawing:
    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


@dataclass(frozen=True)
class Leaflet:
    content: LeafletContent
    data: bytes
    sha256: str
    fmt: LeafletFormat

    def file_name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.content.ward_name.lower()).strip("-")
        suffix = "" if self.fmt is LeafletFormat.A4 else f"-{self.fmt.value}"
        return f"{self.content.ward_code}-{slug}-{self.content.cycle}{suffix}.pdf"


@dataclass
class Press:
    """What every leaflet of a run shares, read once: the force's name and logo, and the vault's names
    for the privacy gate (:func:`core.privacy.scanner` keeps one scanner on the session)."""

    cycle: str
    today: dt.date
    fmt: LeafletFormat
    demo: bool
    force_name: str = ""
    logo: bytes | None = None
    scanner: privacy.Scanner | None = None

    def load(self, session: Session) -> Press:
        self.force_name, self.logo = force.force_name(session), force.force_logo(session)
        self.scanner = privacy.scanner(session)  # built now, once, for every leaflet of the run
        return self

    def make(self, session: Session, ward_code: str) -> Leaflet:
        """Content (through the privacy gate), then the PDF."""
        if self.scanner is not None:
            privacy.share(session, self.scanner)
        content = leaflet_content(
            session, ward_code=ward_code, cycle=self.cycle, today=self.today,
            force_name=self.force_name, demo=self.demo,
        )  # fmt: skip
        data = render_leaflet(content, self.fmt, logo=self.logo)
        return Leaflet(content, data, sha256(data), self.fmt)


def produce(
    session: Session, *, ward_code: str, cycle: str, today: dt.date, fmt: LeafletFormat, demo: bool
) -> Leaflet:
    """One leaflet, in memory: a preview records nothing (``reports.publish`` writes and records)."""
    return Press(cycle, today, fmt, demo).load(session).make(session, ward_code)
