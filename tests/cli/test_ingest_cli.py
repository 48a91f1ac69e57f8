"""`dipkg ingest` as a user runs it: a batch with a summary table and exit codes; a rejected
document leaves the store as it was; JSON output for scripts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import ARTICLES, CURATED, run_dipkg, store_quads

pytestmark = pytest.mark.slow


def test_batch_prints_a_summary_and_exits_1_when_one_document_is_rejected(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("woodside_followup", "widodo_beijing"):
        for path in ARTICLES.glob(f"{name}.*"):
            shutil.copy(path, batch)
    for path in CURATED.glob("hotline_backdated.*"):
        shutil.copy(path, batch)
    result = run_dipkg("ingest", str(batch), "--store", str(store))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["document", "status", "source"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:4]}
    assert rows == {
        "hotline_backdated": "rejected",
        "widodo_beijing": "added",
        "woodside_followup": "added",
    }
    assert "added 2, replaced 0, kept 0, rejected 1" in result.stdout
    assert "rejected hotline_backdated:" in result.stdout
    assert "Traceback" not in result.stderr


def test_json_output_and_a_rerun_that_replaces(built_store_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    article = str(ARTICLES / "woodside_followup.txt")
    first = run_dipkg("ingest", article, "--store", str(store), "--format", "json")
    assert first.returncode == 0, first.stderr
    before = store_quads(store)
    again = run_dipkg("ingest", article, "--store", str(store), "--format", "json")
    assert again.returncode == 0, again.stderr
    [outcome] = json.loads(again.stdout)
    assert outcome["status"] == "replaced"
    assert outcome["created"] == json.loads(first.stdout)[0]["created"]
    assert store_quads(store) == before


def test_usage_errors_exit_2_without_touching_the_store(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    before = store_quads(store)
    missing = run_dipkg("ingest", str(tmp_path / "nope.txt"), "--store", str(store))
    assert missing.returncode == 2
    assert "nope.txt: no such file or directory" in missing.stderr
    two = run_dipkg(
        "ingest",
        str(ARTICLES / "woodside_followup.txt"),
        str(ARTICLES / "widodo_beijing.txt"),
        "--published",
        "2024-01-01",
        "--store",
        str(store),
    )
    assert two.returncode == 2 and "one document" in two.stderr
    no_store = run_dipkg(
        "ingest", str(ARTICLES / "widodo_beijing.txt"), "--store", str(tmp_path / "x")
    )
    assert no_store.returncode == 2 and "no store here" in no_store.stderr
    assert store_quads(store) == before
