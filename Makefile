# Two entry points, both safe on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test banner browser lint

run: install banner
	$(BIN)/consent-gateway serve

test: install-test banner browser
	$(BIN)/pytest

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

# The embeddable banner: minified and precompressed into static/banner/dist.
banner:
	@if [ -f static/banner/package.json ]; then \
		npm ci --prefix static/banner --no-audit --no-fund --silent && \
		npm run --prefix static/banner --silent build; \
	fi

# Debian's Chromium for the Playwright tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

lint: install-test
	$(BIN)/ruff check consent_gateway tests migrations bench
	$(BIN)/mypy
