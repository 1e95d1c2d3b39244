# lstmkit: every target sets up its own .venv, so each works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip

.PHONY: setup services demo test bench lint clean

setup: $(STAMP)

# Re-install when the declared dependencies or the pins change.
$(STAMP): pyproject.toml constraints.txt
	@start=$$(date +%s); \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	$(PIP) install -q --upgrade pip; \
	$(PIP) install -q -c constraints.txt -e '.[test,dev,tune]'; \
	echo "set-up took $$(( $$(date +%s) - start )) s"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lstmkit demo echo
	$(BIN)/lstmkit demo airline

# The tuning and report tests use a real PostgreSQL server and a headless Chromium
# (Debian's packages). SERVICES=skip skips those tests instead of installing them.
SERVICES ?= install
services:
ifeq ($(SERVICES),skip)
	@echo "services: skipped (SERVICES=skip): the PostgreSQL and browser tests will be skipped"
else
	@scripts/install-services.sh
endif

test: $(STAMP) services
	LSTMKIT_REQUIRE_SERVICES=$(if $(filter skip,$(SERVICES)),0,1) $(BIN)/python -m pytest -q --durations=15 --doctest-modules src/lstmkit tests

bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
