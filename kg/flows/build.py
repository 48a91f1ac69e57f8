"""The arrows of the data flow, in order: documents and codings -> records -> resolution ->
RDF -> SHACL -> store. A corpus that fails anywhere is rejected whole; the store is untouched.
The bulk path (existing RDF -> a new store through Oxigraph's bulk loader) lives here too.
"""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SKOS

from kg import iris
from kg.config import Settings
from kg.errors import InputError, StoreError, UsageError, ValidationError
from kg.netguard import forbid_network
from kg.rdf.files import rdf_format_of
from kg.rdf.mapping import map_codings, map_registry
from kg.rdf.validation import (
    ValidationReport,
    load_shapes,
    merge_reports,
    union_graph,
    validate_batch,
    validate_graph,
)
from kg.records import Coding
from kg.resolve import resolve
from kg.sources.articles import read_document
from kg.sources.coding import Vocabulary, coding_path, read_coding
from kg.sources.registry import Registry, load_registry
from kg.store import EmbeddedStore, Store, open_store, writing
from kg.store.remote import is_remote
from kg.vocab import DIPC


@dataclass
class BuildSummary:
    """What a build produced."""

    documents: int
    quads: int
    graphs: int
    report: ValidationReport


def load_vocabulary(ontology_dir: Path) -> Graph:
    """The ontology and every SKOS scheme of ``ontology_dir`` as one graph.

    Raises:
        InputError: a Turtle file does not parse.
    """
    graph = Graph()
    files = sorted(ontology_dir.glob("dip*.ttl")) + sorted((ontology_dir / "schemes").glob("*.ttl"))
    if not files:
        raise InputError(f"{ontology_dir}: no ontology files (dip*.ttl) found.")
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser exception types
            raise InputError(f"{path}: does not parse as Turtle: {exc}") from exc
    return graph


def scheme_notations(vocabulary: Graph) -> Vocabulary:
    """Notations of every SKOS scheme in the vocabulary graph, by scheme name."""
    notations: dict[str, set[str]] = {}
    for concept, scheme in vocabulary.subject_objects(SKOS.inScheme):
        name = str(scheme).removeprefix(str(DIPC))
        for notation in vocabulary.objects(concept, SKOS.notation):
            notations.setdefault(name, set()).add(str(notation))
    return {k: frozenset(v) for k, v in notations.items()}


def read_corpus(corpus_dir: Path, registry: Registry, vocabulary: Vocabulary) -> list[Coding]:
    """Every document of a corpus directory with its curated coding.

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
        codings.append(read_coding(coding_file, document, registry, vocabulary))
    return codings


def map_corpus(settings: Settings, corpus_dir: Path | None = None) -> tuple[Dataset, int]:
    """Read, resolve and map a corpus into a Dataset (document, registry, vocabulary graphs).

    Returns:
        The dataset and the number of documents in it.
    """
    corpus_dir = corpus_dir or settings.corpus_dir
    vocabulary = load_vocabulary(settings.ontology_dir)
    registry = load_registry(corpus_dir / "registry.yaml")
    codings = read_corpus(corpus_dir, registry, scheme_notations(vocabulary))
    resolution = resolve(codings, registry, settings.base_iri)
    dataset = map_codings(codings, resolution, registry, settings.base_iri)
    registry_graph = dataset.graph(iris.registry_graph_iri(settings.base_iri))
    for triple in map_registry(registry, settings.base_iri):
        registry_graph.add(triple)
    vocabulary_graph = dataset.graph(iris.vocabulary_graph_iri(settings.base_iri))
    for triple in vocabulary:
        vocabulary_graph.add(triple)
    return dataset, len(codings)


def validate_dataset(dataset: Dataset, settings: Settings) -> ValidationReport:
    """SHACL over the union of the dataset's graphs."""
    shapes = load_shapes(settings.ontology_dir)
    return validate_graph(union_graph(list(dataset.graphs())), shapes)


def validate_stored(settings: Settings, jobs: int = 1, batch: int = 50) -> ValidationReport:
    """SHACL over the whole store, ``batch`` named graphs at a time with their neighbourhood
    (:func:`kg.validation.validate_batch`), in ``jobs`` processes: each opens the store
    read-only for itself, so memory is about ``jobs`` batches, whatever the store's size."""
    store = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        vocabulary_graph = iris.vocabulary_graph_iri(settings.base_iri)
        names = [g for g in store.graph_names() if g != vocabulary_graph]
        batches = [names[start : start + batch] for start in range(0, len(names), batch)]
        if jobs <= 1 or len(batches) <= 1:
            shapes = load_shapes(settings.ontology_dir)
            vocabulary = load_vocabulary(settings.ontology_dir)
            return merge_reports(validate_batch(store, b, shapes, vocabulary) for b in batches)
    finally:
        store.close()
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("spawn"),  # no fork of an open store
        initializer=_start_validator,
        initargs=(settings.store, settings.store_auth, settings.ontology_dir),
    )
    try:
        return merge_reports(pool.map(_validate_names, batches))
    except BrokenProcessPool as exc:
        raise StoreError(
            f"{settings.store}: a validation process ended before its batch was checked ({exc}).",
            hint="It may have run out of memory: run again with fewer --jobs.",
        ) from exc
    finally:
        pool.shutdown(cancel_futures=True)


