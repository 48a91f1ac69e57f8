"""Loading RDF files into a store: in one SHACL-checked transaction (the named graphs they
hold, or the one given, replaced whole), or with Oxigraph's bulk loader into a new store that
is staged beside its place and moved in whole."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg import iris
from kg.config import Settings
from kg.errors import InputError, UsageError, ValidationError
from kg.flows.validate import validate_dataset, with_vocabulary
from kg.rdf.files import parse_rdf_file, rdf_format_of
from kg.store import EmbeddedStore, writing
from kg.store.remote import is_remote


def fresh_store(dataset: Dataset, target: Path) -> int:
    """Bulk-load a dataset (and its merge) into a new store at ``target``; its quad count."""
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


def load_files(settings: Settings, files: Sequence[Path], graph: str | None) -> int:
    """Load RDF files into the store in one transaction, their named graphs (and ``graph``,
    for triples without one) replaced whole, after SHACL with the registry and vocabulary;
    the store's quad count after.

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
    dataset = Dataset()
    for path in files:
        parse_rdf_file(path, dataset, default_graph=graph)
    with writing(settings.store, auth=settings.store_auth) as target:
        check = Dataset()
        for g in dataset.graphs():
            for triple in g:
                check.graph(g.identifier).add(triple)
        registry = iris.registry_graph_iri(settings.base_iri)
        known = target.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{registry}> {{ ?s ?p ?o }} }}"
        )
        for triple in known.graph or ():
            check.graph(registry).add(triple)
        report = validate_dataset(with_vocabulary(check, settings), settings)
        if not report.conforms:
            raise ValidationError(
                f"The loaded data violates {len(report.violations)} shape rule(s); "
                "nothing was loaded.",
                report=report,
            )
        target.replace_graphs(dataset)
        return len(target)
