"""Helpers for asking the competency questions through `dipkg query`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

Rows = list[dict[str, str]]


@pytest.fixture(scope="session")
def ask(built_store_dir: Path) -> Callable[..., Rows]:
    """``ask(name, **params)``: run `dipkg query NAME --param k=v ... --format csv` -> rows."""
    runner = CliRunner()

    def run(query_name: str, /, **params: str) -> Rows:
        args = ["query", query_name, "--store", str(built_store_dir), "--format", "csv"]
        for key, value in params.items():
            args += ["--param", f"{key}={value}"]
        result = runner.invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.stdout)))

    return run
