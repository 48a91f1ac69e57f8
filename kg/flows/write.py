"""The one write of document graphs (ingest, build over an existing store, load): the graphs
replaced whole in one transaction, and with them the graph of retired IRIs amended, so that
every IRI the old versions published keeps answering (:mod:`kg.resolve.retirement`); and the
search index (:mod:`kg.query.search`) following every write.

Every writer opens the store with :func:`writing_indexed`: a missing or stale index is rebuilt
first (inside the store's write lock), each write then refreshes the rows of the graphs it
replaced (:func:`index_graphs`), and when the store is closed the index records the store's
change time, so readers can tell an index that fell behind (a writer killed between its store
commit and its index update, or an older dipkg that wrote without one).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rdflib import Dataset, URIRef

from kg import iris
from kg.config import Settings
from kg.query.search import SearchIndex, index_path
from kg.rdf.mapping import map_retirements
from kg.resolve.retirement import Retirements, retirements
from kg.store import Store, changed_at, writing
from kg.store.base import Amendment


def retirement_amendment(found: Retirements, base: str) -> Amendment:
    """The change to the graph of retired IRIs that ``found`` says."""
    return Amendment(iris.retired_graph_iri(base), found.cleared, map_retirements(found.records))


def replace_keeping_iris(
    store: Store, dataset: Dataset, base: str, retract: Sequence[tuple[URIRef, URIRef]] = ()
) -> Retirements:
    """Replace the named graphs of ``dataset`` (after ``retract``), retiring in the same
    transaction the IRIs they no longer describe; what was retired and revived."""
    found = retirements(store, dataset, base)
    store.replace_graphs(dataset, retract, [retirement_amendment(found, base)])
    return found


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
