"""A second outlet's copy of a bundled article (same text, a new document id, no coding, so
extracted automatically) is added and merges into the nodes already there. It was rejected:
the copy's extraction placed Xi's statements at an event of its own (his "visit" to the
United States), the statements merged into the existing ones at the Woodside meeting, and
each document graph wrote its own ``dip:atEvent`` ("A statement was made at most at one
dip:Event")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kg.store import open_store
from tests.support import ROOT, conforms, run_dipkg, select

pytestmark = pytest.mark.slow

BUNDLED = ["000_6aee4f90ec08fcc7", "001_8a1da5cde644e144"]


def _count(store_dir: Path, kind: str) -> int:
    store = open_store(store_dir, read_only=True)
    try:
        [(n,)] = select(store, f"SELECT (COUNT(DISTINCT ?n) AS ?c) WHERE {{ ?n a dip:{kind} }}")  # type: ignore[arg-type]
        return int(str(n))
    finally:
        store.close()


@pytest.mark.parametrize("document", BUNDLED)
def test_a_copy_of_a_bundled_article_is_added_and_stays_valid(
    built_store_dir: Path, tmp_path: Path, document: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    copy = tmp_path / f"{document}_copy.txt"
    shutil.copy(ROOT / "corpus" / f"{document}.txt", copy)
    shutil.copy(ROOT / "corpus" / f"{document}.meta.yaml", tmp_path / f"{document}_copy.meta.yaml")
    result = run_dipkg("ingest", str(copy), "--store", str(store), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    [outcome] = json.loads(result.stdout)
    assert outcome["status"] == "added", outcome["reasons"]
    assert outcome["source"] == "automatic"
    assert outcome["merged"], "the copy merges into existing nodes"
    opened = open_store(store, read_only=True)
    try:
        assert conforms(opened)
    finally:
        opened.close()
