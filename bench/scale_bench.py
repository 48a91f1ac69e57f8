"""dipkg at scale: saved queries, one-article ingest and server memory on synthetic graphs.

    python bench/scale_bench.py --sizes 100000 1000000
    python bench/scale_bench.py --sizes 10000000 --parts queries ingest   # reuse the stores

For each size: the synthetic graph (``bench/synth.py graph``, generated on first use into
var/bench/) is bulk-loaded into a fresh embedded store by `dipkg load --bulk` (which compacts
it), timed against Oxigraph's own bulk loader on the same file as the baseline, without and
with its compaction; then

- every saved query with its example parameters, 20 runs each: p50 and p99;
- ingest of 5 new generated articles (SHACL included), one transaction each, into that store
  and into a store holding only the registry and vocabulary: median seconds and the ratio;
- `dipkg validate` of the whole store (one process per usable CPU): seconds and the peak
  resident memory of its processes, against the whole graph validated at once in memory by
  the same engine and shapes (up to --whole-graph-up-to triples);
- the export tables (`dipkg export --format csv|polecat|cameo`, the queries of /dump.*.csv and
  `dipkg release`), once each, against the N-Quads export of the same store as the baseline;
- `dipkg serve` (2 workers) over the store after a round of saved queries over HTTP: resident
  memory of the whole process tree (server, workers and query processes).

Prints Markdown tables for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest_bench import base_store  # noqa: E402
from bench.synth import write_corpus, write_graph  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.flows.ingest import Ingester  # noqa: E402
from kg.query.saved import SavedQuery, TermResolver, load_queries, run_saved_query  # noqa: E402
from kg.store import open_store, writing  # noqa: E402
from tests.support import DIPKG, free_port  # noqa: E402

WORK = ROOT / "var" / "bench"


def graph_file(size: int) -> Path:
    path = WORK / f"graph-{size}.nq"
    if not path.exists():
        write_graph(size, path)
    return path


def load(size: int) -> tuple[Path, float, float, float]:
    """A fresh store of the graph made by `dipkg load --bulk` (the whole command, in a
    subprocess, compaction included), then the same file through Oxigraph's own bulk loader
    into a scratch store (the baseline), and that store's compaction (`optimize`); seconds each."""
    source = graph_file(size)
    with source.open("rb") as warm:  # both loads read it from the page cache
        while warm.read(1 << 24):
            pass
    store_dir = WORK / f"store-{size}"
    raw_dir = WORK / f"raw-{size}"
    for path in (store_dir, raw_dir):
        if path.exists():
            shutil.rmtree(path)
    start = time.perf_counter()
    command = [*DIPKG, "load", "--bulk", str(source), "--store", str(store_dir)]
    subprocess.run(command, check=True, capture_output=True)
    dipkg_seconds = time.perf_counter() - start
    start = time.perf_counter()
    raw = ox.Store(str(raw_dir))
    raw.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    raw_seconds = time.perf_counter() - start
    start = time.perf_counter()
    raw.optimize()
    raw.flush()
    compact_seconds = time.perf_counter() - start
    del raw
    shutil.rmtree(raw_dir)
    return store_dir, dipkg_seconds, raw_seconds, compact_seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def synthetic_params(query: SavedQuery, resource: str) -> dict[str, str]:
    """The query's example parameters, with the bundled corpus's actors replaced by generated
    ones (a president, or a state for pledges) and a generated resource."""
    actors = {"maker": "state-000"}
    params = {}
    for name, value in query.example.items():
        kind = query.params[name].kind
        if name == "counterpart":
            continue  # two generated actors rarely meet: one actor's page of events
        if kind == "actor":
            params[name] = actors.get(name, "person-000-0")
        elif name == "resource":
            params[name] = resource
        else:
            params[name] = value
    return params


