"""What a default graph that is a set costs: the saved queries over dipkg's store (the merge of
the named graphs kept as the store's default graph, each triple once) against the same queries
over Oxigraph's union of the named graphs (a bag: a triple stated in n graphs comes n times),
the design before issue 12; one run, same machine, same synthetic graph.

    python bench/default_graph.py --sizes 1000000
    python bench/default_graph.py --sizes 10000000 --runs 5

For each size: the synthetic graph (``bench/synth.py``) loaded by `dipkg load --bulk` (merge
included, compacted) and, as the baseline, the same file by Oxigraph's bulk loader alone
(named graphs only, compacted). Then every saved query with its example parameters (actors
replaced by generated ones, as in ``scale_bench.py``), bound once by dipkg, run in turn on both
stores (merge, then union, ``--runs`` times each, interleaved so that the machine's noise falls
on both), every row read: p50 of each and their ratio, and the rows each gives. Also the disk
size of both stores and ``COUNT(*)`` of the default graph, which is where the bag shows.
Prints Markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_bench import WORK, graph_file, load, synthetic_params  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.query.saved import TermResolver, bind, load_queries  # noqa: E402
from kg.store import open_store  # noqa: E402

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def union_store(size: int) -> tuple[Path, float]:
    """The baseline: the named graphs alone, bulk-loaded and compacted; seconds taken."""
    path = WORK / f"union-{size}"
    if path.exists():
        shutil.rmtree(path)
    start = time.perf_counter()
    store = ox.Store(str(path))
    store.bulk_load(path=str(graph_file(size)), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store
    return path, time.perf_counter() - start


def disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def default_count(store: ox.Store, *, union: bool) -> int:
    """``COUNT(*)`` of the default graph."""
    solutions = store.query(COUNT, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(solutions)["n"].value)


def timed(store: ox.Store, text: str, *, union: bool) -> tuple[float, int]:
    """Seconds to run ``text`` and read every row, and the rows."""
    start = time.perf_counter()
    rows = sum(1 for _ in store.query(text, use_default_graph_as_union=union))
    return time.perf_counter() - start, rows


def compare(size: int, runs: int) -> None:
    settings = Settings()
    merge_dir, merge_seconds, _, _ = load(size)
    union_dir, union_seconds = union_store(size)
    dipkg_store = open_store(merge_dir, read_only=True)
    resolver = TermResolver(dipkg_store, settings.base_iri)
    merge = ox.Store.read_only(str(merge_dir))
    union = ox.Store.read_only(str(union_dir))

    merge_count = default_count(merge, union=False)
    union_count = default_count(union, union=True)
    print(f"\n### {size:,} triples\n")
    print("| store | load (s) | on disk (MiB) | COUNT(*) of the default graph |")
    print("|---|---|---|---|")
    print(f"| merge (dipkg) | {merge_seconds:.1f} | {disk_mib(merge_dir):.0f} | {merge_count} |")
    print(f"| union (baseline) | {union_seconds:.1f} | {disk_mib(union_dir):.0f} | {union_count} |")
    print("\n| query | rows merge | rows union | p50 merge ms | p50 union ms | merge / union |")
    print("|---|---|---|---|---|---|")
    pledge = dipkg_store.query(
        "SELECT ?p WHERE { ?p a <https://w3id.org/dipkg/def#Pledge> } LIMIT 1"
    ).rows[0][0]
    ratios = []
    for query in sorted(load_queries(settings.queries_dir).values(), key=lambda q: q.name):
        text = bind(query, synthetic_params(query, str(pledge)), resolver, settings.max_rows)
        merge_times, union_times, merge_rows, union_rows = [], [], 0, 0
        for _ in range(runs):
            seconds, merge_rows = timed(merge, text, union=False)
            merge_times.append(seconds)
            seconds, union_rows = timed(union, text, union=True)
            union_times.append(seconds)
        m, u = statistics.median(merge_times) * 1000, statistics.median(union_times) * 1000
        ratios.append(m / u)
        print(f"| {query.name} | {merge_rows} | {union_rows} | {m:.1f} | {u:.1f} | {m / u:.2f}x |")
    print(f"\nGeometric mean of merge / union: {statistics.geometric_mean(ratios):.2f}x")
    dipkg_store.close()
    del merge, union
    shutil.rmtree(union_dir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    for size in args.sizes:
        compare(size, args.runs)


if __name__ == "__main__":
    main()
