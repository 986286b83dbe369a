"""What every printout shares: the embedded Unicode font, the DEMO marking and reproducible bytes.

PDFs are made with reportlab's invariant mode, so the same content always gives the same bytes and
the same SHA-256: recording a leaflet twice is recognised as the same leaflet.
"""

from __future__ import annotations

import functools
import hashlib

from reportlab import rl_config
from reportlab.graphics import shapes
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from commmatters_desktop.paths import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
INK = HexColor("#1b1b1b")
BRAND = HexColor("#12355b")  # deep blue: white text on it passes WCAG AAA
ACCENT = HexColor("#ffd166")
MUTED = HexColor("#4a4a4a")
DEMO_TEXT = "DEMO — invented data, not for distribution"


@functools.cache
@functools.cache
def register_fonts() -> None:
    """DejaVu Sans from resources/, embedded (subset) in every PDF, so any name renders.

    Once per process: parsing the font files costs more than laying out a leaflet.
    """
    pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    # Charts and QR codes start from reportlab's graphics defaults, and every canvas from its base
    # font; both would otherwise list an unembedded Helvetica in the PDF.
    shapes.STATE_DEFAULTS["fontName"] = FONT
    rl_config.canvas_basefontname = FONT


def style(
    name: str,
    size: float,
    *,
    bold: bool = False,
    color: Color = INK,
    leading: float = 1.3,
    space_after: float = 0.0,
    space_before: float = 0.0,
) -> ParagraphStyle:
    return ParagraphStyle(
        name, fontName=FONT_BOLD if bold else FONT, fontSize=size, leading=size * leading, textColor=color,
        spaceAfter=space_after, spaceBefore=space_before,
    )  # fmt: skip


def demo_marking(canvas: Canvas, width: float, height: float) -> None:
    """A diagonal watermark and a footer line on every page of a demo printout."""
    canvas.saveState()
    canvas.setFillColor(Color(0.75, 0.1, 0.1, alpha=0.12))
    canvas.setFont(FONT_BOLD, min(width, height) / 7)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(35)
    canvas.drawCentredString(0, 0, "DEMO")
    canvas.restoreState()
    canvas.saveState()
    canvas.setFillColor(HexColor("#b00020"))
    canvas.setFont(FONT_BOLD, 8)
    canvas.drawCentredString(width / 2, 8, DEMO_TEXT)
    canvas.restoreState()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
