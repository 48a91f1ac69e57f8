"""The embedded on-disk store: Oxigraph through pyoxigraph; no server process needed.

Every triple lives in a named graph (one per document, the registry, the vocabulary); the
store's default graph is their RDF merge, each distinct triple once, kept up to date by every
write (:func:`kg.store.base.replacement_update`) and by the bulk loaders. Queries run over that
default graph, or over the graphs a query's FROM / FROM NAMED or the protocol's
``default-graph-uri`` / ``named-graph-uri`` name (SPARQL 1.1 Query 13.2). Replacing graphs is one
SPARQL Update (a single Oxigraph transaction), so a reader sees all of a document or none.
A store written before the merge existed gets it the first time it is opened for writing.

One process writes at a time (:func:`writing` waits for the store's lock file). Readers never
open the files a writer is changing: opening a RocksDB store read-only while another process
writes it is undefined behaviour (pyoxigraph's ``Store.read_only`` says so), and it bites: a
compaction removes a file a reader's handle has not opened yet, and an Oxigraph query over
that handle can spin on the I/O error until it is killed. So every writer publishes *views*
of what it committed, at most one a second (:data:`VIEW_INTERVAL`) and one when it closes: a
RocksDB checkpoint of the store in ``views/`` (hard links; tens of milliseconds), which nothing
ever writes (the writes of a writer killed before its next view are published by the next
writer). Readers open the newest view read-only and :meth:`~EmbeddedStore.refresh` to a newer
one when the writer's generation stamp has moved.
Views older than the newest are removed after :data:`VIEW_GRACE` seconds (a reader refreshes
before each query, so only a query that outlives the grace can lose its files: it is then
retried on the newest view).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from kg.errors import InputError, QueryError, StoreError
from kg.formats import Format, get_format
from kg.store.base import Amendment, QueryResult, replacement_update
from kg.store.terms import dataset_quads, to_oxigraph, to_rdflib

_STAMP = "dipkg.generation"  # rewritten after every write; readers reopen when it changes
_LOCK = "dipkg.lock"  # held (flock) by the one writing process
_VIEWS = "views"  # the read-only checkpoints readers open, one directory per write
VIEW_GRACE = 600.0  # seconds a view stays after a newer one is published
VIEW_INTERVAL = 1.0  # seconds at least between two views one writer publishes


def engine_error(exc: Exception) -> QueryError | StoreError:
    """Oxigraph's error while evaluating a query: the store's (an I/O failure, reported as
    OSError or as RocksDB "corruption"), or the query's (a runtime error of evaluation)."""
    if isinstance(exc, OSError) or "IO error" in str(exc) or "Corruption" in str(exc):
        return StoreError(f"The store could not answer: {exc}")
    return QueryError(f"The query failed: {exc}")


def _collect(result: object, max_rows: int | None) -> QueryResult:
    """A pyoxigraph result as a QueryResult, cut at ``max_rows`` rows or triples."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[tuple[Node | None, ...]] = []
        for solution in result:
            if max_rows is not None and len(rows) >= max_rows:
                return QueryResult("select", variables, rows, truncated=True)
            rows.append(tuple(to_rdflib(solution[v]) for v in variables))
        return QueryResult("select", variables, rows)
    graph = Graph()
    for triple in result:  # type: ignore[attr-defined]
        if max_rows is not None and len(graph) >= max_rows:
            return QueryResult("graph", graph=graph, truncated=True)
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))  # type: ignore[arg-type]
        )
    return QueryResult("graph", graph=graph)


def _merged(store: ox.Store) -> Iterator[ox.Quad]:
    """The default-graph quad of every named graph's triple (duplicates are one quad)."""
    for quad in store.quads_for_pattern(None, None, None, None):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object)


