"""`LibraryWindow`: every recorded session in a table, newest first, and the progress across them.

It renders the `SessionEntry`s it is handed and asks for what the user wants (open, rename,
delete, show in the file manager, refresh) through signals; the questions before a rename or a
delete are asked here, the doing is the controller's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.model.library import SessionEntry, progress_series
from widgets import theme
from widgets.formatting import mmss
from widgets.progress_chart import ProgressChart

COLUMNS = ("Started", "Title", "Length", "Analysis", "Sent · done · failed", "Engaged", "Quality", "")
UNEXPECTED = "Ended unexpectedly"
_Index = QModelIndex | QPersistentModelIndex


class SessionTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.entries: list[SessionEntry] = []

    def set_entries(self, entries: list[SessionEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.entries):
            return None
        entry = self.entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([entry.folder, *entry.notes])
        if role == Qt.ItemDataRole.ForegroundRole and column == len(COLUMNS) - 1:
            return QColor(theme.WARNING)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 4, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(entry: SessionEntry, column: int) -> str:
        match column:
            case 0:
                return "–" if entry.started_at is None else f"{entry.started_at.astimezone():%Y-%m-%d %H:%M}"
            case 1:
                return entry.title
            case 2:
                return mmss(entry.length_s)
            case 3:
                return f"{entry.backend} · {entry.api_version}"
            case 4:
                return f"{entry.sent} · {entry.completed} · {entry.failed}"
            case 5:
                return "–" if entry.engaged_share is None else f"{entry.engaged_share:.0%}"
            case 6:
                return "–" if entry.quality_index is None else f"{entry.quality_index:.0f}"
            case _:
                return UNEXPECTED if entry.ended_unexpectedly else ""


class LibraryWindow(QMainWindow):
    open_requested = Signal(str)
    rename_requested = Signal(str, str)
    """Folder, new title (empty: back to the default title)."""
    delete_requested = Signal(str)
    """Folder; the user has confirmed."""
    reveal_requested = Signal(str)
    refresh_requested = Signal()
    window_closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("libraryWindow")
        self.setWindowTitle("Library")
        self.setWindowIcon(theme.icon("app"))
        self.model = SessionTableModel()
        self.table = QTableView()
        self.table.setObjectName("libraryTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self._act(self.open_requested.emit))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.progress = ProgressChart()
        self.progress.session_clicked.connect(self.open_requested)
        self.empty = QLabel()
        self.empty.setObjectName("libraryEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note = QLabel()
        self.note.setObjectName("libraryNote")
        self.note.setWordWrap(True)
        self._make_actions()
        self.setCentralWidget(self._layout())
        self.resize(1100, 640)
        self._selection_changed()

    def _make_actions(self) -> None:
        self.open_action = QAction("Open", self)
        self.open_action.setShortcut(QKeySequence(Qt.Key.Key_Return))
        self.open_action.triggered.connect(lambda: self._act(self.open_requested.emit))
        self.rename_action = QAction("Rename…", self)
        self.rename_action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        self.rename_action.triggered.connect(lambda: self._act(self._ask_title))
        self.delete_action = QAction("Delete…", self)
        self.delete_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.delete_action.triggered.connect(lambda: self._act(self._ask_delete))
        self.reveal_action = QAction("Show in folder", self)
        self.reveal_action.triggered.connect(lambda: self._act(self.reveal_requested.emit))
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.triggered.connect(self.refresh_requested)
        for action in self._actions():
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)

    def _actions(self) -> list[QAction]:
        return [
            self.open_action,
            self.rename_action,
            self.delete_action,
            self.reveal_action,
            self.refresh_action,
        ]

    def _layout(self) -> QWidget:
        bar = QHBoxLayout()
        for action in self._actions():
            button = QToolButton()
            button.setDefaultAction(action)
            button.setObjectName(f"library_{action.text().rstrip('…').replace(' ', '_').lower()}")
            bar.addWidget(button)
        bar.addStretch(1)
        sessions = QWidget()
        sessions_layout = QVBoxLayout(sessions)
        sessions_layout.setContentsMargins(0, 8, 0, 0)
        sessions_layout.addLayout(bar)
        sessions_layout.addWidget(self.table, 1)
        sessions_layout.addWidget(self.empty, 1)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("libraryTabs")
        self.tabs.addTab(sessions, "Sessions")
        self.tabs.addTab(self.progress, "Progress")
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        return central

    # -- the controller's side -----------------------------------------------------------------

    def set_entries(self, entries: list[SessionEntry], empty_text: str = "No sessions yet.") -> None:
        selected = self.selected_folder()
        self.model.set_entries(entries)
        self.progress.set_series(progress_series(entries))
        self.empty.setText(empty_text)
        self.empty.setVisible(not entries)
        self.table.setVisible(bool(entries))
        for row, entry in enumerate(entries):
            if entry.folder == selected:
                self.table.selectRow(row)
        self._selection_changed()

    def set_note(self, text: str) -> None:
        self.note.setText(text)

    def selected_folder(self) -> str | None:
        entry = self.selected_entry()
        return None if entry is None else entry.folder

    def selected_entry(self) -> SessionEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.entries[rows[0].row()]

    def confirm_permanent_delete(self, title: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Delete for good?",
            f"There is no trash for “{title}”. Delete it for good? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    # -- Qt's side ---------------------------------------------------------------------------------

    def _act(self, then: Callable[[str], object]) -> None:
        folder = self.selected_folder()
        if folder is not None:
            then(folder)

    def _ask_title(self, folder: str) -> None:
        entry = self.selected_entry()
        current = entry.title if entry is not None else ""
        title, accepted = QInputDialog.getText(self, "Rename session", "Title:", text=current)
        if accepted:
            self.rename_requested.emit(folder, title)

    def _ask_delete(self, folder: str) -> None:
        entry = self.selected_entry()
        title = entry.title if entry is not None else folder
        answer = QMessageBox.question(
            self,
            "Delete session?",
            f"Move “{title}” to the trash? Its video, results and reports go with it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(folder)

    def _selection_changed(self) -> None:
        chosen = self.selected_folder() is not None
        for action in (self.open_action, self.rename_action, self.delete_action, self.reveal_action):
            action.setEnabled(chosen)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.window_closed.emit()
        super().closeEvent(event)
