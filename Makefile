# Interhuman Live. The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench screenshots bundle bundle-test syslibs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bundle]'
	touch $(STAMP)

install: $(STAMP)

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

test: syslibs install lint
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
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache

format: install
	$(VENV)/bin/ruff check --fix app capture widgets tests bench packaging
	$(VENV)/bin/ruff format app capture widgets tests bench packaging
