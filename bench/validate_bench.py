"""SHACL where the data is: the SPARQL engine against the bulk load of the same store and
against pySHACL, over a whole store and per document.

    python bench/validate_bench.py --sizes 100000 1000000 --pyshacl-up-to 100000

For each size, in one run: the synthetic graph (``bench/synth.py``, made on first use into
var/bench/) is loaded into a fresh store by `dipkg load --bulk` (the baseline, timed), then
`dipkg validate --store` runs with ``--engine sparql`` and, up to ``--pyshacl-up-to`` triples,
with ``--engine pyshacl`` (its default --jobs): seconds each and the ratios. Then the ingest
gate on ``--documents`` of the store's own document graphs, each validated with its
neighbourhood as if it were ingested again (:meth:`kg.flows.ingest.Ingester.validate`), by each
engine: the median milliseconds, with the neighbourhood lookup alone as the baseline both
share. Prints Markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rdflib import Graph, URIRef

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_bench import graph_file  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.flows.ingest import Ingester  # noqa: E402
from kg.rdf.validation import graph_nodes, neighbourhood  # noqa: E402
from kg.store import open_store  # noqa: E402
from tests.support import DIPKG  # noqa: E402

WORK = ROOT / "var" / "bench"


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and exit code of a command (its output dropped)."""
    start = time.perf_counter()
    code = subprocess.run(command, capture_output=True, cwd=ROOT).returncode
    return time.perf_counter() - start, code


def whole_store(size: int, with_pyshacl: bool) -> Path:
    source = graph_file(size)
    with source.open("rb") as warm:  # the load reads it from the page cache
        while warm.read(1 << 24):
            pass
    store_dir = WORK / f"validate-{size}"
    if store_dir.exists():
        shutil.rmtree(store_dir)
    load, _ = timed([*DIPKG, "load", "--bulk", str(source), "--store", str(store_dir)])
    sparql, code = timed([*DIPKG, "validate", "--store", str(store_dir), "--engine", "sparql"])
    print(
        f"\n### {size:,} triples\n\n| step | seconds | vs the bulk load | exit |\n|---|---|---|---|"
    )
    print(f"| `dipkg load --bulk` (baseline) | {load:.1f} | 1.00x | 0 |")
    print(f"| `dipkg validate --engine sparql` | {sparql:.1f} | {sparql / load:.2f}x | {code} |")
    if with_pyshacl:
        reference, code = timed(
            [*DIPKG, "validate", "--store", str(store_dir), "--engine", "pyshacl"]
        )
        print(
            f"| `dipkg validate --engine pyshacl` | {reference:.1f} | {reference / load:.2f}x "
            f"| {code} |\n\nThe SPARQL engine: {reference / sparql:.1f}x faster than pySHACL."
        )
    return store_dir


def gate(store_dir: Path, documents: int) -> None:
    """Median ms of the ingest gate per document, by engine, and of its neighbourhood lookup."""
    settings = Settings(store=str(store_dir))
    store = open_store(store_dir, read_only=True)
    names = [g for g in store.graph_names() if "/graph/synth-" in str(g)][:documents]
    graphs = [(name, Graph()) for name in names]
    for name, graph in graphs:
        for triple in store.graph_triples(name):
            graph.add(triple)
    times: dict[str, list[float]] = {"neighbourhood": [], "sparql": [], "pyshacl": []}
    ingesters = {engine: Ingester(settings, engine=engine) for engine in ("sparql", "pyshacl")}
    violations = 0
    for name, graph in graphs:
        start = time.perf_counter()
        list(neighbourhood(store, graph_nodes(graph), exclude=[URIRef(name)]))
        times["neighbourhood"].append(time.perf_counter() - start)
        for engine, ingester in ingesters.items():
            start = time.perf_counter()
            report = ingester.validate(store, graph, URIRef(name))
            times[engine].append(time.perf_counter() - start)
            violations += len(report.violations)
    store.close()
    ms = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(
        f"\nIngest gate, median of {len(graphs)} documents of this store (each with its "
        f"neighbourhood; {violations} violations in all):\n\n"
        "| gate | ms per document | of which validation |\n|---|---|---|\n"
        f"| neighbourhood lookup alone (shared) | {ms['neighbourhood']:.1f} | - |\n"
        f"| SPARQL engine | {ms['sparql']:.1f} | {ms['sparql'] - ms['neighbourhood']:.1f} |\n"
        f"| pySHACL | {ms['pyshacl']:.1f} | {ms['pyshacl'] - ms['neighbourhood']:.1f} |\n\n"
        f"Validation part: the SPARQL engine "
        f"{(ms['pyshacl'] - ms['neighbourhood']) / (ms['sparql'] - ms['neighbourhood']):.1f}x "
        "faster than pySHACL."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--pyshacl-up-to", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=30)
    args = parser.parse_args(argv)
    for size in args.sizes:
        store_dir = whole_store(size, size <= args.pyshacl_up_to)
        gate(store_dir, args.documents)
    return 0


if __name__ == "__main__":
    sys.exit(main())
