# The two commands a newcomer needs (see README.md):
#   make demo    set up the environment, then grade a simulated class end to end
#   make test    set up the environment, then run the test suite
# and, for the instructor:
#   make release regenerate release/ from source/ with nbgrader (never edit release/ by hand)
#   make classroom        start JupyterHub for the course on this host (classroom-stop stops it)
# and, for a student or a self-study learner:
#   make start   copy the notebooks into work/ (never overwriting yours) and open JupyterLab
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# CI points USPS_DIR at the shared copy; on your machine it is found or downloaded.
export USPS_DIR ?= $(if $(wildcard ../shared/data/usps/zip.train.gz),$(abspath ../shared/data/usps),)

.PHONY: demo test setup release start clean classroom classroom-stop

$(BIN)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/python -m instructor check-data
	$(BIN)/python -m instructor demo

test: setup
	$(BIN)/python -m pytest

release: setup
	$(BIN)/python -m instructor release

start: setup
	$(BIN)/python -m course start

classroom: setup
	$(BIN)/python -m instructor classroom start

classroom-stop: setup
	$(BIN)/python -m instructor classroom stop

clean:
	rm -rf $(VENV) .pytest_cache
