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
