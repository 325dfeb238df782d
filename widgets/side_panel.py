"""The main window's side panel: the session's engagement, quality, delivery, feedback and recent signals."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.model.timeline_snapshot import TimelineSnapshot
from widgets.delivery_panel import DeliveryPanel
from widgets.feedback_panel import FeedbackPanel
from widgets.quality_panel import QualityPanel
from widgets.signal_list import SignalList
from widgets.timeline_strip import TimelineStrip


class SidePanel(QFrame):
    def __init__(
        self,
        timeline_strip: TimelineStrip,
        quality_panel: QualityPanel,
        delivery_panel: DeliveryPanel,
        feedback_panel: FeedbackPanel,
        signal_list: SignalList,
    ) -> None:
        super().__init__()
        self.timeline_strip = timeline_strip
        self.quality_panel = quality_panel
        self.delivery_panel = delivery_panel
        self.feedback_panel = feedback_panel
        self.signal_list = signal_list
        self.setObjectName("sidePanel")
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)
        title = QLabel("Engagement over the session")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        layout.addWidget(timeline_strip)
        layout.addWidget(_rule())
        layout.addWidget(quality_panel)
        layout.addWidget(_rule())
        # Local analysis's own figures: shown only while it is the analysis in use.
        self._delivery_section = QWidget()
        section = QVBoxLayout(self._delivery_section)
        section.setContentsMargins(0, 0, 0, 0)
        section.setSpacing(10)
        section.addWidget(delivery_panel)
        section.addWidget(_rule())
        layout.addWidget(self._delivery_section)
        layout.addWidget(feedback_panel)
        signals_title = QLabel("Recent signals")
        signals_title.setObjectName("sectionTitle")
        layout.addWidget(signals_title)
        layout.addWidget(signal_list, 1)

    def set_snapshot(self, snapshot: TimelineSnapshot) -> None:
        self.timeline_strip.set_snapshot(snapshot)
        self.quality_panel.set_snapshot(snapshot)
        self.delivery_panel.set_delivery(snapshot.delivery, snapshot.fillers_so_far)
        self.signal_list.set_signals(snapshot.recent_signals)
        self.feedback_panel.set_feedback(snapshot.feedback)

    def show_delivery(self, shown: bool) -> None:
        self._delivery_section.setVisible(shown)


def scrolling(panel: QWidget) -> QScrollArea:
    """`panel` keeps every row's height on a short screen, and scrolls instead of squeezing."""
    area = QScrollArea()
    area.setObjectName("sidePanelArea")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(panel)
    area.setMinimumWidth(panel.minimumWidth() + area.verticalScrollBar().sizeHint().width())
    return area


def _rule() -> QFrame:
    rule = QFrame()
    rule.setObjectName("rule")
    rule.setFixedHeight(1)
    return rule
