"""`ReviewController`: one past session in a `ReviewWindow`, its joined recording in a `QMediaPlayer`.

Reading the folder and joining the segments run in worker threads (`asyncio.to_thread`); the
timeline shows as soon as the events are read, the video once the joined file is ready. The
player's position drives the playhead; the window's seeks and keys drive the player.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from app.desktop.background_tasks import BackgroundTasks
from app.model.wording import mmss
from app.review.html_report import render_html
from app.review.joined_recording import JoinedRecording, NoRecording, export_video, joined_recording
from app.review.report_files import DEFAULT_NAMES, csv_text, json_text, session_report, write_text
from app.review.session_folder import NotASessionFolder, SessionFolder, open_session
from widgets.review_window import ReviewWindow

log = logging.getLogger(__name__)


class ReviewController(QObject):
    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.window = ReviewWindow()
        self.folder: SessionFolder | None = None
        self.joined: JoinedRecording | None = None
        self.ready = asyncio.Event()
        """Set once the recording is loaded and can play (or is known not to exist)."""
        self.closed = asyncio.Event()
        self._tasks = BackgroundTasks("a review task", lambda text: self.window.show_message(text))
        self._start_at: float | None = None
        self.audio = QAudioOutput(self)
        self.player = QMediaPlayer(self)
        self.player.setAudioOutput(self.audio)
        self.player.setVideoOutput(self.window.video)
        self.player.positionChanged.connect(lambda ms: self.window.set_position(ms / 1000.0))
        self.player.durationChanged.connect(lambda ms: self.window.set_duration(ms / 1000.0))
        self.player.playbackStateChanged.connect(self._playback_changed)
        self.player.mediaStatusChanged.connect(self._media_status_changed)
        self.player.errorOccurred.connect(self._player_failed)
        self.window.play_toggled.connect(self.toggle_play)
        self.window.seek_requested.connect(self.seek)
        self.window.export_requested.connect(lambda kind: self._tasks.spawn(self._export(kind)))
        self.window.window_closed.connect(self._window_closed)

    def open(self, *, start_at: float | None = None) -> asyncio.Future[object]:
        """Show the window and start reading the session (the playhead at `start_at` once the
        recording is loaded); the future ends when the recording is handed to the player."""
        self._start_at = start_at
        self.window.show()
        return self._tasks.spawn(self._load())

    async def _load(self) -> None:
        try:
            folder = await asyncio.to_thread(open_session, self.path)
        except NotASessionFolder as error:
            self.window.set_media_note(str(error))
            self.ready.set()
            return
        self.folder = folder
        review = await asyncio.to_thread(lambda: folder.review)
        meta = f"{mmss(review.length_s)} · {folder.backend} · API {folder.api_version}"
        if folder.started_at is not None:
            meta = f"{folder.started_at.astimezone():%A %d %B %Y, %H:%M} · {meta}"
        self.window.set_session(folder.title, meta, folder.notes)
        self.window.set_review(review)
        self.window.set_media_note("Preparing the recording…")
        try:
            joined = await asyncio.to_thread(joined_recording, folder)
        except NoRecording as error:
            self.window.set_media_note(f"{error} The timeline still shows what was analysed.")
            self.ready.set()
            return
        self.joined = joined
        if joined.unreadable:
            self.window.set_review(await asyncio.to_thread(folder.review_with, joined.gaps(folder)))
        self.player.setSource(QUrl.fromLocalFile(str(joined.path)))

    # -- playing -------------------------------------------------------------------------------

    def toggle_play(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        elif self.joined is not None:
            self.player.play()

    def seek(self, seconds: float) -> None:
        self.window.set_position(seconds)
        if self.joined is not None:
            self.player.setPosition(round(seconds * 1000))

    def _playback_changed(self, state: QMediaPlayer.PlaybackState) -> None:
        self.window.set_playing(state == QMediaPlayer.PlaybackState.PlayingState)

    def _media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and not self.ready.is_set():
            # Not from inside the player's own signal: FFmpeg's backend crashes when a status
            # change starts another.
            QTimer.singleShot(0, self, self._show_first_frame)
        if status in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.BufferedMedia):
            self.window.set_media_note(None)
            self.ready.set()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.ready.set()

    def _show_first_frame(self) -> None:
        # Paused rather than stopped: a paused player shows the frame at its position.
        self.player.pause()
        if self._start_at is not None:
            self.seek(self._start_at)

    def _player_failed(self, error: QMediaPlayer.Error, text: str) -> None:
        log.warning("the review player failed (%s): %s", error, text)
        self.window.set_media_note(
            f"The recording cannot be played ({text}). Export it to play it elsewhere."
        )
        self.ready.set()

    # -- exports -------------------------------------------------------------------------------

    async def _export(self, kind: str) -> None:
        folder = self.folder
        if folder is None:
            return
        suggested = folder.path / (DEFAULT_NAMES.get(kind) or f"{folder.path.name}.webm")
        out = self.window.ask_export_path(kind, suggested)
        if out is None:
            return
        try:
            if kind == "video":
                await asyncio.to_thread(export_video, folder, out)
            else:
                await asyncio.to_thread(self._write_report, folder, kind, out)
        except (OSError, NoRecording) as error:
            self.window.show_message(f"Export failed: {error}")
            return
        self.window.show_message(f"Saved {out}")

    def _write_report(self, folder: SessionFolder, kind: str, out: Path) -> None:
        gaps = self.joined.gaps(folder) if self.joined is not None else []
        report = session_report(folder, extra_gaps=gaps)
        text = {"html": render_html, "json": json_text, "csv": csv_text}[kind](report)
        write_text(out, text)

    # -- lifetime ------------------------------------------------------------------------------

    def close(self) -> None:
        self.window.close()

    def _window_closed(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())
        self._tasks.cancel_all()
        self.closed.set()
