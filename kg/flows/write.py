"""The one write of graphs (build over an existing store, ingest, load, removal): the graphs
replaced whole in one transaction, and in the same transaction the graph of retired IRIs
amended, so that every IRI the old versions published keeps answering
(:mod:`kg.resolve.retirement`), and the change recorded in the graph of changes (a
``dip:Change``, with how many triples it added and removed); and the search index
(:mod:`kg.query.search`) following every write.

Every writer opens the store with :func:`writing_indexed`: a missing or stale index is rebuilt
first (inside the store's write lock), each write then refreshes the rows of the graphs it
replaced (:func:`index_graphs`), and when the store is closed the index records the store's
change time, so readers can tell an index that fell behind (a writer killed between its store
commit and its index update, or an older dipkg that wrote without one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from kg import __version__, iris
from kg.config import Settings
from kg.query.internal import internal_query
from kg.query.search import SearchIndex, index_path
from kg.rdf.mapping import map_change, map_retirements
from kg.records import Change
from kg.resolve.retirement import Retirements, retirements
from kg.store import Store, changed_at, writing
from kg.store.base import Amendment


def begin_change(
    kind: str,
    agent: str = "cli",
    *,
    added: tuple[str, ...] = (),
    replaced: tuple[str, ...] = (),
    removed: tuple[str, ...] = (),
) -> Change:
    """A change starting now (its end and counts are set when it is written).

    Args:
        kind: a notation of the change-kind scheme.
        agent: ``cli``, or the name of the write token of the request.
        added: ids of the documents it adds.
        replaced: ids of the documents whose graphs it replaces.
        removed: ids of the documents it takes out.
    """
    now = dt.datetime.now(dt.UTC)
    return Change(kind, now, now, agent, __version__, added, replaced, removed)


def retirement_amendment(found: Retirements, base: str) -> Amendment:
    """The change to the graph of retired IRIs that ``found`` says."""
    return Amendment(iris.retired_graph_iri(base), found.cleared, map_retirements(found.records))


def replace_keeping_iris(
    store: Store,
    dataset: Dataset,
    base: str,
    change: Change,
    retract: Sequence[tuple[URIRef, URIRef]] = (),
) -> Retirements:
    """Replace the named graphs of ``dataset`` (after ``retract``), retiring in the same
    transaction the IRIs they no longer describe and recording ``change``; what was retired
    and revived."""
    found = retirements(store, dataset, base)
    write_recorded(store, dataset, change, base, retract, [retirement_amendment(found, base)])
    return found


def write_recorded(
    store: Store,
    dataset: Dataset,
    change: Change,
    base: str,
    retract: Sequence[tuple[URIRef, URIRef]] = (),
    amend: Sequence[Amendment] = (),
) -> Change:
    """Write as :meth:`kg.store.base.Store.replace_graphs` does, with the record of
    ``change`` (ended now, its triple counts from :func:`count_triples`) added to the graph
    of changes in the same transaction; the change as recorded."""
    added, removed = count_triples(store, dataset, retract, amend)
    done = dataclasses.replace(
        change, ended=dt.datetime.now(dt.UTC), triples_added=added, triples_removed=removed
    )
    log = Amendment(iris.changes_graph_iri(base), triples=map_change(done, base))
    store.replace_graphs(dataset, retract, [*amend, log])
    return done


def count_triples(
    store: Store,
    dataset: Dataset,
    retract: Sequence[tuple[URIRef, URIRef]] = (),
    amend: Sequence[Amendment] = (),
) -> tuple[int, int]:
    """How many triples a write adds to the named graphs and removes from them: each
    replaced graph's new version against its old one, the values ``retract`` deletes from
    the other graphs, and each amendment's triples against what its subjects had (blank
    nodes of a reloaded graph count as new; dipkg's own graphs have none). Literals are
    compared by value: the store keeps the canonical form of some (Oxigraph reads
    ``"1.0"^^xsd:decimal`` back as ``"1"``), so the same graph written again counts as no
    change.

    Queries: ``kg/query/sparql/values-of.rq``, ``subject-triples.rq``."""
    added = removed = 0
    replaced = set()
    for graph in dataset.graphs():
        if graph.identifier == dataset.default_graph.identifier:
            continue
        replaced.add(graph.identifier)
        old = _keys(store.graph_triples(URIRef(str(graph.identifier))))
        new = _keys(graph)
        added, removed = added + len(new - old), removed + len(old - new)
    for subject, predicate in retract:
        rows = store.query(internal_query("values-of", subject=subject, predicate=predicate)).rows
        removed += sum(1 for g, _ in rows if g not in replaced)
    for change in amend:
        subjects = sorted(
            change.subjects | {s for s in change.triples.subjects() if isinstance(s, URIRef)}
        )
        if not subjects:
            continue
        query = internal_query("subject-triples", graph=change.graph, subject=subjects)
        before = list(store.query(query).graph or Graph())
        old = _keys(before)
        new = _keys(t for t in before if t[0] not in change.subjects) | _keys(change.triples)
        added, removed = added + len(new - old), removed + len(old - new)
    return added, removed


def _keys(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[Node, Node, object]]:
    """Triples as comparable keys: a literal with a value by its value, datatype and
    language, as :func:`count_triples` compares them."""
    keys: set[tuple[Node, Node, object]] = set()
    for s, p, o in triples:
        if isinstance(o, Literal) and o.value is not None:
            keys.add((s, p, (o.value, o.datatype, o.language)))
        else:
            keys.add((s, p, o))
    return keys


def written_graphs(dataset: Dataset) -> list[URIRef]:
    """The named graphs a write of ``dataset`` replaced."""
    default = dataset.default_graph.identifier
    return [g.identifier for g in dataset.graphs() if g.identifier != default]  # type: ignore[misc]


def index_graphs(settings: Settings, store: Store, graphs: Sequence[URIRef]) -> None:
    """Refresh the search index's rows of ``graphs`` after the store replaced or removed
    them (``dipkg remove`` calls this after its removal too); nothing when there is no index
    (it is built whole by the next :func:`writing_indexed` or ``dipkg index``).

    Raises:
        DipkgError: the store could not be read, or the index written.
    """
    path = index_path(settings)
    if path is None or not path.exists():
        return
    with SearchIndex(path, writable=True) as index:
        index.refresh_graphs(store, graphs)


def rebuild_index(settings: Settings, store: Store) -> int | None:
    """Build the search index of ``settings`` whole from ``store`` and mark it as following
    the store as it is now; the resources indexed (None when no index is configured)."""
    path = index_path(settings)
    if path is None:
        return None
    with SearchIndex(path, writable=True) as index:
        count = index.rebuild(store)
        index.mark(changed_at(settings.store))
    return count


def update_index(settings: Settings, *, rebuild: bool = False) -> None:
    """Bring the search index of ``settings`` up to date with its store: rebuilt whole if it is
    missing or stale, or if ``rebuild`` says so (``dipkg index``, ``dipkg serve``).

    Raises:
        StoreError: the store is missing or busy.
        SearchIndexError: the index cannot be written.
    """
    with writing_indexed(settings, rebuild=rebuild):
        pass


@contextmanager
def writing_indexed(
    settings: Settings, *, timeout: float = 60.0, rebuild: bool = False
) -> Iterator[Store]:
    """The store of ``settings`` opened for writing (:func:`kg.store.writing`), with its
    search index rebuilt first if it is missing or stale (or ``rebuild`` says so), and marked
    as following the store after it closes.

    Raises:
        StoreError: the store is missing or busy.
        SearchIndexError: the index cannot be written.
    """
    path = index_path(settings)
    with writing(settings.store, timeout=timeout, auth=settings.store_auth) as store:
        before = changed_at(settings.store)  # read under the lock: no writer moves it now
        if path is not None:
            current = False
            if path.exists() and not rebuild:
                with SearchIndex(path, writable=True) as index:
                    current = index.is_current(before) is not False
            if not current:
                rebuild_index(settings, store)
        yield store
    if path is not None:
        with SearchIndex(path, writable=True) as index:
            index.mark(changed_at(settings.store))
