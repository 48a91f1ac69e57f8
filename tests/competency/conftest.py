"""Helpers for asking the competency questions through `dipkg query`, of each backend."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

Rows = list[dict[str, str]]


# the remote backends start servers: in the full run only (the fast selection asks the embedded store)
BACKENDS = [
    "embedded",
    pytest.param("oxigraph-server", marks=pytest.mark.slow),
    pytest.param("virtuoso", marks=pytest.mark.slow),
]


@pytest.fixture(scope="session", params=BACKENDS)
def ask(request: pytest.FixtureRequest, built_store_dir: Path) -> Callable[..., Rows]:
    """``ask(name, **params)``: run `dipkg query NAME --param k=v ... --format csv` -> rows.

    Every question is asked of every backend: the embedded store, a real Oxigraph server
    holding the same graph, and Virtuoso built from the corpus (the remote-store contract):
    the answers must be the same.
    """
    runner = CliRunner()
    store = {
        "embedded": lambda: str(built_store_dir),
        "oxigraph-server": lambda: request.getfixturevalue("oxigraph_url"),
        "virtuoso": lambda: request.getfixturevalue("virtuoso_store"),
    }[request.param]()

    def run(query_name: str, /, **params: str) -> Rows:
        args = ["query", query_name, "--store", store, "--format", "csv"]
        for key, value in params.items():
            args += ["--param", f"{key}={value}"]
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.stdout)))

    return run
