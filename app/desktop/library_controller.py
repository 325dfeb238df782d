"""`LibraryController`: the Library window over the recording folder, and the review windows it opens.

Listing, renaming, deleting and pruning run in worker threads; the window gets the entries when
they are ready. The retention setting is honoured before each listing, so the library never shows
a session that retention should already have deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices

from app.desktop.background_tasks import BackgroundTasks
from app.desktop.review_controller import ReviewController
from app.model.library import SessionEntry
from app.review.folder_actions import FolderActionFailed, NoTrash, delete_session, rename_session
from app.review.listing import ListingCache, list_sessions
from app.review.session_folder import NotASessionFolder
from app.session.retention import prune_sessions
from app.store.settings import Settings
from widgets.library_window import LibraryWindow

log = logging.getLogger(__name__)


class LibraryController(QObject):
    def __init__(self, settings: Callable[[], Settings], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.window: LibraryWindow | None = None
        self.reviews: list[ReviewController] = []
        self.entries: list[SessionEntry] = []
        self.listed = asyncio.Event()
        """Set after each listing has reached the window."""
        self._cache: ListingCache | None = None
        self._tasks = BackgroundTasks("a library task", self._problem)

    # -- the library window ------------------------------------------------------------------------

    def show_library(self) -> LibraryWindow:
        if self.window is None:
            window = LibraryWindow()
            window.open_requested.connect(lambda folder: self.open_review(Path(folder)))
            window.rename_requested.connect(
                lambda folder, title: self._tasks.spawn(self._rename(Path(folder), title))
            )
            window.delete_requested.connect(lambda folder: self._tasks.spawn(self._delete(Path(folder))))
            window.reveal_requested.connect(self._reveal)
            window.refresh_requested.connect(self.refresh)
            self.window = window
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.refresh()
        return self.window

    def refresh(self) -> asyncio.Future[object]:
        self.listed.clear()
        return self._tasks.spawn(self._refresh())

    async def _refresh(self) -> None:
        settings = self._settings()
        root = settings.recording_folder
        if settings.retention_days > 0:
            await asyncio.to_thread(prune_sessions, root, settings.retention_days)
        if self._cache is None:
            self._cache = await asyncio.to_thread(ListingCache.load)
        self.entries = await asyncio.to_thread(list_sessions, root, self._cache)
        if self.window is not None:
            kept = (
                f"Sessions older than {settings.retention_days} days are deleted (Settings → Recording)."
                if settings.retention_days > 0
                else "Sessions are kept until you delete them."
            )
            self.window.set_entries(self.entries, f"No sessions in {root} yet. Press Start to record one.")
            self.window.set_note(f"{len(self.entries)} session(s) in {root}. {kept}")
        self.listed.set()

    async def _rename(self, folder: Path, title: str) -> None:
        try:
            await asyncio.to_thread(rename_session, folder, title)
        except (FolderActionFailed, NotASessionFolder) as error:
            self._problem(str(error))
            return
        await self._refresh()

    async def _delete(self, folder: Path) -> None:
        try:
            await asyncio.to_thread(delete_session, folder)
        except NoTrash:
            if self.window is None or not self.window.confirm_permanent_delete(folder.name):
                return
            try:
                await asyncio.to_thread(delete_session, folder, permanently=True)
            except FolderActionFailed as error:
                self._problem(str(error))
                return
        except (FolderActionFailed, NotASessionFolder) as error:
            self._problem(str(error))
            return
        for review in [r for r in self.reviews if r.path == folder]:
            review.close()
        await self._refresh()

    def _reveal(self, folder: str) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
            self._problem(f"No file manager could open {folder}.")

    def _problem(self, text: str) -> None:
        log.warning("%s", text)
        if self.window is not None:
            self.window.show_problem(text)

    # -- review windows ------------------------------------------------------------------------------

    def open_review(self, folder: Path) -> ReviewController:
        for review in self.reviews:
            if review.path == folder:
                review.window.show()
                review.window.raise_()
                return review
        review = ReviewController(folder, self)
        self.reviews.append(review)
        review.window.window_closed.connect(lambda: self._review_closed(review))
        review.open()
        return review

    def _review_closed(self, review: ReviewController) -> None:
        if review in self.reviews:
            self.reviews.remove(review)
        review.window.deleteLater()
        review.deleteLater()

    def close_all(self) -> None:
        for review in list(self.reviews):
            review.close()
        if self.window is not None:
            self.window.close()
        self._tasks.cancel_all()
