import subprocess
import sys

from app import __version__
from app.cli.main import build_parser


def test_version_comes_from_the_package_metadata() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == f"interhuman-live {__version__}"
    assert __version__ != "0+unknown"


def test_bad_log_level_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--log-level", "LOUD", "--quit-after", "0.1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unknown log level" in result.stderr


def test_parser_builds_without_heavy_imports() -> None:
    code = (
        "import sys; from app.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in ('av', 'cv2', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert build_parser().prog == "interhuman-live"
