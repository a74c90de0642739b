# `make demo`: crawl the bundled replica of the site into ./archive (offline).
# `make test`: lint and run the tests. Both create the virtualenv .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test bench lint format clean redis-server git zbar-tools chromium site

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python -m tests.site.demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint redis-server git zbar-tools chromium
	$(BIN)/python -m pytest

# The distributed tests start a real redis-server (Debian's package; root installs it here)
redis-server:
	@command -v redis-server >/dev/null || { \
		echo "Installing redis-server for the distributed-mode tests"; \
		apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; }

# Publishing runs Debian's git; its tests decode the QR codes with zbarimg (zbar-tools)
git:
	@command -v git >/dev/null || { \
		echo "Installing git for publishing"; \
		apt-get update -qq && apt-get install -y -qq git >/dev/null; }

zbar-tools:
	@command -v zbarimg >/dev/null || { \
		echo "Installing zbar-tools for the QR code tests"; \
		apt-get update -qq && apt-get install -y -qq zbar-tools >/dev/null; }

# The website's tests drive Debian's chromium through Playwright (its own browser download
# cannot be used)
chromium:
	@command -v chromium >/dev/null || { \
		echo "Installing chromium for the website's browser tests"; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The archive as a static website with search: `python -m http.server -d site` serves it
site: $(BIN)/.installed
	$(BIN)/scrapy site

# The benchmark (about twenty minutes): python -m bench.run --quick for a short one
bench: $(BIN)/.installed redis-server
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) archive archive.jsonl site .pytest_cache .ruff_cache
