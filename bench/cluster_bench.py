"""Ingest on a local Dask cluster against ``--jobs``: the same generated articles through
``dipkg ingest --cluster local:N`` and ``dipkg ingest --jobs N``, each into a fresh store.

    python bench/cluster_bench.py --documents 200 --workers 2

Writes a generated corpus and registry (bench/synth.py) under var/bench/cluster/, builds a
store with that registry and the vocabulary (as bench/ingest_bench.py does), then times, in
one process, the whole ingest (start-up of the workers and their spaCy pipelines included,
as a user pays it): with ``--jobs N`` (extraction in N local worker processes) and
with ``--cluster local:N`` (extraction on a Dask cluster of N worker processes on loopback),
the rest in this process either way; ``--rounds`` runs of each, in turns (jobs, cluster,
cluster, jobs, ...) so that a machine getting busier weighs on both. Prints each run's time,
articles per second of the best run of each, their ratio (cluster / jobs; above 1 the
cluster is faster) and whether the two stores hold the same quads (the history of changes
aside).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest_bench import base_store, fresh_corpus  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.flows.ingest import Ingester  # noqa: E402
from kg.store import writing  # noqa: E402
from tests.support import store_quads  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, in turns")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "cluster")
    args = parser.parse_args(argv)
    corpus = fresh_corpus(args.documents, args.work)
    settings = Settings()
    ingester = Ingester(settings, corpus / "registry.yaml")
    paths = sorted(corpus.glob("*.txt"))
    runs: dict[str, tuple[int, str | None]] = {  # name: (jobs, cluster)
        f"--jobs {args.workers}": (args.workers, None),
        f"--cluster local:{args.workers}": (1, f"local:{args.workers}"),
    }
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    quads: dict[str, list[str]] = {}
    statuses: dict[str, dict[str, int]] = {}
    names = list(runs)
    order = [name for r in range(args.rounds) for name in (names if r % 2 == 0 else names[::-1])]
    for name in order:  # jobs, cluster, cluster, jobs, ...: a machine getting busier hits both
        jobs, cluster = runs[name]
        store_path = args.work / name.strip("-").replace(" ", "-").replace(":", "-") / "store"
        base_store(store_path, ingester, settings)
        start = time.perf_counter()
        with writing(store_path) as store:
            outcomes = list(ingester.ingest_many(store, paths, jobs=jobs, cluster=cluster))
        seconds[name].append(time.perf_counter() - start)
        statuses[name] = {s: sum(o.status == s for o in outcomes) for s in ("added", "rejected")}
        quads[name] = store_quads(store_path, history=False)
    n = len(paths)
    print(f"documents: {n}; outcomes {statuses}")
    print("| ingest | seconds (each run) | articles/s (best run) |")
    print("|---|---|---|")
    for name, taken in seconds.items():
        each = ", ".join(f"{t:.1f}" for t in taken)
        print(f"| {name} | {each} | {n / min(taken):.2f} |")
    on_jobs, on_cluster = (min(taken) for taken in seconds.values())
    print(f"ratio (cluster articles/s / jobs articles/s, best runs): {on_jobs / on_cluster:.2f}")
    same = len({tuple(q) for q in quads.values()}) == 1
    print(f"same store: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
