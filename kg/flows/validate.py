"""Validation flows: SHACL over a graph or dataset before it is written, and over a whole
store, by the SPARQL engine (the shapes as queries the store runs) or by pySHACL (a batch of
named graphs at a time with their neighbourhood, in one process or several side by side)."""

from __future__ import annotations

import itertools
import multiprocessing
import signal
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg import iris
from kg.config import Settings
from kg.errors import StoreError, UsageError
from kg.netguard import forbid_network
from kg.rdf.files import parse_rdf_file
from kg.rdf.ontology import load_vocabulary
from kg.rdf.shacl_sparql import GraphValidator, compile_shapes
from kg.rdf.validation import (
    Triple,
    ValidationReport,
    load_shapes,
    merge_reports,
    union_graph,
    validate_batch,
    validate_graph,
)
from kg.store import Store, open_store

ENGINES = ("sparql", "pyshacl")  # the default first


class Gate:
    """SHACL on one graph at a time, with the vocabulary as context, by one engine: the
    shapes compiled to SPARQL (:mod:`kg.rdf.shacl_sparql`) or pySHACL, the reference. Reuse
    one for many graphs (the shapes and vocabulary are loaded once).

    Raises:
        UsageError: an unknown engine.
        InputError: the shapes use a construct the SPARQL engine does not evaluate.
    """

    def __init__(self, settings: Settings, engine: str = ENGINES[0]) -> None:
        if engine not in ENGINES:
            raise UsageError(f"unknown SHACL engine {engine!r}.", hint="Use sparql or pyshacl.")
        self.shapes = load_shapes(settings.ontology_dir)
        self.vocabulary = load_vocabulary(settings.ontology_dir)
        self._sparql = GraphValidator(self.shapes, self.vocabulary) if engine == "sparql" else None

    def validate(
        self, data: Iterable[Triple], focus: Iterable[URIRef] | None = None
    ) -> ValidationReport:
        """Validate ``data``'s triples (without the vocabulary, which is added), reporting the
        results about ``focus`` only (default all), as :func:`kg.rdf.validation.validate_graph`."""
        if self._sparql is not None:
            return self._sparql.validate(data, focus)
        graph = Graph()
        for triple in itertools.chain(data, self.vocabulary):
            graph.add(triple)
        return validate_graph(graph, self.shapes, focus)


def validate_dataset(
    dataset: Dataset, settings: Settings, engine: str = ENGINES[0]
) -> ValidationReport:
    """SHACL over the union of the dataset's graphs (which hold the vocabulary)."""
    shapes = load_shapes(settings.ontology_dir)
    data = union_graph(list(dataset.graphs()))
    if engine == "pyshacl":
        return validate_graph(data, shapes)
    return GraphValidator(shapes).validate(data)


def validate_files(
    settings: Settings, files: Sequence[Path], engine: str = ENGINES[0]
) -> ValidationReport:
    """SHACL over RDF files (with the vocabulary), without a store.

    Raises:
        InputError: a file is unreadable, malformed or hostile (:mod:`kg.rdf.files`).
    """
    dataset = Dataset()
    for path in files:
        parse_rdf_file(path, dataset)
    return validate_dataset(with_vocabulary(dataset, settings), settings, engine)


def with_vocabulary(dataset: Dataset, settings: Settings) -> Dataset:
    """``dataset`` with the ontology and schemes in its vocabulary graph (the shapes need
    the class hierarchy and the schemes)."""
    vocabulary = dataset.graph(iris.vocabulary_graph_iri(settings.base_iri))
    for triple in load_vocabulary(settings.ontology_dir):
        vocabulary.add(triple)
    return dataset


def validate_stored(
    settings: Settings, jobs: int = 1, batch: int = 50, engine: str = ENGINES[0]
) -> ValidationReport:
    """SHACL over the whole store. With the SPARQL engine, the shapes' queries run in the
    store over its default graph, the merge of its graphs (the vocabulary graph among them);
    with pySHACL, ``batch`` named graphs at a time with their neighbourhood
    (:func:`kg.rdf.validation.validate_batch`), in ``jobs`` processes: each opens the store
    read-only for itself, so memory is about ``jobs`` batches, whatever the store's size.

    Raises:
        StoreError: the store has no vocabulary graph (the SPARQL engine needs it).
    """
    store = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        vocabulary_graph = iris.vocabulary_graph_iri(settings.base_iri)
        graphs = store.graph_names()
        if engine == "sparql":
            if vocabulary_graph not in graphs:
                raise StoreError(
                    f"{settings.store}: has no vocabulary graph <{vocabulary_graph}>; the "
                    "shapes need its classes and schemes.",
                    hint="Build the store with `dipkg build`, or validate with --engine pyshacl.",
                )
            return compile_shapes(load_shapes(settings.ontology_dir)).validate(store)
        names = [g for g in graphs if g != vocabulary_graph]
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
