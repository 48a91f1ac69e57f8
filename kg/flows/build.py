"""Building a store from a corpus, the arrows of the data flow in order: documents and codings
-> records -> resolution -> RDF -> SHACL -> store. A corpus that fails anywhere is rejected
whole; the store is untouched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset

from kg import iris
from kg.config import Settings
from kg.errors import InputError, ValidationError
from kg.flows.load import fresh_store
from kg.flows.review import reviewed_codings
from kg.flows.validate import validate_dataset
from kg.flows.write import (
    begin_change,
    index_graphs,
    rebuild_index,
    replace_keeping_iris,
    writing_indexed,
    written_graphs,
)
from kg.rdf.mapping import map_codings, map_registry
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.rdf.validation import (
    ValidationReport,
)
from kg.records import Vocabulary
from kg.resolve import resolve
from kg.sources.articles import read_document
from kg.sources.coding import CodingFile, coding_path, read_coding_file
from kg.sources.registry import Registry, load_registry
from kg.store import open_store, store_exists


@dataclass
class BuildSummary:
    """What a build produced."""

    documents: int
    quads: int
    graphs: int
    report: ValidationReport


def read_corpus(corpus_dir: Path, registry: Registry, vocabulary: Vocabulary) -> list[CodingFile]:
    """Every document of a corpus directory with its curated coding (and the provisional
    actors and places the coding declares).

    Raises:
        InputError: a document, its metadata or its coding is missing or wrong.
    """
    texts = sorted(corpus_dir.glob("*.txt"))
    if not texts:
        raise InputError(f"{corpus_dir}: no documents (*.txt) found.")
    codings = []
    for path in texts:
        document = read_document(path)
        coding_file = coding_path(path)
        if not coding_file.exists():
            raise InputError(
                f"{coding_file}: no curated coding for {path.name}.",
                hint="Write one (see docs/model.md), or add the article with `dipkg ingest`.",
            )
        codings.append(read_coding_file(coding_file, document, registry, vocabulary))
    return codings


def map_corpus(settings: Settings, corpus_dir: Path | None = None) -> tuple[Dataset, list[str]]:
    """Read, resolve and map a corpus into a Dataset (document, registry, vocabulary graphs).

    Returns:
        The dataset and the ids of the documents in it, sorted.
    """
    corpus_dir = corpus_dir or settings.corpus_dir
    vocabulary = load_vocabulary(settings.ontology_dir)
    base_registry = load_registry(corpus_dir / "registry.yaml")
    registry = load_registry(corpus_dir / "registry.yaml", settings.registry_additions)
    notations = scheme_notations(vocabulary)
    files = read_corpus(corpus_dir, registry, notations)
    # the review queue's decisions survive a rebuild: its reviewed documents come back
    corpus_ids = frozenset(f.coding.document.id for f in files)
    files += reviewed_codings(settings, registry, notations, corpus_ids)
    codings = [f.coding for f in files]
    # provisional actors and places live in the graph of the document that declares them
    registry = registry.extended(
        [a for f in files for a in f.actors], [p for f in files for p in f.places]
    )
    resolution = resolve(codings, registry, settings.base_iri)
    dataset = map_codings(codings, resolution, registry, settings.base_iri)
    for file in files:
        if file.actors or file.places:
            graph = dataset.graph(
                iris.document_graph_iri(settings.base_iri, file.coding.document.id)
            )
            for triple in map_registry(registry, settings.base_iri, file.actors, file.places):
                graph.add(triple)
    registry_graph = dataset.graph(iris.registry_graph_iri(settings.base_iri))
    for triple in map_registry(base_registry, settings.base_iri):
        registry_graph.add(triple)
    vocabulary_graph = dataset.graph(iris.vocabulary_graph_iri(settings.base_iri))
    for triple in vocabulary:
        vocabulary_graph.add(triple)
    return dataset, sorted(c.document.id for c in codings)


def build(settings: Settings, corpus_dir: Path | None = None, agent: str = "cli") -> BuildSummary:
    """Build the store from a corpus: map, validate, then write atomically, recorded in the
    graph of changes (a ``build``, made by ``agent``).

    A new store is bulk-loaded into a sibling directory and moved into place; an existing
    store gets all graphs replaced in one transaction, retiring the IRIs they no longer
    describe (:mod:`kg.flows.write`). The search index follows either way.

    Raises:
        InputError: the corpus is malformed (nothing is written).
        ValidationError: the graph violates the shapes (nothing is written).
    """
    dataset, ids = map_corpus(settings, corpus_dir)
    report = validate_dataset(dataset, settings)
    if not report.conforms:
        raise ValidationError(
            f"The corpus graph violates {len(report.violations)} shape rule(s); "
            "the store was not changed.",
            report=report,
            hint="Run `dipkg validate --format text` on a fresh build to see each violation.",
        )
    target = Path(settings.store)
    if store_exists(settings.store):
        with writing_indexed(settings) as store:
            there = set(store.graph_names())
            old = tuple(i for i in ids if iris.document_graph_iri(settings.base_iri, i) in there)
            new = tuple(i for i in ids if i not in old)
            change = begin_change("build", agent, added=new, replaced=old)
            replace_keeping_iris(store, dataset, settings.base_iri, change)
            index_graphs(settings, store, written_graphs(dataset))
            quads = len(store)
    else:
        change = begin_change("build", agent, added=tuple(ids))
        quads = fresh_store(dataset, target, change, settings.base_iri)
        fresh = open_store(target, read_only=True)
        try:
            rebuild_index(settings, fresh)
        finally:
            fresh.close()
    return BuildSummary(len(ids), quads, len(list(dataset.graphs())), report)