def saved_queries(store_dir: Path, settings: Settings) -> list[tuple[str, str, float, float, int]]:
    """p50 and p99 of every saved query: its first page, where the query is paged also a first
    page of 20, a page further on (page 10), and the whole result in one page as large as the
    row cap (fewer runs)."""
    store = open_store(store_dir, read_only=True)
    resolver = TermResolver(store, settings.base_iri)
    rows = []
    pledge = store.query("SELECT ?p WHERE { ?p a <https://w3id.org/dipkg/def#Pledge> } LIMIT 1")
    for query in sorted(load_queries(settings.queries_dir).values(), key=lambda q: q.name):
        params = synthetic_params(query, str(pledge.rows[0][0]))
        variants = [("page 1", params, 20)]
        if query.page_size:
            variants.append(("page 1 of 20", {**params, "pageSize": "20"}, 20))
            variants.append(("page 10", {**params, "page": "10"}, 20))
            variants.append(("whole", {**params, "pageSize": str(settings.max_rows)}, 3))
        for variant, values, runs in variants:
            times, count = [], 0
            for _ in range(runs):
                start = time.perf_counter()
                result = run_saved_query(store, query, values, resolver, settings.max_rows)
                times.append(time.perf_counter() - start)
                count = len(result.rows)
            p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
            rows.append((query.name, variant, p50, p99, count))
    store.close()
    return rows


