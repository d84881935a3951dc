# Two entry points, both safe on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test translations messages catalogue banner browser lint

run: install banner
	$(BIN)/consent-gateway serve

test: install-test banner browser
	$(BIN)/pytest

# Catalogues are compiled by a second make, which sees the venv the first one just built.
install: $(VENV)/.installed
	@$(MAKE) --no-print-directory translations
$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

install-test: $(VENV)/.installed-test
	@$(MAKE) --no-print-directory translations
$(VENV)/.installed-test: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(VENV)/.installed $@

# The UI catalogues: the .po files are the source, in git; their compiled .mo are built here (and
# carried by the wheel as package data), so a catalogue and its .mo can never disagree in git.
TRANSLATIONS := consent_gateway/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

# After adding or changing a UI string: collect the msgids and add the new ones to every catalogue
# (then translate them; tests/views/test_catalogues.py fails while one is missing).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -w 100 -N --ignore-obsolete --ignore-pot-creation-date

# A new UI language: `make catalogue lang=de`, translate the new .po, declare the language in sites.yaml.
catalogue:
	@test -n "$(lang)" || { echo "usage: make catalogue lang=xx" >&2; exit 2; }
	@$(MAKE) --no-print-directory messages
	$(BIN)/pybabel -q init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $(lang) -w 100

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
	$(BIN)/ruff check consent_gateway tests migrations bench docs
	$(BIN)/mypy
