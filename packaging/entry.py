"""The bundle's entry point: PyInstaller needs a script, the app's entry point is `app.cli.main:main`."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
