"""`dipkg ingest --cluster`: extraction on a Dask cluster of two worker processes on this
machine (loopback only, no dashboard), everything else in order, so the outcomes and the
store are those of `dipkg ingest`; a document whose extraction fails is rejected and the batch
goes on; a worker killed mid-batch costs a retry, not a document."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from kg.errors import ExtractionError, ExtractionTimeoutError
from kg.flows.cluster import ClusterPool, local_cluster
from kg.flows.ingest import Ingester
from kg.store import writing
from tests.support import ARTICLES, INGEST_BATCH, free_port, run_dipkg, store_quads

pytestmark = pytest.mark.slow

AUTOMATIC = [p for p in INGEST_BATCH if p.parent == ARTICLES]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes and their scheduler, reached by address as a real one would be."""
    with local_cluster(2) as started:
        yield started


def _without_change(outcomes: list[dict[str, object]]) -> list[dict[str, object]]:
    # each write's record in the history of changes has its own time, the rest is the same
    return [{k: v for k, v in o.items() if k != "change"} for o in outcomes]


def test_a_local_cluster_gives_the_outcomes_and_the_store_of_ingest(
    built_store_dir: Path, tmp_path: Path, ingester: Ingester
) -> None:
    broken = tmp_path / "bad name!.txt"
    broken.write_text("Nothing.", encoding="utf-8")
    batch = [*INGEST_BATCH[:2], broken, *INGEST_BATCH[2:]]
    plain, on_cluster = tmp_path / "plain", tmp_path / "cluster"
    for store in (plain, on_cluster):
        shutil.copytree(built_store_dir, store)
    with writing(plain) as target:
        expected = [o.as_json() for o in ingester.ingest_many(target, batch)]

    result = run_dipkg(
        "ingest", *map(str, batch), "--cluster", "local:2", "--format", "json",
        "--store", str(on_cluster),
    )  # fmt: skip

    assert result.returncode == 1, result.stderr  # two rejected: the batch still went on
    assert "articles/s" in result.stderr
    found = json.loads(result.stdout)
    assert [o["status"] for o in found] == [
        "added", "added", "rejected", "added", "rejected", "added"
    ]  # fmt: skip
    assert _without_change(found) == _without_change(expected)
    assert store_quads(on_cluster, history=False) == store_quads(plain, history=False)


def test_the_cli_reaches_a_running_scheduler_by_its_address(
    cluster: LocalCluster, store_dir: Path
) -> None:
    # by subprocess: the console entry point's no-network guard lets the scheduler's host in
    address = cluster.scheduler_address
    result = run_dipkg("ingest", str(AUTOMATIC[0]), "--cluster", address, "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert "added 1, replaced 0, kept 0, rejected 0" in result.stdout


def test_a_failing_extraction_is_that_documents_rejection(
    cluster: LocalCluster, ingester: Ingester
) -> None:
    documents = [ingester.read(p) for p in AUTOMATIC]
    # a time limit no extraction can keep: each document fails on its worker, alone
    pool = ClusterPool(ingester.registry, ingester.notations, 1e-9, cluster.scheduler_address)
    found = [extraction for _, extraction in pool.ordered(documents, lambda d: d)]
    assert len(found) == len(documents)
    assert all(isinstance(e, ExtractionTimeoutError) for e in found), found
    assert all(isinstance(e, ExtractionError) and e.hint for e in found)


def test_a_worker_killed_mid_batch_costs_a_retry_not_a_document(
    cluster: LocalCluster, ingester: Ingester
) -> None:
    documents = [ingester.read(p) for p in AUTOMATIC] * 2
    expected = [ingester.extract(d) for d in documents]
    pool = ClusterPool(ingester.registry, ingester.notations, None, cluster.scheduler_address)
    found = []
    for index, (_, extraction) in enumerate(pool.ordered(documents, lambda d: d)):
        found.append(extraction)
        if index == 0:
            assert pool._client is not None
            workers = pool._client.run(os.getpid)
            assert len(workers) == 2
            # the busiest worker itself, by SIGKILL (its nanny restarts it): one loss for each
            # task it held. Killing both could move a task onto the second between the two
            # kills, two losses, which is that document's rejection by design.
            busy = pool._client.processing()
            victim = max(workers, key=lambda address: len(busy.get(address, ())))
            assert busy.get(victim), busy
            os.kill(workers[victim], signal.SIGKILL)
    assert found == expected
    assert not any(isinstance(e, ExtractionError) for e in found)


def test_an_unreachable_scheduler_is_exit_2_and_the_store_is_unchanged(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    before = store_quads(store)
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    result = run_dipkg(
        "ingest", *map(str, AUTOMATIC), "--cluster", address, "--store", str(store), env=env
    )
    assert result.returncode == 2, result.stderr
    assert f"error: --cluster {address}: the Dask cluster cannot be reached" in result.stderr
    assert "hint: Start the scheduler" in result.stderr
    assert "Traceback" not in result.stderr
    assert store_quads(store) == before


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--cluster", "local:0"], "at least one worker"),
        (["--cluster", "::1"], "not a scheduler address"),
        (["--cluster", "local:2", "--jobs", "2"], "give one"),
    ],
    ids=["no-workers", "malformed", "with-jobs"],
)
def test_a_bad_cluster_option_is_a_usage_error(
    built_store_dir: Path, tmp_path: Path, options: list[str], said: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    before = store_quads(store)
    result = run_dipkg("ingest", *map(str, AUTOMATIC), *options, "--store", str(store))
    assert result.returncode == 2, result.stderr
    assert said in result.stderr
    assert "Traceback" not in result.stderr
    assert store_quads(store) == before
