"""`dipkg ingest` as a user runs it: a batch with a summary table and exit codes; a rejected
document leaves the store as it was; JSON output for scripts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import ARTICLES, CURATED, run_dipkg, store_quads

pytestmark = pytest.mark.slow


def store_and_batch(built_store_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the built store, and a folder with two articles that are not in it."""
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("woodside_followup", "widodo_beijing"):
        for path in ARTICLES.glob(f"{name}.*"):
            shutil.copy(path, batch)
    return store, batch


def test_batch_prints_a_summary_and_exits_1_when_one_document_is_rejected(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store, batch = store_and_batch(built_store_dir, tmp_path)
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
    before = store_quads(store, history=False)  # the re-ingest adds its record, no more
    again = run_dipkg("ingest", article, "--store", str(store), "--format", "json")
    assert again.returncode == 0, again.stderr
    [outcome] = json.loads(again.stdout)
    assert outcome["status"] == "replaced"
    assert outcome["created"] == json.loads(first.stdout)[0]["created"]
    assert store_quads(store, history=False) == before


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


def test_a_document_whose_extraction_fails_is_rejected_and_the_batch_goes_on(
    built_store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The middle one of three is 500 kB of one sentence, far past a 5 s limit (unlimited,
    it takes minutes); the two articles around it take about a second each."""
    store, batch = store_and_batch(built_store_dir, tmp_path)
    (batch / "endless.txt").write_text("word " * 100_000, encoding="utf-8")
    (batch / "endless.meta.yaml").write_text("published: 2024-04-02\n", encoding="utf-8")
    before = store_quads(store)
    monkeypatch.setenv("DIPKG_EXTRACT_TIMEOUT", "5")
    files = [batch / "woodside_followup.txt", batch / "endless.txt", batch / "widodo_beijing.txt"]
    result = run_dipkg("ingest", *map(str, files), "--store", str(store))
    assert result.returncode == 1, result.stderr
    rows = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:4]}
    assert rows == {"woodside_followup": "added", "endless": "rejected", "widodo_beijing": "added"}
    assert "added 2, replaced 0, kept 0, rejected 1" in result.stdout
    assert "rejected endless:\n  - extraction failed: took longer than 5 s." in result.stdout
    assert "Traceback" not in result.stderr
    after = store_quads(store)
    assert not any("/endless" in quad for quad in after)
    assert set(before) <= set(after)
