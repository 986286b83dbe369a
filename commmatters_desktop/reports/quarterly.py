"""The quarterly report for the Safer Neighbourhood Board and the PCC (content from core/quarterly.py)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from commmatters_desktop.core.dates import in_words
from commmatters_desktop.core.evidence import month_label
from commmatters_desktop.core.leaflets import quarter_period
from commmatters_desktop.core.quarterly import OGL_LINE, VERDICT_LABELS, QuarterlyReport, WardReport
from commmatters_desktop.reports.pdf import (
    ACCENT,
    BRAND,
    FONT,
    FONT_BOLD,
    MUTED,
    demo_marking,
    register_fonts,
    style,
)

WIDTH = A4[0] - 32 * mm
LIGHT = HexColor("#e4ebf3")


def render_quarterly(report: QuarterlyReport, *, demo: bool) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=True, initialFontName=FONT, leftMargin=16 * mm, rightMargin=16 * mm,
        topMargin=16 * mm, bottomMargin=18 * mm, title=f"Community Matters quarterly report {report.cycle}",
        author=report.force_name,
    )  # fmt: skip
    h1 = style("h1", 19, bold=True, color=BRAND, space_after=4)
    h2 = style("h2", 13, bold=True, color=BRAND, space_before=8, space_after=4)
    p = style("p", 9.5, space_after=4)
    note = style("note", 8, color=MUTED, space_after=4)
    story: list[Flowable] = [
        Paragraph("Community Matters: quarterly report", h1),
        Paragraph(
            f"{escape(report.force_name)} · for the Safer Neighbourhood Board and the Police and Crime "
            f"Commissioner · {report.cycle} ({quarter_period(report.cycle)}) · as at {in_words(report.today)}",
            p,
        ),
        Paragraph(
            "Each ward's community chose one priority this quarter. This report shows where each stands, what "
            "was done, whether the change beat the background trend (the rest of the force or borough over the "
            "same months), what residents were told, and residents' confidence. Figures under 5 are shown as "
            "'fewer than 5'. It holds no personal data.",
            p,
        ),
        Paragraph("Where the priorities stand", h2),
        _status_chart(report.statuses),
    ]
    verdicts = report.verdicts()
    if verdicts:
        story += [
            Paragraph("Did it work? Each assessed priority against the background trend", h2),
            _status_chart(verdicts, label_width=200),
            Paragraph(
                "Each priority's crime or ASB count in the months after its week of action is compared with the "
                "months before, beside the same change in the rest of the force (or borough, or chosen wards). "
                "A change counts as beating the trend only if the difference is larger than chance would give "
                "(a Poisson test at 95%).",
                note,
            ),
        ]
    if report.force_monthly:
        story += [
            Paragraph("Recorded crime and anti-social behaviour across the force", h2),
            _force_chart(report),
            Paragraph(
                f"{sum(c for c, _a in report.force_monthly.values()):,} crimes and "
                f"{sum(a for _c, a in report.force_monthly.values()):,} ASB incidents from "
                f"{month_label(report.months[0])} to {month_label(report.months[-1])} (data.police.uk)."
                + (
                    f" Not yet imported: {', '.join(month_label(m) for m in report.months_missing)}."
                    if report.months_missing
                    else ""
                ),
                note,
            ),
        ]
    else:
        story.append(Paragraph("No crime data has been imported yet (Evidence → Import crime data).", p))
    story.append(Paragraph("Residents' confidence", h2))
    if report.confidence:
        story += [
            _confidence_chart(report),
            Paragraph(
                "'The police are dealing with the things that matter to people in this community': % strongly or "
                "tend to agree across every ward surveyed, with its 95% interval. "
                + "; ".join(
                    f"{c}: {pct:.0f}% ({lo:.0f}–{hi:.0f}%, {n} answered)"
                    for c, pct, lo, hi, n in report.confidence
                ),
                note,
            ),
        ]
    else:
        story.append(Paragraph("No survey waves recorded yet.", p))
    story += [
        PageBreak(),
        Paragraph("At a glance", h2),
        _glance(report),
        PageBreak(),
        Paragraph("Ward by ward", h2),
    ]
    for ward in report.wards:
        story += [CondPageBreak(40 * mm), KeepTogether(_ward_block(ward))]

    def decorate(canvas: Canvas, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(16 * mm, 10 * mm, OGL_LINE + " Crime data: data.police.uk.")
        canvas.drawRightString(A4[0] - 16 * mm, 10 * mm, f"{report.cycle} · page {doc_.page}")
        canvas.restoreState()
        if demo:
            demo_marking(canvas, *A4)

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _glance(report: QuarterlyReport) -> Table:
    """One line per ward: where it stands and whether the change beat the background trend."""
    head, cell = style("gh", 8, bold=True), style("gc", 7.5, leading=1.15)
    rows = [
        [Paragraph(t, head) for t in ("Ward", "Borough", "Status", "Week of action", "Against the trend")]
    ]
    rows += [
        [
            Paragraph(escape(w.name), cell),
            Paragraph(escape(w.la_name), cell),
            Paragraph(escape(w.status), cell),
            Paragraph(f"{w.week_of_action:%d %b %Y}" if w.week_of_action else "", cell),
            Paragraph(escape(VERDICT_LABELS[w.verdict_kind]) if w.verdict else "", cell),
        ]
        for w in report.wards
    ]
    table = Table(rows, colWidths=[40 * mm, 24 * mm, 26 * mm, 22 * mm, WIDTH - 112 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _ward_block(w: WardReport) -> list[Flowable]:
    head = style("wh", 11, bold=True, color=BRAND)
    label = style("wl", 8.5, bold=True)
    cell = style("wc", 8.5)
    actions = (
        f"{w.actions_done} of {w.actions_total} done"
        + (
            " (" + ", ".join(f"{k.lower()} {n}" for k, n in w.actions_by_kind.items()) + ")"
            if w.actions_by_kind
            else ""
        )
        if w.actions_total
        else "none yet"
    )
    rows = [
        ("Priority", w.issue),
        ("Status", w.status),
        ("Week of action", in_words(w.week_of_action) if w.week_of_action else "not scheduled"),
    ]
    if w.status != "No agreed priority":
        rows += [("Actions", actions)]
        if w.what_we_did:
            rows.append(("What we did", w.what_we_did))
        rows.append(("Outcome", w.outcome))
        if w.verdict:
            rows += [("Measured by", w.measured), ("Against the trend", w.verdict)]
        rows.append(("Feedback given", "; ".join(w.feedback) or "not yet"))
    rows.append(("Confidence survey", w.survey))
    table = Table(
        [[Paragraph(escape(k), label), Paragraph(escape(v), cell)] for k, v in rows],
        colWidths=[34 * mm, WIDTH - 34 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [Paragraph(f"{escape(w.name)} <font color='#4a4a4a' size='8.5'>{escape(w.la_name)} · {w.code}</font>", head),
            table, Spacer(1, 5 * mm)]  # fmt: skip


def _status_chart(statuses: dict[str, int], label_width: float = 120) -> Drawing:
    labels = list(statuses)
    drawing = Drawing(WIDTH, 26 + 16 * max(len(labels), 1))
    chart = HorizontalBarChart()
    chart.x, chart.y = int(label_width), 18
    chart.width, chart.height = int(WIDTH - label_width - 50), 16 * max(len(labels), 1)
    chart.data = [[statuses[k] for k in reversed(labels)]] if labels else [[0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or ["none"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BRAND
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT_BOLD
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 7
    drawing.add(chart)
    return drawing


def _force_chart(report: QuarterlyReport) -> Drawing:
    drawing = Drawing(WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, int(WIDTH - 60), 105
    crimes = [c for c, _a in report.force_monthly.values()]
    asb = [a for _c, a in report.force_monthly.values()]
    # Figures under 5 are never charted as numbers: they would be a count of a handful of incidents.
    chart.data = [[v if v >= 5 else 0 for v in crimes], [v if v >= 5 else 0 for v in asb]]
    chart.categoryAxis.categoryNames = [month_label(m) for m in report.force_monthly]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.categoryAxis.style = "stacked"
    chart.bars[0].fillColor = BRAND
    chart.bars[1].fillColor = ACCENT
    drawing.add(chart)
    drawing.add(String(WIDTH - 150, 142, "■ crime", fontName=FONT, fontSize=8, fillColor=BRAND))
    drawing.add(
        String(
            WIDTH - 95,
            142,
            "■ anti-social behaviour",
            fontName=FONT,
            fontSize=8,
            fillColor=HexColor("#b38600"),
        )
    )
    return drawing


def _confidence_chart(report: QuarterlyReport) -> Drawing:
    drawing = Drawing(WIDTH, 120)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 40, 25, int(WIDTH - 80), 85
    points = list(enumerate(report.confidence))
    plot.data = [
        [(i, pct) for i, (_c, pct, _lo, _hi, _n) in points],
        [(i, lo) for i, (_c, _p, lo, _hi, _n) in points],
        [(i, hi) for i, (_c, _p, _lo, hi, _n) in points],
    ]
    plot.lines[0].strokeColor = BRAND
    plot.lines[0].strokeWidth = 2
    plot.lines[0].symbol = makeMarker("FilledCircle")  # type: ignore[no-untyped-call]
    for i in (1, 2):
        plot.lines[i].strokeColor = HexColor("#9db3cc")
        plot.lines[i].strokeDashArray = [2, 2]
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, 100
    plot.yValueAxis.labels.fontName = FONT
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = "%d%%"
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, max(len(points) - 0.5, 0.5)
    plot.xValueAxis.valueSteps = [i for i, _ in points]
    plot.xValueAxis.labels.fontName = FONT
    plot.xValueAxis.labels.fontSize = 7
    plot.xValueAxis.labelTextFormat = lambda v: (
        report.confidence[int(v)][0] if 0 <= int(v) < len(points) else ""
    )
    drawing.add(plot)
    return drawing