_VALIDATOR: tuple[Store, Graph, Graph] | None = None  # in a validation process


def _start_validator(location: str, auth: str, ontology_dir: Path) -> None:
    """A validation process: no network, Ctrl-C left to the parent, its own store handle."""
    global _VALIDATOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forbid_network()
    store = open_store(location, read_only=True, auth=auth)
    _VALIDATOR = (store, load_shapes(ontology_dir), load_vocabulary(ontology_dir))


def _validate_names(names: list[URIRef]) -> ValidationReport:
    assert _VALIDATOR is not None, "not a validation process"
    return validate_batch(_VALIDATOR[0], names, *_VALIDATOR[1:])


def build(settings: Settings, corpus_dir: Path | None = None) -> BuildSummary:
    """Build the store from a corpus: map, validate, then write atomically.

    A new store is bulk-loaded into a sibling directory and moved into place; an existing
    store gets all graphs replaced in one transaction.

    Raises:
        InputError: the corpus is malformed (nothing is written).
        ValidationError: the graph violates the shapes (nothing is written).
    """
    dataset, documents = map_corpus(settings, corpus_dir)
    report = validate_dataset(dataset, settings)
    if not report.conforms:
        raise ValidationError(
            f"The corpus graph violates {len(report.violations)} shape rule(s); "
            "the store was not changed.",
            report=report,
            hint="Run `dipkg validate --format text` on a fresh build to see each violation.",
        )
    target = Path(settings.store)
    if is_remote(settings.store) or (target / "CURRENT").exists():
        with writing(settings.store, auth=settings.store_auth) as store:
            store.replace_graphs(dataset)
            quads = len(store)
    else:
        quads = _fresh_store(dataset, target)
    return BuildSummary(documents, quads, len(list(dataset.graphs())), report)


def _fresh_store(dataset: Dataset, target: Path) -> int:
    with staged_store(target) as store:
        store.bulk_add(dataset)
        return len(store)


@contextmanager
def staged_store(target: Path) -> Iterator[EmbeddedStore]:
    """A new embedded store in a sibling directory of ``target``, moved into place when the
    block ends without an error; otherwise (or after a crash) ``target`` is as it was.

    The store is compacted before the move: Oxigraph's bulk loader leaves its files as loaded,
    and every lookup then searches all of them (saved queries at 10M triples were 4-12x slower
    before compaction, bench/RESULTS.md)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        store = EmbeddedStore(staging)
        try:
            yield store
            store.oxigraph.optimize()
            store.oxigraph.flush()
        finally:
            store.close()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


_BULK_FORMATS = {
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.TURTLE,
}


def bulk_load(settings: Settings, files: Sequence[Path], graph: str | None = None) -> int:
    """Make a new embedded store from RDF files with Oxigraph's bulk loader; the quad count.

    The store is built in a sibling directory and moved into place only when every file has
    loaded, so a syntax error, a quad outside every named graph or a crash leaves nothing
    behind. Triples of N-Triples and Turtle files go to ``graph``. SHACL is not run here
    (``dipkg validate`` checks the store after).

    Raises:
        UsageError: the store is remote or already exists.
        InputError: a file is unreadable, of another format, malformed, or has triples
            outside every named graph.
    """
    target = Path(settings.store)
    if is_remote(settings.store) or (target / "CURRENT").exists():
        raise UsageError(
            f"{settings.store}: a bulk load makes a new embedded store, and this one exists"
            + (" (remote)." if is_remote(settings.store) else "."),
            hint="Bulk-load into a new path and point `store` at it, or load without --bulk "
            "(validated with SHACL, one transaction). Remote stores have their own bulk "
            "loaders (docs/remote-stores.md).",
        )
    plan = [(path, *_bulk_format(path, graph)) for path in files]
    with staged_store(target) as store:
        for path, fmt, to_graph in plan:
            options = {"to_graph": ox.NamedNode(to_graph)} if to_graph else {}
            try:
                store.oxigraph.bulk_load(path=str(path), format=fmt, **options)
            except SyntaxError as exc:
                raise InputError(f"{path}: does not parse as {fmt.name}: {exc}") from exc
            except OSError as exc:
                raise InputError(f"{path}: cannot be read ({exc}).") from exc
            # no iterator kept: it holds the store open, and the staging directory is removed
            # on the error below
            stray = next(
                store.oxigraph.quads_for_pattern(None, None, None, ox.DefaultGraph()), None
            )
            if stray is not None:
                raise InputError(
                    f"{path}: {stray.subject} {stray.predicate} ... is in the default graph; "
                    "every quad must be in a named graph.",
                    hint="dipkg's default graph is the merge of the named graphs.",
                )
        store.bulk_merge()
        return len(store)


def _bulk_format(path: Path, graph: str | None) -> tuple[ox.RdfFormat, str | None]:
    """The format of a file to bulk-load, and the graph for its triples if it has none."""
    fmt = rdf_format_of(path)
    if fmt not in _BULK_FORMATS:
        raise InputError(
            f"{path}: a bulk load reads N-Quads, TriG, N-Triples or Turtle, not {fmt.name}.",
            hint="Load it without --bulk (any RDF format, validated with SHACL).",
        )
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        return fmt, None
    if graph is None:
        raise InputError(f"{path}: {fmt.name} has no graphs; give --graph IRI for its triples.")
    return fmt, graph
