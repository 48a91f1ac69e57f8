"""`dipkg ingest --jobs N`: extraction in worker processes, everything else in order, so the
outcomes and the store are those of one process; a worker that dies costs no document."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from kg.config import Settings
from kg.errors import ExtractionError
from kg.flows.ingest import Ingester
from kg.flows.workers import ExtractionPool
from kg.store import writing
from tests.support import ARTICLES, INGEST_BATCH, run_dipkg, store_quads

pytestmark = pytest.mark.slow

BATCH = INGEST_BATCH


def test_jobs_2_gives_the_outcomes_and_the_store_of_jobs_1(
    built_store_dir: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "bad name!.txt"
    broken.write_text("Nothing.", encoding="utf-8")
    batch = [*BATCH[:2], broken, *BATCH[2:]]
    results = {}
    for jobs in (1, 2):
        store = tmp_path / f"store-{jobs}"
        shutil.copytree(built_store_dir, store)
        with writing(store) as target:
            outcomes = list(Ingester(Settings()).ingest_many(target, batch, jobs=jobs))
        # each write's record in the history of changes has its own time, the rest is the same
        recorded = [{k: v for k, v in o.as_json().items() if k != "change"} for o in outcomes]
        results[jobs] = (recorded, store_quads(store, history=False))
    outcomes = results[2][0]
    assert [o["status"] for o in outcomes] == [
        "added", "added", "rejected", "added", "rejected", "added"
    ]  # fmt: skip
    assert results[2] == results[1]


def test_the_cli_shows_articles_per_second_and_takes_jobs(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    articles = [str(p) for p in BATCH if p.parent == ARTICLES]
    result = run_dipkg("ingest", *articles, "--jobs", "2", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert "articles/s" in result.stderr
    assert "added 3, replaced 0, kept 0, rejected 0" in result.stdout
    refused = run_dipkg("ingest", *articles, "--jobs", "0", "--store", str(store))
    assert refused.returncode == 2
    assert "--jobs" in refused.stderr


def test_a_worker_killed_mid_batch_costs_no_document() -> None:
    ingester = Ingester(Settings())
    documents = [ingester.read(p) for p in BATCH if p.parent == ARTICLES] * 2
    expected = [ingester.extract(d) for d in documents]
    pool = ExtractionPool(ingester.registry, ingester.notations, None, jobs=2)
    found = []
    for index, (_, extraction) in enumerate(pool.ordered(documents, lambda d: d)):
        found.append(extraction)
        if index == 0:
            assert pool._pool is not None
            for pid in list(pool._pool._processes):  # the workers themselves, by SIGKILL
                os.kill(pid, signal.SIGKILL)
    assert found == expected
    assert not any(isinstance(e, ExtractionError) for e in found)
