"""Search latency at scale: the SQLite FTS5 index of :mod:`kg.query.search` filled directly with
the entries of synthetic documents (``bench/synth.py``'s articles: a document, 2-4 meetings,
pledges, demands and quotes each, plus the generated actors), then a mix of searches timed.

    python bench/search_bench.py --documents 100000
    python bench/search_bench.py --documents 100000 --reuse   # time an index built before

The entries are what ``search-entries.rq`` would read from the graph of those documents (labels
as the mapper writes them, evidence sentences, contents and quotes), made from the records
without the store: the point is the index, and a 100k-document store takes long to build.
Each query is run once in a random order after one warm-up pass (the index file in the page
cache, as on a serving machine); p50 and p95 of :meth:`SearchIndex.search` (20 hits, snippets
included) per kind of query and overall. Also the time to fill the index and its size, and the
time to put one more document's entries (what an ingest adds to its store write). Prints
Markdown for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import BASE, CONTENT, codings, make_registry  # noqa: E402
from kg.query.search import Entry, SearchIndex  # noqa: E402
from kg.records import Coding  # noqa: E402
from kg.sources.registry import Registry  # noqa: E402

WORK = ROOT / "var" / "bench"
BATCH = 2000


def actor_entries(registry: Registry) -> Iterator[Entry]:
    """The registry's actors as the index holds them."""
    for actor in registry.actors.values():
        names = (actor.label, *actor.aliases)
        yield Entry(f"{BASE}actor/{actor.id}", "actor", actor.label, names, ())


def document_entries(coding: Coding, registry: Registry) -> Iterator[Entry]:
    """One synthetic document's entries: the document, its events, pledges, demands, quotes."""
    label = {a.id: a.label for a in registry.actors.values()}
    document = coding.document
    yield Entry(
        f"{BASE}document/{document.id}",
        "document",
        document.title,
        (document.title, document.id),
        (),
    )
    date = document.published.iso if document.published else "undated"
    for event in coding.events:
        who = " and ".join(label[p.actor] for p in event.participants)
        name = f"{event.type.replace('_', ' ').capitalize()} of {who}, {date}"
        yield Entry(
            f"{BASE}event/{document.id}-{event.key}",
            "event",
            name,
            (name,),
            tuple(s.text for s in event.evidence),
        )
    for pledge in coding.pledges:
        name = f"{'; '.join(label[m] for m in pledge.makers)}: {pledge.content}"
        texts = (pledge.content, *(s.text for step in pledge.steps for s in step.evidence))
        yield Entry(f"{BASE}pledge/{document.id}-{pledge.key}", "pledge", name, (name,), texts)
    for demand in coding.demands:
        name = f"{'; '.join(label[r] for r in demand.requesters)}: {demand.content}"
        texts = (demand.content, *(s.text for s in demand.evidence))
        yield Entry(f"{BASE}demand/{document.id}-{demand.key}", "demand", name, (name,), texts)
    for statement in coding.statements:
        name = f"{label[statement.speaker]}: {statement.quote[:60]}"
        texts = (statement.quote, *(s.text for s in statement.evidence))
        yield Entry(
            f"{BASE}statement/{document.id}-{statement.key}", "statement", name, (name,), texts
        )


def fill(index: SearchIndex, documents: int, registry: Registry) -> int:
    """Put the actors' and ``documents`` synthetic documents' entries; the entries put."""
    index.put(actor_entries(registry))
    batch: list[Entry] = []
    count = 0
    for coding in codings(documents, registry):
        batch.extend(document_entries(coding, registry))
        if len(batch) >= BATCH:
            index.put(batch)
            count += len(batch)
            batch = []
    index.put(batch)
    return count + len(batch) + len(registry.actors)


def query_mix(
    documents: int, registry: Registry, count: int, seed: int = 3
) -> list[tuple[str, str, str | None]]:
    """(kind of query, text, type filter) for ``count`` searches of the kinds people type."""
    rng = random.Random(seed)
    people = [a.label for a in registry.actors.values() if a.kind == "person"]
    states = range(60)
    words = sorted({w for text in CONTENT.values() for w in text.split() if len(w) > 4})
    makers = [
        ("person", lambda: (rng.choice(people), None)),
        ("person, events only", lambda: (rng.choice(people), "event")),
        ("place", lambda: (f"Capital {rng.choice(states)}", None)),
        ("state alias", lambda: (f"Testland {rng.choice(states)}", None)),
        ("content word", lambda: (rng.choice(words), None)),
        ("two words", lambda: (" ".join(rng.sample(words, 2)), None)),
        ("person and word", lambda: (f"{rng.choice(people)} {rng.choice(words)}", None)),
        ("prefix", lambda: (rng.choice(words)[:4] + "*", None)),
        ("document title", lambda: (f"Synthetic report {rng.randrange(documents)}", "document")),
        ("quote", lambda: (f"frank exchange number {rng.randrange(documents)}", "statement")),
    ]
    mix = []
    for n in range(count):
        kind, make = makers[n % len(makers)]
        text, type_filter = make()
        mix.append((kind, text, type_filter))
    rng.shuffle(mix)
    return mix


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--out", type=Path, default=None, help="index file (default var/bench/)")
    parser.add_argument("--reuse", action="store_true", help="time an index filled before")
    args = parser.parse_args(argv)
    path = args.out or WORK / f"search-{args.documents}.sqlite"
    registry = make_registry()
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        with SearchIndex(path, writable=True) as index:
            entries = fill(index, args.documents, registry)
        print(
            f"filled {entries} entries from {args.documents} documents in "
            f"{time.perf_counter() - started:.0f} s; {path.stat().st_size / 2**20:.0f} MiB"
        )
    mix = query_mix(args.documents, registry, args.queries)
    timings: dict[str, list[float]] = {}
    hits: dict[str, list[int]] = {}
    with SearchIndex(path) as index:
        for _, text, type_filter in mix:  # warm-up pass: the file in the page cache
            index.search(text, type_filter)
        for kind, text, type_filter in mix:
            started = time.perf_counter()
            found = index.search(text, type_filter)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            hits.setdefault(kind, []).append(len(found))
        resources = len(index)
    with SearchIndex(path, writable=True) as index:
        extra = list(document_entries(next(codings(1, registry, seed=99)), registry))
        extra = [Entry(e.iri + "-extra", e.kind, e.label, e.names, e.texts) for e in extra]
        started = time.perf_counter()
        index.put(extra)
        put_ms = (time.perf_counter() - started) * 1000
        index.drop(e.iri for e in extra)
    every = [t for values in timings.values() for t in values]
    print(
        f"\n{args.documents} documents, {resources} resources indexed, {len(every)} searches "
        f"(20 hits with snippets):\n"
    )
    print("| query | n | p50 ms | p95 ms | hits (mean) |")
    print("|---|---|---|---|---|")
    for kind, values in timings.items():
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 0.95):.1f} | {statistics.mean(hits[kind]):.1f} |"
        )
    print(
        f"| **all** | {len(every)} | {statistics.median(every):.1f} | "
        f"{percentile(every, 0.95):.1f} | |"
    )
    print(f"\nputting one more document's {len(extra)} entries: {put_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