class EmbeddedStore:
    """A pyoxigraph store on disk (or in memory when ``path`` is None).

    Args:
        path: the store directory; created if missing (unless read-only).
        read_only: open without the write lock, so several processes can read one store.
    """

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self._seen = self._generation()
        self._published = False  # the newest view holds every write of this handle
        self._viewed = -VIEW_INTERVAL  # when this handle last published one (monotonic)
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                if not (self.path / "CURRENT").exists():
                    raise StoreError(
                        f"{self.path}: no store here.", hint="Run `dipkg build` to create it."
                    )
                opened = _open_read_only(self.path, wait=_READER_WAIT)
                if opened is None:
                    raise StoreError(
                        f"{self.path}: could not be opened for {_READER_WAIT:g} s while a "
                        "writer compacted it.",
                        hint="Retry in a moment.",
                    )
                self._store = opened
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
                self.add_merge()
        except OSError as exc:
            raise StoreError(
                f"{self.path}: cannot open the store ({exc}).",
                hint="Another dipkg process may hold it for writing; stop it, or use a copy.",
            ) from exc

    def add_merge(self) -> None:
        """Fill the default graph of a store written before it held the merge."""
        default = self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        if next(default, None) is None and next(self._store.named_graphs(), None) is not None:
            self._published = False
            self._store.bulk_extend(_merged(self._store))
            self._store.flush()

    def bulk_load_file(self, path: Path, fmt: Format, to_graph: str | None = None) -> None:
        """Bulk-load one RDF file (its triples into ``to_graph``); every quad must land in a
        named graph (not transactional: for fresh stores).

        Raises:
            InputError: the file is unreadable, malformed, or has quads outside every graph.
        """
        options = {"to_graph": ox.NamedNode(to_graph)} if to_graph else {}
        parser = getattr(ox.RdfFormat, str(fmt.oxigraph))
        self._published = False
        try:
            self._store.bulk_load(path=str(path), format=parser, **options)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise InputError(f"{path}: does not parse as {parser.name}: {exc}") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc}).") from exc
        # no iterator kept: it would hold the store open, and a staging directory is removed
        # on the error below
        stray = next(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None)
        if stray is not None:
            raise InputError(
                f"{path}: {stray.subject} {stray.predicate} ... is in the default graph; "
                "every quad must be in a named graph.",
                hint="dipkg's default graph is the merge of the named graphs.",
            )

    def compact(self) -> None:
        """Compact the store's files and flush them (Oxigraph's bulk loader leaves its files
        as loaded, and every lookup then searches them all)."""
        self._published = False
        self._store.optimize()
        self._store.flush()

    def bulk_merge(self) -> None:
        """Add the merge of the named graphs to the default graph (after a bulk load of
        files; not transactional, for fresh stores)."""
        self._published = False
        self._store.bulk_extend(_merged(self._store))

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store, for writes below this API (tests break stores
        with it); what is written through it is published when the store closes."""
        self._published = False
        return self._store

    def _run(
        self, sparql: str, default_graph_uris: Sequence[str], named_graph_uris: Sequence[str]
    ) -> object:
        """Run a query over the default graph (the merge), or the dataset the protocol names
        (which overrides the query's FROM, SPARQL 1.1 Protocol 2.1.4)."""
        options: dict[str, object] = {}
        if default_graph_uris or named_graph_uris:
            options["default_graph"] = [ox.NamedNode(u) for u in default_graph_uris]
            options["named_graphs"] = [ox.NamedNode(u) for u in named_graph_uris]
        try:
            return self._store.query(sparql, **options)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(f"The query does not parse: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            raise engine_error(exc) from exc

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; see :class:`kg.store.base.Store`. ``max_rows`` caps SELECT rows
        and CONSTRUCT/DESCRIBE triples alike.

        Raises:
            QueryError: the query does not parse (the message has the parser's position).
            StoreError: the store failed while answering (for example a file removed by a
                writer under a read-only handle: :meth:`reopen` and ask again).
        """
        result = self._run(sparql, default_graph_uris, named_graph_uris)
        try:
            return _collect(result, max_rows)
        except (OSError, RuntimeError) as exc:
            raise engine_error(exc) from exc

    def query_serialized(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> bytes:
        """A SELECT/ASK result serialised by Oxigraph itself (``json``, ``xml``, ``csv``,
        ``tsv``), for queries whose size is already bounded (a LIMIT within the row cap).

        Raises:
            QueryError: the query does not parse, or is not a SELECT or ASK.
        """
        result = self._run(sparql, default_graph_uris, named_graph_uris)
        if not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            raise QueryError("Only SELECT and ASK results can be serialised as query results.")
        try:
            writer = getattr(ox.QueryResultsFormat, str(get_format(fmt, "results").oxigraph))
            return result.serialize(format=writer) or b""
        except (OSError, RuntimeError) as exc:
            raise engine_error(exc) from exc

    def replace_graphs(
        self,
        dataset: Dataset,
        retract: Sequence[tuple[URIRef, URIRef]] = (),
        amend: Sequence[Amendment] = (),
    ) -> None:
        """Drop and refill every named graph of ``dataset`` in one update (one transaction),
        first deleting each ``(subject, predicate)`` of ``retract`` from every graph, then
        making the changes of ``amend`` to graphs it keeps."""
        update = replacement_update(dataset, retract, amend)
        if update:
            self._store.update(update)  # committed to the write-ahead log
            self._bump()

    # -- readers and writers of one store directory ---------------------------------------

    def _generation(self) -> tuple[int, int] | None:
        if self.path is None:
            return None
        try:
            stat = (self.path / _STAMP).stat()
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def _bump(self) -> None:
        """Publish the committed store as the newest view, then tell readers (other
        processes) that it changed; at most once every :data:`VIEW_INTERVAL` seconds (a
        checkpoint costs tens of milliseconds, most of a small write): a batch's committed
        documents are visible within that time, and what a writer killed before its next
        view committed is published by the next writer (:meth:`close`)."""
        if self.path is None:
            return
        self._published = False
        if time.monotonic() - self._viewed >= VIEW_INTERVAL:
            self._publish()

    def _publish(self) -> None:
        assert self.path is not None
        _publish_view(self._store, self.path)
        self._published, self._viewed = True, time.monotonic()
        _bump(self.path)

    def refresh(self) -> bool:
        """Reopen a read-only store on the newest view if a writer changed it since; True if
        it did. If it cannot be opened at once, the handle stays as it is: the view before
        that write, kept for :data:`VIEW_GRACE` seconds."""
        if not self.read_only or self._generation() == self._seen:
            return False
        generation = self._generation()
        opened = _open_read_only(self.path, wait=0.0) if self.path is not None else None
        if opened is None:
            return False
        self._store, self._seen = opened, generation
        return True

    def reopen(self) -> bool:
        """Open a read-only store afresh (trying for a few seconds while a writer compacts);
        True if it was reopened, False for a writable or in-memory store.

        Raises:
            StoreError: the store cannot be opened.
        """
        if not self.read_only or self.path is None:
            return False
        generation = self._generation()
        opened = _open_read_only(self.path, wait=_READER_WAIT)
        if opened is None:
            raise StoreError(
                f"{self.path}: could not be reopened for {_READER_WAIT:g} s while a writer "
                "compacted it.",
                hint="Retry in a moment.",
            )
        self._store, self._seen = opened, generation
        return True

    def bulk_add(self, dataset: Dataset) -> None:
        """Add a dataset (and its merge) with the bulk loader (not transactional: for fresh
        stores)."""
        self._published = False
        self._store.bulk_extend(dataset_quads(dataset, merge=True))

    def add_triples(self, triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Quad]:
        """Add triples to the default graph alone, in no named graph: for an in-memory store
        of context queried by its default graph (the SHACL gate's), not for a store that
        serves. Returns the quads it did not hold already, for :meth:`remove_quads`."""
        quads = (ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples)  # type: ignore[arg-type]
        added = list({q for q in quads if q not in self._store})
        self._store.extend(added)
        return added

    def remove_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Remove quads :meth:`add_triples` added."""
        for quad in quads:
            self._store.remove(quad)

    def graph_names(self) -> list[URIRef]:
        """The named graphs in the store, sorted."""
        return sorted(URIRef(g.value) for g in self._store.named_graphs())

    def __len__(self) -> int:
        """The quads of the named graphs (the merge in the default graph is not counted)."""
        return sum(1 for _ in self._named_quads())

    def triple_count(self) -> int:
        """The distinct triples of the store: the size of the default graph, the merge."""
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def _named_quads(self) -> Iterator[ox.Quad]:
        for quad in self._store.quads_for_pattern(None, None, None, None):
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                yield quad

    def dump(self, out: IO[bytes], rdf_format: str) -> None:
        """Stream the store: the named graphs' quads for ``nq``/``trig``, the merge's triples
        (each once) for ``nt``/``ttl``."""
        fmt = get_format(rdf_format, "rdf")
        writer = getattr(ox.RdfFormat, str(fmt.oxigraph))
        if fmt.has_graphs:
            ox.serialize(self._named_quads(), out, format=writer)
        else:
            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
            )
            ox.serialize(triples, out, format=writer)

    def graph_triples(self, graph: URIRef) -> Iterator[tuple[Node, Node, Node]]:
        """One named graph's triples as rdflib terms, grouped by subject (the store's index)."""
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            yield to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)  # type: ignore[misc]

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node | None]]:
        """Every quad of the named graphs as rdflib terms."""
        for q in self._named_quads():
            yield (
                to_rdflib(q.subject),  # type: ignore[misc]
                to_rdflib(q.predicate),
                to_rdflib(q.object),
                to_rdflib(q.graph_name),
            )

    def close(self) -> None:
        """Release the store; a writable one on disk first publishes its view for readers,
        unless its last commit did and nothing was written since."""
        if not self.read_only and self.path is not None and not self._published:
            self._publish()
        del self._store


