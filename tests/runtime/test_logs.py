"""The log filter hides key-shaped text that slipped into a message, keeping enough to tell keys apart."""

import logging

from app.runtime.logs import RedactSecrets


def redacted(message: str, *args: object) -> str:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, message, args, None)
    assert RedactSecrets().filter(record)
    return record.getMessage()


def test_keys_and_bearer_tokens_are_masked_in_messages_and_their_arguments() -> None:
    assert redacted("using %s", "ih_live_abcd0123456789") == "using ih_live_abcd…"
    assert redacted("header Authorization: Bearer tok.en-123 sent") == "header Authorization: Bearer … sent"


def test_other_text_is_left_alone() -> None:
    assert (
        redacted("segment %d sent to %s", 3, "ws://127.0.0.1:9/v0") == "segment 3 sent to ws://127.0.0.1:9/v0"
    )
