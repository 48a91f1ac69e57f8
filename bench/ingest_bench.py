"""Ingest throughput: generated articles through `dipkg ingest`'s pipeline, against spaCy's
own parse of the same texts as the baseline.

    python bench/ingest_bench.py --documents 500
    python bench/ingest_bench.py --documents 200 --extraction-only --detection learned

Writes a generated corpus and registry (bench/synth.py) under var/bench/, builds a store with
that registry and the vocabulary, then times, in one process:

1. spaCy's parse alone (``nlp.pipe`` over the cleaned texts, the same batches): the baseline;
2. extraction (noise removal, parse, patterns, dates, resolution of names);
3. the whole ingest: extraction, resolution against the store, mapping, SHACL on each
   document's neighbourhood, one transaction per document; once for each ``--jobs`` value
   (extraction in that many worker processes, the rest in this one: ``dipkg ingest --jobs``),
   each time into a fresh store;

and prints articles per second for each and the share of time spent outside spaCy's parse
(one process: the baseline of ``--jobs`` > 1 as well). ``--extraction-only`` stops after 2;
``--detection`` picks the design of extraction (``rules`` or ``learned``,
kg/extract/detection.py) for 2 and 3.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from rdflib import Dataset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import write_corpus  # noqa: E402
from kg import iris  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.extract.detection import DEFAULT_DESIGN, DESIGNS  # noqa: E402
from kg.extract.syntax import parse_many  # noqa: E402
from kg.flows.ingest import Ingester  # noqa: E402
from kg.rdf.mapping import map_registry  # noqa: E402
from kg.rdf.ontology import load_vocabulary  # noqa: E402
from kg.sources.cleaning import clean_text  # noqa: E402
from kg.store import EmbeddedStore, writing  # noqa: E402


def base_store(path: Path, ingester: Ingester, settings: Settings) -> None:
    """A store holding only the registry and vocabulary graphs (no documents yet)."""
    if path.exists():
        shutil.rmtree(path)
    dataset = Dataset()
    registry_graph = dataset.graph(iris.registry_graph_iri(settings.base_iri))
    for triple in map_registry(ingester.registry, settings.base_iri):
        registry_graph.add(triple)
    vocabulary_graph = dataset.graph(iris.vocabulary_graph_iri(settings.base_iri))
    for triple in load_vocabulary(settings.ontology_dir):
        vocabulary_graph.add(triple)
    store = EmbeddedStore(path)
    store.bulk_add(dataset)
    store.close()


def fresh_corpus(documents: int, work: Path) -> Path:
    """A new generated corpus of ``documents`` articles and its registry in ``work/corpus``."""
    corpus = work / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    write_corpus(documents, corpus)
    return corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "ingest")
    parser.add_argument(
        "--jobs", default="1,2", help="comma-separated extraction processes to time the ingest with"
    )
    parser.add_argument("--extraction-only", action="store_true")
    parser.add_argument("--detection", choices=DESIGNS, default=DEFAULT_DESIGN)
    args = parser.parse_args(argv)
    corpus = fresh_corpus(args.documents, args.work)
    settings = Settings()
    ingester = Ingester(settings, corpus / "registry.yaml", detection=args.detection)
    paths = sorted(corpus.glob("*.txt"))
    documents = [ingester.read(p) for p in paths]
    texts = [clean_text(d).masked for d in documents]
    for _ in parse_many(texts[:8]):  # load the model and warm up outside the timings
        pass

    start = time.perf_counter()
    for _ in parse_many(texts):
        pass
    parse_seconds = time.perf_counter() - start

    start = time.perf_counter()
    extractions = list(ingester.extractor.extract_many(documents))
    extract_seconds = time.perf_counter() - start
    n = len(paths)
    if args.extraction_only:
        print(f"documents: {n}; detection: {args.detection}")
        print("| stage | seconds | articles/s | share outside spaCy's parse |")
        print("|---|---|---|---|")
        print(f"| spaCy parse alone | {parse_seconds:.1f} | {n / parse_seconds:.1f} | - |")
        outside = 1 - parse_seconds / extract_seconds
        print(f"| extraction | {extract_seconds:.1f} | {n / extract_seconds:.1f} | {outside:.0%} |")
        return 0

    store_path = args.work / "store"
    ingest_seconds: dict[int, float] = {}
    for jobs in (int(j) for j in args.jobs.split(",")):
        base_store(store_path, ingester, settings)
        start = time.perf_counter()
        with writing(store_path) as store:
            outcomes = list(ingester.ingest_many(store, paths, jobs=jobs))
        ingest_seconds[jobs] = time.perf_counter() - start

    statuses = {s: sum(o.status == s for o in outcomes) for s in ("added", "rejected")}
    facts = sum(sum(o.counts.values()) for o in outcomes)
    merged = sum(len(o.merged) for o in outcomes)
    print(
        f"documents: {n}; facts extracted: {sum(len(e.coding.events) for e in extractions)} "
        f"events in extraction; ingest outcomes {statuses}, {facts} facts, {merged} merges"
    )
    print("| stage | seconds | articles/s | share outside spaCy's parse |")
    print("|---|---|---|---|")
    print(f"| spaCy parse alone (baseline) | {parse_seconds:.1f} | {n / parse_seconds:.1f} | - |")
    stages = [("extraction", extract_seconds)]
    stages += [(f"whole ingest, --jobs {j}", t) for j, t in ingest_seconds.items()]
    for name, seconds in stages:
        outside = 1 - parse_seconds / seconds
        print(f"| {name} | {seconds:.1f} | {n / seconds:.1f} | {outside:.0%} |")
    return 0 if statuses["rejected"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
