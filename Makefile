# The two commands of the README: `make run` serves the bundled corpus, `make test` tests.
# Both set everything up on a fresh machine with Python 3.11 (a venv in .venv).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECK_STORE := var/ci-store

.PHONY: run test browser clean

$(BIN)/dipkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/dipkg
	$(BIN)/dipkg serve

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }

test: $(BIN)/dipkg browser
	rm -rf $(CHECK_STORE)
	$(BIN)/dipkg build --store $(CHECK_STORE)
	$(BIN)/dipkg validate --store $(CHECK_STORE) --format junit > var/shacl-junit.xml
	$(BIN)/ruff check kg server tests bench
	$(BIN)/python -m pytest -q; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	  exit $$status

clean:
	rm -rf $(VENV) var
