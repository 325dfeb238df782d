"""Form rows that show why a value is refused, right under the field, across the tabs of a dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

TAB_WARNING = " ⚠"


class ValidatedForm:
    """Builds label/field rows with an error line each, and shows a set of problems on them.

    A grid rather than QFormLayout: QFormLayout does not give a wrapped error line the height it
    needs, and the line would be drawn over the next row.
    """

    def __init__(self, tabs: QTabWidget) -> None:
        self.tabs = tabs
        self._errors: dict[str, QLabel] = {}
        self._fields: dict[str, QWidget] = {}
        self._tab_fields: list[set[str]] = []

    def page(self, margin: int = 16) -> tuple[QWidget, QGridLayout]:
        """A new page's grid; rows added to it belong to the tab added next."""
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(margin, margin, margin, margin)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        grid.setColumnStretch(1, 1)
        self._tab_fields.append(set())
        return page, grid

    def claim(self, name: str) -> None:
        """Problems named `name` belong to the page built last (for a field outside the grid)."""
        self._tab_fields[-1].add(name)

    def row(self, grid: QGridLayout, label: str, name: str, field: QWidget, note: str = "") -> None:
        row = grid.rowCount()
        caption = QLabel(label)
        caption.setObjectName("formLabel")
        grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(field)
        if note:
            hint = QLabel(note)
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            column.addWidget(hint)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.hide()
        column.addWidget(error)
        grid.addWidget(box, row, 1)
        self._errors[name] = error
        self._fields[name] = field
        self.claim(name)

    def set_field(self, name: str, field: QWidget) -> None:
        """Outline `field` (rather than the whole row's widget) when `name` is refused."""
        self._fields[name] = field

    def error_text(self, name: str) -> str | None:
        label = self._errors[name]
        return label.text() if not label.isHidden() else None

    def show(self, problems: dict[str, str]) -> None:
        for name, label in self._errors.items():
            reason = problems.get(name)
            label.setText(reason or "")
            label.setVisible(reason is not None)
            field = self._fields[name]
            field.setProperty("invalid", reason is not None)
            field.style().unpolish(field)
            field.style().polish(field)
        for index, names in enumerate(self._tab_fields):
            # A refused value on another tab must not go unseen: its tab says so.
            title = self.tabs.tabText(index).removesuffix(TAB_WARNING)
            wrong = bool(names & problems.keys())
            self.tabs.setTabText(index, title + TAB_WARNING if wrong else title)
