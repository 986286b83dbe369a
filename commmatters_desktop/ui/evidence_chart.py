"""The crime and ASB evidence on the SARA plan: the baseline by month (Scanning) and before/after
against the comparison area with the verdict (Assessment), drawn with QtCharts.

The bars are the ward's counts; the line is what the ward would have recorded had it followed the
comparison area (the comparison's monthly counts scaled to the ward's baseline), so a ward below the
line did better than the background trend. Months under 5 are not charted and say "fewer than 5".
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from commmatters_desktop.core import commands
from commmatters_desktop.core.changeset import ChangeSet
from commmatters_desktop.core.evidence import SMALL_NUMBER, month_label
from commmatters_desktop.core.services import crime
from commmatters_desktop.core.services.crime import COMPARISONS, PriorityEvidenceResult
from commmatters_desktop.ui import forms
from commmatters_desktop.ui.forms import Field, Kind
from commmatters_desktop.ui.widgets import button

if TYPE_CHECKING:
    from commmatters_desktop.ui.views.sara_view import SaraPlanView

BRAND, ACCENT = QColor("#12355b"), QColor("#c77c00")


class EvidencePanel(QWidget):
    """One chart with its caption; ``after`` shows the months after and the verdict too."""

    def __init__(self, view: SaraPlanView, *, after: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view, self.after = view, after
        name = "evidenceAssessment" if after else "evidenceBaseline"
        self.setObjectName(name)
        self.priority_id: uuid.UUID | None = None
        self.result: PriorityEvidenceResult | None = None
        self.caption = QLabel(self)
        self.caption.setObjectName(f"{name}Caption")
        self.caption.setWordWrap(True)
        self.verdict = QLabel(self)
        self.verdict.setObjectName(f"{name}Verdict")
        self.verdict.setAccessibleName("Verdict against the background trend")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-weight: bold; padding: 4px; background: #eef3f8; color: #12355b;")
        self.verdict.setVisible(after)
        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart, self)
        self.chart_view.setObjectName(f"{name}Chart")
        self.chart_view.setAccessibleName("Crime and ASB by month" + (" before and after" if after else ""))
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(200)
        self.choose = button(self, "Choose what measures it…", f"{name}Choose", self.choose_measure)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.choose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.verdict)
        layout.addWidget(self.chart_view, 1)

    def show_priority(self, priority_id: uuid.UUID | None) -> None:
        self.priority_id = priority_id
        self.refresh()

    def refresh(self) -> None:
        if self.priority_id is None:
            return
        pid = self.priority_id
        self.result = self.view.ops.read(lambda s: crime.priority_evidence(s, pid))
        self._draw(self.result)

    def _draw(self, r: PriorityEvidenceResult) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        months = r.settings.baseline + (r.settings.after if self.after else [])
        counts = {**r.baseline, **r.after}
        other = {**r.comparison_baseline, **r.comparison_after}
        self.caption.setText(
            r.describe() + ("" if self.after else " (the baseline: before the week of action)")
        )
        self.verdict.setText(r.sentence())
        bars = QBarSet("This ward")
        bars.setColor(BRAND)
        labels = []
        for m in months:
            n = counts.get(m, 0)
            bars.append(n if n >= SMALL_NUMBER or n == 0 else 0)
            note = (
                "\nnot imported"
                if m in r.missing
                else f"\nfewer than {SMALL_NUMBER}"
                if 0 < n < SMALL_NUMBER
                else ""
            )
            labels.append(month_label(m) + note)
        series = QBarSeries()
        series.append(bars)
        self.chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(labels)
        y = QValueAxis()
        y.setLabelFormat("%d")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x)
        series.attachAxis(y)
        peak = float(max([counts.get(m, 0) for m in months] + [1]))
        base_other = sum(r.comparison_baseline.values())
        if base_other:
            scale = sum(r.baseline.values()) / base_other
            line = QLineSeries()
            line.setName(f"If it had followed {r.area}")
            line.setColor(ACCENT)
            for i, m in enumerate(months):
                value = other.get(m, 0) * scale
                peak = max(peak, value)
                line.append(QPointF(i, value))
            self.chart.addSeries(line)
            line.attachAxis(y)
            hidden = QValueAxis()  # the line's x runs over the bar categories by index
            hidden.setRange(-0.5, len(months) - 0.5)
            hidden.setVisible(False)
            self.chart.addAxis(hidden, Qt.AlignmentFlag.AlignBottom)
            line.attachAxis(hidden)
        y.setRange(0, max(5.0, peak * 1.15))
        y.applyNiceNumbers()

    def choose_measure(self) -> None:
        if self.result is None or self.priority_id is None:
            return
        s = self.result.settings
        pid = self.priority_id
        kinds = self.view.ops.read(crime.categories)
        answer = forms.ask_form(
            self,
            "What measures this priority",
            "Crime types from data.police.uk, separated by ';' (blank: all crime and ASB). Known types: "
            + "; ".join(kinds),
            [
                Field("types", "Crime types", value="; ".join(s.categories)),
                Field("baseline_from", "Baseline from (YYYY-MM)", required=True, value=s.baseline[0]),
                Field("baseline_to", "Baseline to", required=True, value=s.baseline[-1]),
                Field("after_from", "After from (YYYY-MM)", required=True, value=s.after[0]),
                Field("after_to", "After to", required=True, value=s.after[-1]),
                Field(
                    "comparison",
                    "Compare with",
                    Kind.CHOICE,
                    value=s.comparison,
                    choices=[(label.capitalize(), key) for key, label in COMPARISONS.items()],
                ),
                Field(
                    "wards",
                    "Comparison wards (codes)",
                    value=" ".join(s.comparison_wards),
                    hint="Only when comparing with chosen wards: their ONS codes, separated by spaces",
                ),
            ],
            "Save",
        )
        if answer is None:
            return

        self.view.ops.execute(
            commands.SetEvidence(
                pid,
                categories=tuple(t for t in str(answer["types"]).split(";") if t.strip()),
                baseline=(str(answer["baseline_from"]), str(answer["baseline_to"])),
                after=(str(answer["after_from"]), str(answer["after_to"])),
                comparison=str(answer["comparison"]),
                comparison_wards=tuple(str(answer["wards"]).split()),
            )
        )


#: What a priority's evidence is computed from.
EVIDENCE_TABLES = ("priority_evidence", "crime_count", "crime_month", "ward_lsoa", "ward")


class EvidencePanels:
    """The two panels of one SARA view, refreshed together."""

    def __init__(self, view: SaraPlanView) -> None:
        self.baseline = EvidencePanel(view, after=False)
        self.assessment = EvidencePanel(view, after=True)
        self.view = view
        view.ops.changes.connect(self._changed)

    def _changed(self, change: ChangeSet) -> None:
        """Redraw when the evidence may have changed: its choice, the crime counts, the shown priority."""
        detail = self.view.detail
        if detail is not None and (change.touches(*EVIDENCE_TABLES) or detail.id in change.ids("priority")):
            self.refresh()

    def show_priority(self, priority_id: uuid.UUID | None) -> None:
        for panel in (self.baseline, self.assessment):
            panel.show_priority(priority_id)

    def refresh(self) -> None:
        if self.view.detail is not None:
            self.show_priority(self.view.detail.id)


def add_evidence_panels(view: SaraPlanView) -> EvidencePanels:
    """Put the baseline chart under the Scanning fields and the verdict under the Assessment's."""
    panels = EvidencePanels(view)
    current = view.tabs.currentIndex()
    for title, panel in (("Scanning", panels.baseline), ("Assessment", panels.assessment)):
        index = next(i for i in range(view.tabs.count()) if view.tabs.tabText(i) == title)
        page = view.tabs.widget(index)
        assert page is not None
        view.tabs.removeTab(index)
        splitter = QSplitter(Qt.Orientation.Vertical, view)
        splitter.setObjectName(f"{title.lower()}Splitter")
        splitter.addWidget(page)
        page.show()  # the tab widget hid it when it was taken out
        splitter.addWidget(panel)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 300])
        view.tabs.insertTab(index, splitter, title)
    view.tabs.setCurrentIndex(current)  # taking a tab out moved the current one on
    return panels
