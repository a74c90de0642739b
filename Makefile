# `make demo`: crawl the bundled replica of the site into ./archive (offline).
# `make test`: lint and run the tests. Both create the virtualenv .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test bench bench-instructions lint format clean redis-server git zbar-tools chromium valgrind site

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

# Debian packages the tests use, installed where their program is missing (that needs root):
# $(call debian,PROGRAM,PACKAGE,WHAT FOR)
debian = @command -v $(1) >/dev/null || { \
	echo "Installing $(2) $(3)"; \
	apt-get update -qq && apt-get install -y -qq $(2) >/dev/null; }

# The distributed tests start a real redis-server
redis-server:
	$(call debian,redis-server,redis-server,for the distributed-mode tests)

# Publishing runs git; its tests decode the QR codes with zbarimg
git:
	$(call debian,git,git,for publishing)

zbar-tools:
	$(call debian,zbarimg,zbar-tools,for the QR code tests)

# The website's tests drive chromium through Playwright (its own browser download cannot be
# used)
chromium:
	$(call debian,chromium,chromium,for the website's browser tests)

# The archive as a static website with search: `python -m http.server -d site` serves it
site: $(BIN)/.installed
	$(BIN)/scrapy site

# The benchmark (about twenty minutes): python -m bench.run --quick for a short one
bench: $(BIN)/.installed redis-server
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run

# Instructions per article, the full crawler against the bare spider, counted by valgrind: a
# figure that does not drift with the machine's speed (about five minutes)
bench-instructions: $(BIN)/.installed valgrind
	$(BIN)/python -m bench.run --instructions

valgrind:
	$(call debian,valgrind,valgrind,for the benchmark's instruction counts)

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) archive archive.jsonl site .pytest_cache .ruff_cache
