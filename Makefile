# Rallypoint — the commands a user and CI need. `make demo` and `make test` do the whole set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST := $(BIN)/pytest
UV_VERSION := 0.13.9

.PHONY: install demo serve worker test test-sqlite test-postgres test-browser bench lint lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: install
	$(BIN)/rallypoint demo

serve: install
	$(BIN)/rallypoint serve

worker: install
	$(BIN)/rallypoint worker

# The suite on SQLite (embedded mode), again on PostgreSQL + Redis when DATABASE_URL is
# set, then the browser tests in headless Chromium.
test: install
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres
	@$(MAKE) --no-print-directory test-browser

test-sqlite: install
	@echo "== tests on SQLite (embedded mode)"
	env -u DATABASE_URL -u REDIS_URL TEST_REDIS_URL="$${TEST_REDIS_URL:-$$REDIS_URL}" \
		$(PYTEST) -m "not browser" $(PYTEST_ARGS)

test-postgres: install
	@if [ -z "$$DATABASE_URL" ]; then \
		echo "== DATABASE_URL is not set: the PostgreSQL run is skipped"; \
		if [ -n "$$CI" ]; then echo "CI must set DATABASE_URL"; exit 1; fi; \
	else \
		echo "== tests on PostgreSQL ($${REDIS_URL:+with Redis})"; \
		TEST_REDIS_URL="$${TEST_REDIS_URL:-$$REDIS_URL}" $(PYTEST) -m "not browser" $(PYTEST_ARGS); \
	fi

test-browser: install
	@echo "== browser tests (headless Chromium)"
	env -u DATABASE_URL -u REDIS_URL TEST_REDIS_URL="$${TEST_REDIS_URL:-$$REDIS_URL}" \
		$(PYTEST) -m browser $(PYTEST_ARGS)

bench: install
	$(BIN)/rallypoint bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy rallypoint

lock:
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/test
