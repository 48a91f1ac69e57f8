"""Validation flows: SHACL over a dataset before it is written, and over a whole store, a batch
of named graphs at a time with their neighbourhood, in one process or several side by side."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg import iris
from kg.config import Settings
from kg.errors import StoreError
from kg.netguard import forbid_network
from kg.rdf.files import parse_rdf_file
from kg.rdf.ontology import load_vocabulary
from kg.rdf.validation import (
    ValidationReport,
    load_shapes,
    merge_reports,
    union_graph,
    validate_batch,
    validate_graph,
)
from kg.store import Store, open_store


def validate_dataset(dataset: Dataset, settings: Settings) -> ValidationReport:
    """SHACL over the union of the dataset's graphs."""
    shapes = load_shapes(settings.ontology_dir)
    return validate_graph(union_graph(list(dataset.graphs())), shapes)


def validate_files(settings: Settings, files: Sequence[Path]) -> ValidationReport:
    """SHACL over RDF files (with the vocabulary), without a store.

    Raises:
        InputError: a file is unreadable, malformed or hostile (:mod:`kg.rdf.files`).
    """
    dataset = Dataset()
    for path in files:
        parse_rdf_file(path, dataset)
    return validate_dataset(with_vocabulary(dataset, settings), settings)


def with_vocabulary(dataset: Dataset, settings: Settings) -> Dataset:
    """``dataset`` with the ontology and schemes in its vocabulary graph (the shapes need
    the class hierarchy and the schemes)."""
    vocabulary = dataset.graph(iris.vocabulary_graph_iri(settings.base_iri))
    for triple in load_vocabulary(settings.ontology_dir):
        vocabulary.add(triple)
    return dataset


def validate_stored(settings: Settings, jobs: int = 1, batch: int = 50) -> ValidationReport:
    """SHACL over the whole store, ``batch`` named graphs at a time with their neighbourhood
    (:func:`kg.rdf.validation.validate_batch`), in ``jobs`` processes: each opens the store
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
