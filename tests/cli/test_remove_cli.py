"""``dipkg remove``: the exit codes (0 removed, 2 an unknown document, the store unchanged),
what it prints, and a store that validates after (the CLI as a user runs it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.search import SearchIndex
from tests.support import run_dipkg, store_quads

FIRST = "000_6aee4f90ec08fcc7"


@pytest.fixture()
def copy(built_store_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_store_dir, target)
    return target


def test_an_unknown_document_is_exit_2_and_changes_nothing(runner: CliRunner, copy: Path) -> None:
    before = store_quads(copy)
    result = runner.invoke(cli, ["remove", FIRST, "nope", "--store", str(copy)])
    assert result.exit_code == 2
    assert "error: The store holds no document 'nope'" in result.stderr
    assert store_quads(copy) == before


@pytest.mark.slow
def test_a_removal_prints_what_it_did_and_the_store_validates(copy: Path) -> None:
    result = run_dipkg("remove", FIRST, "--format", "json", store=copy)
    assert result.returncode == 0, result.stderr
    removal = json.loads(result.stdout)
    assert removal["documents"] == [FIRST] and removal["triples_removed"] > 0
    assert (
        "https://w3id.org/dipkg/id/event/2023-11-15-meeting-joe-biden-xi-jinping"
        in (removal["kept"])
    )
    check = run_dipkg("validate", store=copy)
    assert check.returncode == 0, check.stdout + check.stderr
    # the search index beside the store follows: the document goes, the kept meeting stays
    with SearchIndex(copy.parent / "store.search.sqlite") as index:
        assert not index.search(FIRST.split("_")[1], "document")
        assert [h.iri for h in index.search("Biden Xi Filoli", "event")][:1] == [
            "https://w3id.org/dipkg/id/event/2023-11-15-meeting-joe-biden-xi-jinping"
        ]
    again = run_dipkg("remove", FIRST, store=copy)
    assert again.returncode == 2 and FIRST in again.stderr
