# Deep Learning for Image Analysis: every workflow of the course, one target each.
# `make help` lists them. Everything runs inside .venv, created on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# nbgrader runs helpers (alembic) from PATH: the environment's own bin comes first.
export PATH := $(abspath $(BIN)):$(PATH)
# Chapters to grade: `make autograde CHAPTERS=01_losses`; default: all of them.
CHAPTERS ?= $(notdir $(patsubst %/,%,$(wildcard solutions/*/)))
# Grading workers: `make autograde JOBS=4`; default: the number of cores.
JOBS ?= $(shell nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1)

.DEFAULT_GOAL := help
.PHONY: help setup web browser book screenshots test test-lowest lab release check-release autograde feedback grades bench bench-ci clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the declared or pinned dependencies change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installing the tested versions from constraints.txt into $(VENV)"
	@echo "(the first time this downloads PyTorch, about 5 GB: several minutes)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -c constraints.txt -e ".[dev]"
	$(BIN)/python -c "import torch, torchvision, course_utils" && touch $@

setup: $(VENV)/.installed  ## create .venv with the tested versions (constraints.txt)

# The book's web assets (MathJax) and the browser tests' axe-core, pinned in package-lock.json,
# into node_modules/ (git-ignored). npm comes from Debian when missing (as root).
node_modules/.installed: package.json package-lock.json
	@tools/apt_install.sh npm nodejs npm
	npm ci --no-audit --no-fund
	touch $@

web: node_modules/.installed  ## install MathJax and axe-core from npm into node_modules/

browser:  ## Debian's Chromium for the browser tests (apt-get as root when it is missing)
	@tools/apt_install.sh chromium chromium

book: setup web  ## build the book, executing every chapter, into _build/html
	$(BIN)/python -m tools.book

screenshots: setup web browser  ## full-page PNGs of every page at 1280 px into _build/screenshots
	$(BIN)/python -m tools.screenshots

test: setup web browser  ## run the whole test suite (unit tests, notebooks, grading round trip, book, browser)
	$(BIN)/python -m pytest -n 2

# Students: work/ in JupyterLab without nbgrader's instructor panels (Create Assignment,
# Formgrader, Course List), which tools/lab/labconfig/page_config.json disables.
# `make lab INSTRUCTOR=1`: the repository root with every nbgrader panel.
lab: setup  ## copy the student notebooks into work/ (never overwriting) and open JupyterLab; INSTRUCTOR=1: nbgrader's panels
ifneq ($(filter 1 yes true,$(INSTRUCTOR)),)
	$(BIN)/jupyter lab
else
	$(BIN)/python -m tools.workspace
	JUPYTER_CONFIG_PATH=$(abspath tools/lab)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH)) $(BIN)/jupyter lab work
endif

release: setup  ## regenerate the student release notebooks/ from solutions/
	$(BIN)/python -m tools.release

check-release: setup  ## fail if notebooks/ is stale
	$(BIN)/python -m tools.release --check

autograde: setup  ## grade submitted/<student>/<chapter>/ in a sandbox, JOBS at a time (resumes)
	$(BIN)/python -m course_utils.grading.batch $(CHAPTERS) --jobs $(JOBS)

feedback: setup  ## write HTML feedback for every autograded submission into feedback/
	@for c in $(CHAPTERS); do $(BIN)/nbgrader generate_feedback $$c || exit 1; done

grades: setup  ## export the gradebook to grades.csv
	$(BIN)/nbgrader export --to grades.csv

bench: setup  ## benchmarks: fit vs a bare loop, chapter run times, widget redraw times
	$(BIN)/python benchmarks/run_all.py

LOWEST := .venv-lowest
test-lowest: setup  ## every chapter (fast mode) with the lowest versions pyproject.toml allows
	$(BIN)/python -m uv venv --quiet --allow-existing --python $(BIN)/python $(LOWEST)
	$(BIN)/python -m uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
	  -e . "nbval>=0.10" "pytest>=7" "pytest-xdist>=3" "ipykernel>=6"
	$(LOWEST)/bin/python -c "import torch, numpy, ipywidgets; print('lowest versions: torch', \
	  torch.__version__, 'numpy', numpy.__version__, 'ipywidgets', ipywidgets.__version__)"
	COURSE_FAST=1 COURSE_STATIC=1 COURSE_OFFLINE=1 $(LOWEST)/bin/python -m pytest --nbval-lax -q -p no:cacheprovider \
	  -n 2 --dist loadfile -o addopts="" solutions/*/*.ipynb notebooks/*/*.ipynb

bench-ci: setup  ## what `make test` costs per chapter, projected to twelve chapters
	$(BIN)/python benchmarks/bench_ci.py

clean:  ## remove build outputs (keeps .venv, node_modules, work/ and the gradebook)
	rm -rf _build .pytest_cache
