"""Durability: `dipkg ingest --jobs 2` killed with SIGKILL at random points leaves a store that
opens, conforms to the shapes, holds every document whole or not at all, and takes the same
ingest again, and its extraction workers do not outlive it. 20 kills, bounded in time; the seed
is fixed so a failure can be replayed."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.store import open_store, writing
from tests.support import ARTICLES, CURATED, DIPKG, ROOT, conforms

pytestmark = pytest.mark.slow

ID = "https://w3id.org/dipkg/id/"
RUNS = 20
DOCUMENTS = [
    ARTICLES / "woodside_followup.txt",
    ARTICLES / "widodo_beijing.txt",
    CURATED / "hotline_fulfilled.txt",
]


def graphs(store_dir: Path) -> dict[str, set[tuple[object, ...]]]:
    store = open_store(store_dir, read_only=True)
    try:
        return {  # but the history of changes, whose records have each run's own times
            str(name): set(store.graph_triples(name))
            for name in store.graph_names()
            if str(name).startswith(ID + "graph/") and str(name) != ID + "graph/changes"
        }
    finally:
        store.close()


def children(pid: int) -> set[int]:
    """The processes ``pid`` started that are still its children."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.update(int(child) for child in listing.read_text().split())
        except OSError:
            pass  # the task ended meanwhile
    return found


def wait_gone(pids: set[int], timeout: float) -> set[int]:
    """The processes of ``pids`` still alive after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if Path(f"/proc/{pid}").exists()}
        time.sleep(0.05)
    return alive


def store_conforms(store_dir: Path) -> bool:
    store = open_store(store_dir, read_only=True)
    try:
        return conforms(store)
    finally:
        store.close()


def wait_for_commit(store_dir: Path, process: subprocess.Popen, timeout: float) -> None:
    """Return as soon as the ingest has committed a document (the store's generation stamp,
    rewritten after every write, changes), or when it has ended or the time is up."""
    stamp = store_dir / "dipkg.generation"

    def generation() -> tuple[int, int] | None:
        try:
            stat = stamp.stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    before = generation()
    deadline = time.monotonic() + timeout
    while generation() == before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)


@pytest.fixture(scope="module")
def reference(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set]:
    """Every graph after a complete, uninterrupted ingest of the documents in order."""
    store_dir = tmp_path_factory.mktemp("reference") / "store"
    shutil.copytree(built_store_dir, store_dir)
    with writing(store_dir) as store:
        outcomes = list(Ingester(Settings()).ingest_many(store, DOCUMENTS))
    assert all(o.status == "added" for o in outcomes), [o.reasons for o in outcomes]
    return graphs(store_dir)


def test_sigkill_at_random_points_never_leaves_a_partial_document(
    built_store_dir: Path, tmp_path: Path, reference: dict[str, set]
) -> None:
    rng = random.Random(20261129)
    base = graphs(built_store_dir)
    ingester = Ingester(Settings())
    command = [*DIPKG, "ingest", *map(str, DOCUMENTS), "--jobs", "2", "--store"]
    timing = tmp_path / "timing"
    shutil.copytree(built_store_dir, timing)
    started = time.monotonic()
    subprocess.run([*command, str(timing)], cwd=ROOT, check=True, capture_output=True)
    duration = time.monotonic() - started
    complete_runs = mid_batch = with_workers = 0
    for run in range(RUNS):
        store_dir = tmp_path / f"run-{run}"
        shutil.copytree(built_store_dir, store_dir)
        process = subprocess.Popen(
            [*command, str(store_dir)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if run % 2:
            # half the kills land at random times, half just after the first commit, so that
            # some land between two documents' transactions on any machine's timing
            time.sleep(rng.uniform(0.3, duration * 1.05))
        else:
            wait_for_commit(store_dir, process, timeout=duration * 3)
            time.sleep(rng.uniform(0, 0.05))
        workers = children(process.pid)
        with_workers += bool(workers)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        assert not wait_gone(workers, timeout=30), f"run {run}: workers outlived the ingest"
        complete_runs += process.returncode == 0
        found = graphs(store_dir)
        written = {n for n in found if n not in base}
        mid_batch += 0 < len(written) < len(DOCUMENTS)
        for name, triples in found.items():
            # before or after its document's transaction (a later document may retract a
            # superseded status from an earlier graph), never in between
            assert triples in (base.get(name), reference.get(name)), f"run {run}: {name}"
        assert store_conforms(store_dir), f"run {run}: the store does not conform"
        with writing(store_dir) as store:
            outcomes = list(ingester.ingest_many(store, DOCUMENTS))
        assert all(o.status in ("added", "replaced") for o in outcomes), f"run {run}"
        assert graphs(store_dir) == reference, f"run {run}: re-ingest differs"
        shutil.rmtree(store_dir)
    assert complete_runs < RUNS, "no kill landed before the end: the test proves nothing"
    assert mid_batch > 0, "no kill landed between two documents' transactions"
    assert with_workers > 0, "no kill landed while extraction workers ran"


def test_concurrent_ingests_of_one_document_do_not_duplicate_it(
    built_store_dir: Path, tmp_path: Path, reference: dict[str, set]
) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(built_store_dir, store_dir)
    command = [*DIPKG, "ingest", *map(str, DOCUMENTS), "--store", str(store_dir)]
    runs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for process in runs:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert graphs(store_dir) == reference