def ingest_times(store_dir: Path, ingester: Ingester, articles: list[Path]) -> list[float]:
    copy = store_dir.with_name(store_dir.name + "-ingest")
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(store_dir, copy)
    times = []
    with writing(copy) as store:
        for path in articles:
            start = time.perf_counter()
            outcome = ingester.ingest_file(store, path)
            times.append(time.perf_counter() - start)
            assert outcome.status == "added", outcome.reasons
    shutil.rmtree(copy)
    return times


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def server_memory(store_dir: Path, settings: Settings) -> int:
    port = free_port()
    env = dict(os.environ, DIPKG_STORE=str(store_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.3)
        for query in load_queries(settings.queries_dir).values():
            for _ in range(4):
                requests.get(
                    f"{url}/api/queries/{query.name}",
                    params=synthetic_params(query, settings.base_iri),
                    timeout=60,
                )
        return tree_rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(20)


def peak_run(command: list[str], limit: float | None = None) -> tuple[float, int, int | None]:
    """Run a command: wall seconds, the peak resident memory of its process tree (KiB, sampled
    twice a second) and its exit code (None when it was stopped after ``limit`` seconds)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kib(process.pid))
        if limit is not None and time.perf_counter() - start > limit:
            process.kill()
            process.wait()
            return time.perf_counter() - start, peak, None
        time.sleep(0.5)
    return time.perf_counter() - start, peak, process.returncode


# The baseline of store validation: the whole graph in memory, validated at once by the same
# engine and shapes (kg.rdf.validation.validate_graph: pySHACL).
WHOLE_GRAPH = """
import sys
import pyoxigraph as ox
from kg.config import Settings
from kg.rdf.ontology import load_vocabulary
from kg.store.terms import to_rdflib
from kg.rdf.validation import load_shapes, validate_graph

settings = Settings()
data = load_vocabulary(settings.ontology_dir)
for quad in ox.parse(path=sys.argv[1], format=ox.RdfFormat.N_QUADS):
    data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
report = validate_graph(data, load_shapes(settings.ontology_dir))
sys.exit(0 if report.conforms else 1)
"""


def validation(size: int, store_dir: Path, whole_graph: bool, whole_graph_limit: float) -> None:
    """`dipkg validate` of the whole store (one process per usable CPU), and where asked the
    whole graph validated at once in memory, as the baseline (stopped after
    ``whole_graph_limit`` seconds); prints both."""
    jobs = len(os.sched_getaffinity(0))
    seconds, peak, code = peak_run(
        [*DIPKG, "validate", "--store", str(store_dir), "--jobs", str(jobs)]
    )
    print(
        f"`dipkg validate --jobs {jobs}`: {seconds:.0f} s, peak {peak / 1024:.0f} MiB "
        f"(process tree), exit {code}."
    )
    if whole_graph:
        base_seconds, base_peak, base_code = peak_run(
            [sys.executable, "-c", WHOLE_GRAPH, str(graph_file(size))], limit=whole_graph_limit
        )
        if base_code is None:
            print(
                f"Whole graph at once (pySHACL, same shapes): stopped unfinished after "
                f"{base_seconds:.0f} s, peak {base_peak / 1024:.0f} MiB so far."
            )
            return
        print(
            f"Whole graph at once (pySHACL, same shapes): {base_seconds:.0f} s, peak "
            f"{base_peak / 1024:.0f} MiB, exit {base_code}; `dipkg validate` "
            f"{seconds / base_seconds:.2f}x the time, {peak / base_peak:.2f}x the memory."
        )


PARTS = ("load", "queries", "ingest", "memory", "validate", "exports")
TABLES = ("csv", "polecat", "cameo")


def export_seconds(store_dir: Path, fmt: str, limit: float) -> float | None:
    """Seconds `dipkg export` of one format takes over the store (the whole command, in a
    subprocess, output discarded), or None if it took longer than ``limit``."""
    started = time.perf_counter()
    try:
        subprocess.run(
            [*DIPKG, "export", "--store", str(store_dir), "--format", fmt],
            stdout=subprocess.DEVNULL,
            check=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=PARTS,
        help="What to measure (default all); without load, the stores of an earlier run are used.",
    )
    parser.add_argument(
        "--whole-graph-up-to",
        type=int,
        default=1_000_000,
        help="Validate the whole graph at once as the baseline up to this size (it needs about "
        "1.6 GB at 1M triples).",
    )
    parser.add_argument(
        "--whole-graph-minutes",
        type=float,
        default=30,
        help="Stop the whole-graph baseline after this long (it is reported as unfinished).",
    )
    parser.add_argument(
        "--export-minutes",
        type=float,
        default=10,
        help="Stop an export table after this long (it is reported as unfinished).",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    if "ingest" in args.parts:
        ingester, articles = fresh_articles(settings)
        into_empty = ingest_times(base_store_dir(ingester, settings), ingester, articles)
    for size in args.sizes:
        store_dir = WORK / f"store-{size}"
        if "load" in args.parts or not store_dir.exists():
            store_dir, dipkg_seconds, raw_seconds, compact_seconds = load(size)
            raw_compacted = raw_seconds + compact_seconds
            print(
                f"Bulk load: `dipkg load --bulk` {dipkg_seconds:.1f} s, Oxigraph's own bulk loader "
                f"on the same file {raw_seconds:.1f} s ({dipkg_seconds / raw_seconds:.2f}x), "
                f"with its compaction {raw_compacted:.1f} s ({dipkg_seconds / raw_compacted:.2f}x)."
            )
        quads = len(open_store(store_dir, read_only=True))
        print(f"\n### {quads:,} quads\n")
        if "queries" in args.parts:
            print("| saved query | rows asked | p50 ms | p99 ms | rows |\n|---|---|---|---|---|")
            for name, variant, p50, p99, count in saved_queries(store_dir, settings):
                print(f"| {name} | {variant} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {count} |")
        if "ingest" in args.parts:
            into_large = ingest_times(store_dir, ingester, articles)
            large, small = statistics.median(into_large), statistics.median(into_empty)
            print(
                f"\nIngest of one article (median of {len(articles)}, SHACL included): "
                f"{large:.2f} s into this store, {small:.2f} s into an empty one "
                f"({large / small:.2f}x).\n"
            )
        if "validate" in args.parts:
            validation(
                size, store_dir, size <= args.whole_graph_up_to, args.whole_graph_minutes * 60
            )
        if "exports" in args.parts:
            base = export_seconds(store_dir, "nq", 3600)
            assert base is not None
            print(f"| export | s | x the N-Quads export ({base:.1f} s) |\n|---|---|---|")
            for fmt in TABLES:
                seconds = export_seconds(store_dir, fmt, args.export_minutes * 60)
                shown = (
                    f"| {fmt} | {seconds:.1f} | {seconds / base:.2f}x |"
                    if seconds is not None
                    else f"| {fmt} | > {args.export_minutes * 60:.0f} | - |"
                )
                print(shown)
        if "memory" in args.parts:
            rss = server_memory(store_dir, settings)
            print(
                f"`dipkg serve` (2 workers) resident memory after the saved queries: "
                f"{rss / 1024:.0f} MiB for the whole process tree."
            )
    return 0


def fresh_articles(settings: Settings) -> tuple[Ingester, list[Path]]:
    """5 generated articles under new ids (the graphs hold synth-*), and their ingester."""
    corpus = WORK / "scale-articles"
    if corpus.exists():
        shutil.rmtree(corpus)
    write_corpus(5, corpus, seed=99)
    articles = []
    for path in sorted(corpus.glob("synth-*.txt")):
        for part in corpus.glob(path.stem + ".*"):
            part.rename(part.with_name("fresh-" + part.name))
        articles.append(path.with_name("fresh-" + path.name))
    return Ingester(settings, corpus / "registry.yaml"), articles


def base_store_dir(ingester: Ingester, settings: Settings) -> Path:
    """A store holding only the registry and the vocabulary: the baseline of ingest."""
    empty = WORK / "store-empty"
    base_store(empty, ingester, settings)
    return empty


if __name__ == "__main__":
    sys.exit(main())
