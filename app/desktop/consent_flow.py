"""The privacy notice before a session: shown before the first capture with each backend (and
server, and whenever the screen is captured), remembered in the settings once agreed to, and
shown again from Help → Privacy, where the agreement can also be withdrawn."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from app.desktop.controller import DesktopController
from app.model.consent import CaptureFacts, PrivacyNotice, RecordingFacts, privacy_notice
from app.model.source_spec import MicSpec, SourceSpec
from app.session.config import SessionConfig
from app.store.settings import save_settings
from widgets.consent_dialog import ConsentDialog

log = logging.getLogger(__name__)


def capture_facts(source: SourceSpec, config: SessionConfig) -> CaptureFacts:
    """What `config` captures, in the notice's words: the picture as `SourceSpec.describe` names it
    ("the screen: Zoom window"), and the sound."""
    if source.kind == "synthetic":
        return CaptureFacts("the built-in test signal (no camera)", "its test tone")
    if source.kind == "file" and source.path is not None:
        return CaptureFacts(f"the video file {source.path.name}", "its sound")
    picture = f"the screen: {source.describe()}" if source.captures_screen else "your camera"
    return CaptureFacts(picture, _sound(config.microphone), screen=source.captures_screen)


def _sound(microphone: MicSpec) -> str | None:
    mic = None
    if microphone.enabled:
        mic = f"your microphone ({microphone.name})" if microphone.name else "your microphone"
    meeting = "what this computer plays (the other side of a call)" if microphone.meeting else None
    if mic and meeting:
        return f"{mic} and {meeting}"
    return mic or meeting


class ConsentFlow:
    def __init__(self, controller: DesktopController) -> None:
        self.controller = controller
        self.dialog: ConsentDialog | None = None
        self._answer: asyncio.Future[bool] | None = None
        controller.consent = self.granted
        controller.window.privacy_requested.connect(self.review)
        controller.window.window_closed.connect(self._window_closed)

    def notice(self, config: SessionConfig) -> PrivacyNotice:
        settings = self.controller.settings
        return privacy_notice(
            config.backend,
            config.url,
            capture_facts(config.source, config),
            RecordingFacts(config.record_media, settings.recording_folder, settings.retention_days),
            local_only=config.local_only,
        )

    async def granted(self, config: SessionConfig) -> bool:
        """Whether the user agreed to what `config` does: asked once per notice, remembered after."""
        notice = self.notice(config)
        if notice.key in self.controller.settings.consents:
            return True
        if self._answer is not None and not self._answer.done():
            assert self.dialog is not None
            self.dialog.raise_()
            return await asyncio.shield(self._answer)
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._answer = answer
        dialog = self._show(notice, review=False)

        def answered(result: int) -> None:
            if not answer.done():
                answer.set_result(bool(result))

        dialog.finished.connect(answered)
        agreed = await answer
        log.info("privacy notice %r %s", notice.key, "agreed to" if agreed else "declined")
        return agreed

    def review(self) -> None:
        """Help → Privacy: the notice for what Start would do now, with the agreement as it stands."""
        if self.dialog is not None:
            self.dialog.raise_()
            return
        self._show(self.notice(self.controller.session_config()), review=True)

    def _show(self, notice: PrivacyNotice, *, review: bool) -> ConsentDialog:
        agreed_before = notice.key in self.controller.settings.consents
        dialog = ConsentDialog(
            notice, agreed_before=agreed_before, review=review, parent=self.controller.window
        )
        dialog.decided.connect(self._decided)
        dialog.finished.connect(self._closed)
        dialog.open()
        self.dialog = dialog
        return dialog

    def _decided(self, key: str, agreed: bool) -> None:
        controller = self.controller
        consents = dict(controller.settings.consents)
        if agreed:
            consents.setdefault(key, datetime.now(UTC))
        else:
            consents.pop(key, None)
        settings = controller.settings.model_copy(update={"consents": consents})
        try:
            save_settings(settings)
        except OSError as error:
            # The agreement holds for this run; the next launch asks again.
            controller.window.show_problem(
                f"Your privacy choice could not be saved ({error.strerror}); it holds until you quit."
            )
        controller.settings = settings

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _window_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.reject()
