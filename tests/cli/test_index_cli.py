"""The search index follows the CLI's writes: `dipkg ingest` of a curated article adds its
rows and a new version replaces them; `dipkg index` rebuilds the index whole, also after it was
removed; a remote store without the `search_index` setting is a usage error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.config import Settings
from kg.query.search import SearchIndex, index_follows, index_path
from tests.support import CALL_TEXT, call_coding, write_article


def found(settings: Settings, text: str) -> list[str]:
    path = index_path(settings)
    assert path is not None
    with SearchIndex(path) as index:
        return [h.iri.rsplit("/", 1)[-1] for h in index.search(text)]


@pytest.mark.slow
def test_ingest_keeps_the_index_and_index_rebuilds_it(
    built_store_dir: Path, tmp_path: Path, runner: CliRunner
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)  # the store only: its index is made by the write
    settings = Settings(store=str(store))
    path = write_article(tmp_path / "docs", "call", CALL_TEXT, call_coding("2024-07-09", True))
    result = runner.invoke(cli, ["ingest", str(path), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert index_follows(settings) is True
    assert found(settings, "keep hotline") == ["undated-joe-biden-bilateral-relations"]
    assert "call" in found(settings, "call")  # the document, by its identifier
    write_article(tmp_path / "docs", "call", CALL_TEXT, call_coding("2024-07-09", False))
    assert runner.invoke(cli, ["ingest", str(path), "--store", str(store)]).exit_code == 0
    assert found(settings, "keep hotline") == []  # the new version has no pledge
    assert found(settings, "Biden phone")  # the call is still there
    index = index_path(settings)
    assert index is not None
    index.unlink()
    result = runner.invoke(cli, ["index", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("indexed ")
    assert index_follows(settings) is True
    assert found(settings, "Biden phone")


def test_a_remote_store_needs_the_setting(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["index", "--store", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "DIPKG_SEARCH_INDEX" in result.output