_READER_WAIT = 5.0  # seconds a reader keeps trying to open while writers compact


def _open_read_only(path: Path, wait: float) -> ox.Store | None:
    """A read-only handle on the newest view of the store (on the store itself if no writer
    ever published one), or None if it could not be opened within ``wait`` seconds.

    A view can be removed between listing and opening (it outlived its grace), and the store
    itself is compacted under a reader of a store without views; either way the open fails
    on a missing file, and is tried again until ``wait`` has passed.

    Raises:
        StoreError: the store cannot be opened for another reason.
    """
    deadline = time.monotonic() + wait
    while True:
        views = _views(path)
        try:
            return ox.Store.read_only(str(views[-1] if views else path))
        except (OSError, RuntimeError) as exc:
            vanished = isinstance(exc, FileNotFoundError) or "No such file" in str(exc)
            if not vanished:
                raise StoreError(f"{path}: cannot open the store ({exc}).") from exc
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.02)


def _views(path: Path) -> list[Path]:
    """The published views of the store at ``path``, oldest first."""
    try:
        names = [entry.name for entry in os.scandir(path / _VIEWS) if entry.name.isdigit()]
    except FileNotFoundError:
        return []
    return [path / _VIEWS / name for name in sorted(names, key=int)]


def _publish_view(store: ox.Store, path: Path) -> None:
    """Checkpoint ``store`` as the newest view of ``path`` (built under a temporary name and
    renamed, so a reader never sees half a view); remove views past their grace."""
    views = path / _VIEWS
    views.mkdir(exist_ok=True)
    stamp = time.time_ns()
    building = views / f".{stamp}.{os.getpid()}"
    try:
        store.backup(str(building))
        building.rename(views / str(stamp))
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise StoreError(f"{path}: could not publish the store for readers ({exc}).") from exc
    expired = stamp - int(VIEW_GRACE * 1e9)
    published = _views(path)
    for older, newer in zip(published, published[1:], strict=False):
        if int(newer.name) <= expired:  # superseded at least the grace ago
            shutil.rmtree(older, ignore_errors=True)
    for entry in os.scandir(views):  # left by a writer that died while publishing
        born = entry.name.lstrip(".").split(".")[0]
        if entry.name.startswith(".") and born.isdigit() and int(born) < expired:
            shutil.rmtree(entry.path, ignore_errors=True)


