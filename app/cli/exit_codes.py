"""The exit codes of every command, in one place (the README and `stream --help` name them)."""

EXIT_OK = 0
EXIT_FAILED = 1
"""Something outside the user's control failed (the analyzer could not listen, the self-test failed)."""
EXIT_USAGE = 2
EXIT_REJECTED = 3
"""The service refused the credential."""
EXIT_UNREACHABLE = 4
"""No connection to the analysis server stayed up."""
EXIT_CAPTURE = 5
"""The picture could not be captured."""
EXIT_QUOTA = 6
"""The account's usage quota is used up (ih3003)."""
EXIT_BUSY = 7
"""The server was reached but stayed busy or rate-limiting (ih1003, ih3001/ih3002, HTTP 429/503)."""
EXIT_INTERRUPTED = 130
"""Stopped at once by a second Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)."""

EXIT_CODES_TEXT = (
    "Exit codes: 0 finished, 2 usage error, 3 credential rejected, 4 could not connect, "
    "5 capture failed, 6 usage quota used up, 7 server busy or rate-limiting (try again later), "
    "130 stopped at once by a second interrupt."
)
"""What `stream --help` and the README say about them."""
