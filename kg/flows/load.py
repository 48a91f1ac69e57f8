"""Loading RDF files into a store: in one SHACL-checked transaction (the named graphs they
hold, or the one given, replaced whole), or with Oxigraph's bulk loader into a new store that
is staged beside its place and moved in whole (:func:`kg.store.staged_store`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from rdflib import Dataset

from kg import iris
from kg.config import Settings
from kg.errors import InputError, UsageError, ValidationError
from kg.flows.validate import validate_dataset, with_vocabulary
from kg.flows.write import (
    begin_change,
    index_graphs,
    rebuild_index,
    write_recorded,
    writing_indexed,
    written_graphs,
)
from kg.formats import FORMATS, Format
from kg.query.internal import internal_query
from kg.rdf.files import parse_rdf_file, rdf_format_of
from kg.rdf.mapping import map_change
from kg.records import Change
from kg.store import EmbeddedStore, is_remote, open_store, staged_store, store_exists


def fresh_store(dataset: Dataset, target: Path, change: Change, base: str) -> int:
    """Bulk-load a dataset (and its merge) into a new store at ``target``, with the record of
    ``change`` (every quad added) in the graph of changes; the store's quad count."""
    with staged_store(target) as store:
        store.bulk_add(dataset)
        record_bulk_change(store, change, base)
        return len(store)


def record_bulk_change(store: EmbeddedStore, change: Change, base: str) -> None:
    """Add the record of ``change`` to a store just bulk-loaded: every quad of it added."""
    done = dataclasses.replace(
        change, ended=dt.datetime.now(dt.UTC), triples_added=len(store), triples_removed=0
    )
    log = Dataset()
    for triple in map_change(done, base):
        log.graph(iris.changes_graph_iri(base)).add(triple)
    store.bulk_add(log)


def bulk_load(
    settings: Settings, files: Sequence[Path], graph: str | None = None, agent: str = "cli"
) -> int:
    """Make a new embedded store from RDF files with Oxigraph's bulk loader, recorded as a
    ``load`` by ``agent`` in the graph of changes; the quad count.

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
    if store_exists(settings.store):
        raise UsageError(
            f"{settings.store}: a bulk load makes a new embedded store, and this one exists"
            + (" (remote)." if is_remote(settings.store) else "."),
            hint="Bulk-load into a new path and point `store` at it, or load without --bulk "
            "(validated with SHACL, one transaction). Remote stores have their own bulk "
            "loaders (docs/remote-stores.md).",
        )
    plan = [(path, *_bulk_format(path, graph)) for path in files]
    change = begin_change("load", agent)
    with staged_store(target) as store:
        for path, fmt, to_graph in plan:
            store.bulk_load_file(path, fmt, to_graph)
        store.bulk_merge()
        loaded_graphs = tuple(str(g) for g in store.graph_names())
        record_bulk_change(
            store, dataclasses.replace(change, graphs=loaded_graphs), settings.base_iri
        )
        quads = len(store)
    loaded = open_store(target, read_only=True)
    try:
        rebuild_index(settings, loaded)
    finally:
        loaded.close()
    return quads


def _bulk_format(path: Path, graph: str | None) -> tuple[Format, str | None]:
    """The format of a file to bulk-load, and the graph for its triples if it has none."""
    fmt = rdf_format_of(path)
    if not fmt.bulk:
        readable = ", ".join(f.name for f in FORMATS if f.bulk)
        raise InputError(
            f"{path}: a bulk load reads {readable}, not {fmt.name}.",
            hint="Load it without --bulk (any RDF format, validated with SHACL).",
        )
    if fmt.has_graphs:
        return fmt, None
    if graph is None:
        raise InputError(f"{path}: {fmt.name} has no graphs; give --graph IRI for its triples.")
    return fmt, graph


def load_files(
    settings: Settings, files: Sequence[Path], graph: str | None, agent: str = "cli"
) -> int:
    """Load RDF files into the store in one transaction, their named graphs (and ``graph``,
    for triples without one) replaced whole, after SHACL with the registry and vocabulary,
    recorded as a ``load`` by ``agent`` in the graph of changes; the store's quad count
    after.

    Raises:
        UsageError: no ``graph`` given.
        InputError: a file is unreadable, malformed or hostile (:mod:`kg.rdf.files`).
        ValidationError: the data violates the shapes (nothing is written).
    """
    if graph is None:
        raise UsageError(
            "dipkg load needs --graph IRI: the loaded triples replace that named graph.",
            hint=f"For example --graph {settings.base_iri}graph/my-data",
        )
    change = begin_change("load", agent)
    dataset = Dataset()
    for path in files:
        parse_rdf_file(path, dataset, default_graph=graph)
    with writing_indexed(settings) as target:
        check = Dataset()
        for g in dataset.graphs():
            for triple in g:
                check.graph(g.identifier).add(triple)
        registry = iris.registry_graph_iri(settings.base_iri)
        known = target.query(internal_query("graph-triples", graph=registry))
        for triple in known.graph or ():
            check.graph(registry).add(triple)
        report = validate_dataset(with_vocabulary(check, settings), settings)
        if not report.conforms:
            raise ValidationError(
                f"The loaded data violates {len(report.violations)} shape rule(s); "
                "nothing was loaded.",
                report=report,
            )
        loaded = sorted(str(g.identifier) for g in dataset.graphs() if len(g))
        write_recorded(
            target, dataset, dataclasses.replace(change, graphs=tuple(loaded)), settings.base_iri
        )
        index_graphs(settings, target, written_graphs(dataset))
        return len(target)