def changed_at(path: str | Path) -> int | None:
    """When the store at ``path`` last changed, in nanoseconds since the epoch: the stamp every
    writer rewrites after its commits, or (for a store no writer has opened since it was made)
    the time of its files; None if there is no store."""
    for name in (_STAMP, "CURRENT"):
        try:
            return (Path(path) / name).stat().st_mtime_ns
        except FileNotFoundError:
            continue
    return None


def _bump(path: Path) -> None:
    temporary = path / f"{_STAMP}.{os.getpid()}"
    temporary.write_text(str(time.time_ns()))
    temporary.replace(path / _STAMP)


@contextmanager
def writing(path: str | Path, timeout: float = 60.0) -> Iterator[EmbeddedStore]:
    """The store at ``path`` opened for writing, once no other dipkg process writes to it.

    Raises:
        StoreError: the store is missing, or another writer held it for ``timeout`` seconds.
    """
    path = Path(path)
    if not (path / "CURRENT").exists():
        raise StoreError(f"{path}: no store here.", hint="Run `dipkg build` to create it.")
    with open(path / _LOCK, "a+b") as lock:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{path}: another process has been writing for {timeout:g} s.",
                        hint="Wait for the other ingest or load to finish, then run again.",
                    ) from None
                time.sleep(0.05)
        try:
            store = EmbeddedStore(path)
            try:
                yield store
            finally:
                store.close()  # publishes the view readers move to when the stamp moves
                _bump(path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
