import pytest

from app.model.server_url import server_url_problem


@pytest.mark.parametrize(
    "url",
    [
        "wss://api.interhuman.ai/v0/stream/analyze",
        "ws://127.0.0.1:8765/v0/stream/analyze",
        "ws://localhost:1/v0/stream/analyze",
        "ws://[::1]:9000/v0/stream/analyze",
        "wss://10.0.0.5/v0/stream/analyze",
    ],
)
def test_accepted(url: str) -> None:
    assert server_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ws://api.interhuman.ai/v0/stream/analyze", "only to this computer"),
        ("ws://10.0.0.5/v0/stream/analyze", "only to this computer"),
        ("https://api.interhuman.ai/v0/stream/analyze", "must start with wss://"),
        ("api.interhuman.ai", "must start with wss://"),
        ("wss:///v0/stream/analyze", "no host"),
        ("wss://host:port/x", "not a valid URL"),
        ("wss://user:secret@api.interhuman.ai/v0/stream/analyze", "Remove the user name"),
    ],
)
def test_refused_with_a_reason(url: str, reason: str) -> None:
    problem = server_url_problem(url)
    assert problem is not None and reason in problem
