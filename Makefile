# The two commands of the README: `make run` serves the bundled corpus, `make test` tests.
# Both set everything up on a fresh machine with Python 3.11 (a venv in .venv).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CHECK_STORE := var/ci-store

.PHONY: run test check browser virtuoso jena grlc comunica clean

# `make run` installs what dipkg needs to run; `make test` adds the test tools (.[test]).
$(BIN)/dipkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-tools: $(BIN)/dipkg
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/dipkg
	$(BIN)/dipkg serve

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }

# The remote-store contract tests also run against Virtuoso (scripts/virtuoso_server.py);
# where it cannot be installed they are skipped, saying so.
virtuoso:
	@command -v virtuoso-t >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource; } \
	  || echo "warning: virtuoso-opensource could not be installed; its contract tests will be skipped" >&2

# The saved queries are also checked on Apache Jena (ARQ over TDB2, as in the Fuseki recipe).
jena:
	@test -e /usr/share/java/jena-cmds.jar || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless libapache-jena-java; } \
	  || echo "warning: libapache-jena-java could not be installed; its tests will be skipped" >&2

# grlc serves queries/ as they are (tests/e2e/test_grlc.py), from a virtualenv of its own: its
# pins are not dipkg's. Where it cannot be installed its tests are skipped, saying so.
GRLC := var/grlc
grlc:
	@$(GRLC)/bin/python -c "import grlc" 2>/dev/null || { rm -rf $(GRLC) && $(PYTHON) -m venv $(GRLC) \
	  && $(GRLC)/bin/pip install --quiet grlc==1.3.11; } \
	  || echo "warning: grlc 1.3.11 could not be installed; its tests will be skipped" >&2

# Comunica, a Node.js SPARQL client (tests/e2e/test_comunica.py), installed as the lock file says.
COMUNICA := tests/e2e/comunica
comunica:
	@test -e $(COMUNICA)/node_modules/.bin/comunica-sparql \
	  || npm ci --prefix $(COMUNICA) --no-audit --no-fund --silent \
	  || echo "warning: Comunica could not be installed (npm ci); its tests will be skipped" >&2

# Both make targets spread the tests over one process a core (pytest-xdist, at most four), a
# test file to a process: a file's module fixtures (servers, clusters) start once, as alone.
PARALLEL := -n auto --maxprocesses 4 --dist loadfile

test: $(VENV)/.test-tools browser virtuoso jena grlc comunica
	rm -rf $(CHECK_STORE)
	$(BIN)/dipkg build --store $(CHECK_STORE)
	$(BIN)/dipkg validate --store $(CHECK_STORE) --format junit > var/shacl-junit.xml
	$(BIN)/ruff check kg server tests bench scripts
	$(BIN)/ruff format --check kg server tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PARALLEL); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	  exit $$status

# The fast selection: everything but the tests marked slow (real servers started many times,
# SIGKILL rounds, load and slow-client runs, other engines); `make test` runs everything.
check: $(VENV)/.test-tools
	$(BIN)/ruff check kg server tests bench scripts
	$(BIN)/ruff format --check kg server tests bench scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -m "not slow" $(PARALLEL); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "error: pytest collected no tests" >&2; fi; \
	  exit $$status

clean:
	rm -rf $(VENV) var
