"""Queries with a time limit that really stops the work, in processes that cannot do harm.

Neither pyoxigraph nor rdflib can cancel a running query, so each query runs in one of a small
pool of child processes, each holding its own read-only store (reopened when a writer has
changed it); when the time limit passes, that child is killed (the work stops) and a warm
spare takes its place at once (a new spare starts in the background). A query that finds no
free process within the wait is refused (busy), so load is bounded. Serialisation happens in
the child too, under the same time limit, and a CONSTRUCT or DESCRIBE is capped like a SELECT.

A query process is confined before it takes work: it dies with the process that started it
(the kernel's parent-death signal, and a check that the parent is still the one it was
started by), the address space a query may add to it is limited (``query_memory_mb`` over
what the process holds at rest with its store open, so thread stacks and allocator arenas
never eat the allowance; a query past it is a 503 ``too-much-memory``, not a machine out of
memory), on an embedded store it can open no network socket at all
(:func:`kg.netguard.close_network`), and it never sees the write token.
Any error inside it becomes an answer, never its death: a read that fails on a missing file
(a view that outlived its grace, :mod:`kg.store.embedded`) is retried once on the newest view.

The executor offers the same ``query()`` as a store, so saved-query binding and rendering work
on it unchanged.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import resource
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from kg.errors import (
    BusyError,
    DipkgError,
    MemoryLimitError,
    QueryError,
    QueryTimeoutError,
    StoreError,
)
from kg.processes import die_with_parent
from kg.store.base import QueryResult

_ERRORS: dict[str, type[DipkgError]] = {
    "QueryError": QueryError,
    "StoreError": StoreError,
    "MemoryLimitError": MemoryLimitError,
}
_SECRETS = ("DIPKG_WRITE_TOKEN", "DIPKG_STORE_AUTH")
_STACK_BYTES = 64 * 2**20  # the query thread's stack: deep parses fail with an error, not a crash


@dataclass(frozen=True, slots=True)
class Rendered:
    """A query result already serialised in the query process."""

    body: bytes
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class _Request:
    sparql: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    max_rows: int | None
    render: str | None = None  # a format name: serialise in the child
    native: bool = False  # the query's own LIMIT bounds it: the engine serialises it


def _confine(parent: int, network: bool) -> None:
    """Make this query process harmless: dies with ``parent``, no network."""
    for name in _SECRETS:
        os.environ.pop(name, None)
    die_with_parent(parent)
    if not network:
        from kg.netguard import close_network

        close_network()


def _limit_memory(memory: int) -> None:
    """Let this process grow by at most ``memory`` bytes of address space from now on."""
    if memory:
        try:
            pages = int(Path("/proc/self/statm").read_text().split()[0])
        except OSError:  # not Linux: count from nothing
            pages = 0
        at_rest = pages * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (at_rest + memory, at_rest + memory))


def _serve(
    conn: Connection, store_path: str, auth: str, parent: int, memory: int, context: str
) -> None:
    """The child: confine itself, then answer requests from ``conn`` until it closes."""
    from kg.netguard import forbid_network
    from kg.store.remote import is_remote

    # Ctrl-C reaches the whole process group; the worker that owns this child ends it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forbid_network()
    try:
        _confine(parent, network=is_remote(store_path))
    except DipkgError as exc:
        conn.send(("error", ("StoreError", exc.message, exc.hint)))
        return
    threading.stack_size(_STACK_BYTES)
    worker = threading.Thread(
        target=_answer, args=(conn, store_path, auth, memory, context), name="dipkg-query"
    )
    worker.start()
    worker.join()


def _answer(conn: Connection, store_path: str, auth: str, memory: int, context: str) -> None:
    from kg.store import open_store  # imported in the child only

    try:
        store = open_store(store_path, read_only=True, auth=auth)
        _execute(store, _Request("ASK {}", (), (), None), context)  # the engine fully loaded
    except DipkgError as exc:
        conn.send(("error", ("StoreError", exc.message, exc.hint)))
        return
    _limit_memory(memory)
    conn.send(("ready", None))
    while True:
        try:
            request: _Request = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _run(store, request, context)))
        except MemoryError:
            conn.send(("error", ("MemoryLimitError", _MEMORY_MESSAGE, _MEMORY_HINT)))
        except DipkgError as exc:
            kind = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
            conn.send(("error", (kind, exc.message, exc.hint)))
        except Exception as exc:  # an engine's own error: an answer, never the process's end
            conn.send(("error", ("StoreError", f"The store failed: {exc}", None)))


def _run(store: object, request: _Request, context: str) -> object:
    """One request on the store (reopened first if a writer has committed since), retried
    once on a freshly opened store if the store failed under it."""
    try:
        store.refresh()  # type: ignore[attr-defined]
        return _execute(store, request, context)
    except StoreError:
        if not store.reopen():  # type: ignore[attr-defined]  # a remote store: no retry
            raise
    return _execute(store, request, context)


def _execute(store: object, request: _Request, context: str) -> object:
    from kg.query.results import render, render_graph

    options = {
        "default_graph_uris": request.default_graphs,
        "named_graph_uris": request.named_graphs,
    }
    serialize = getattr(store, "query_serialized", None)  # the embedded engine's own writers
    if request.native and serialize is not None:
        assert request.render is not None
        return Rendered(serialize(request.sparql, request.render, **options))
    result: QueryResult = store.query(request.sparql, max_rows=request.max_rows, **options)  # type: ignore[attr-defined]
    if request.render is None:
        return result
    if result.kind == "graph":
        assert result.graph is not None
        return Rendered(render_graph(result.graph, request.render, context), result.truncated)
    return Rendered(render(result, request.render), result.truncated)


_MEMORY_MESSAGE = "The query needed more memory than a query may use, and was stopped."
_MEMORY_HINT = "Narrow the query (fewer OPTIONAL groups, no string doubling, a LIMIT)."


class _Worker:
    """One query process and the pipe to it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


_Slot = _Worker | Future[_Worker] | None


class QueryExecutor:
    """Runs queries on a store in a pool of killable, confined child processes.

    Args:
        store_path: the store (a directory, or a remote store's URL).
        timeout: seconds a query may run, serialisation included.
        auth: credentials of a remote store.
        queue_wait: seconds a query may wait for a free process (then :class:`BusyError`).
        processes: how many query processes (started on first use, restarted after a kill).
        memory: bytes of address space a query process may use (0: no limit).
        context: the JSON-LD context file for graph results.
    """

    def __init__(
        self,
        store_path: str | Path,
        timeout: float,
        auth: str = "",
        queue_wait: float = 5.0,
        processes: int = 1,
        memory: int = 0,
        context: str | Path = "",
    ) -> None:
        self.store_path = str(store_path)
        self.auth = auth
        self.queue_wait = queue_wait
        self.timeout = timeout
        self.memory = memory
        self.context = str(context)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.LifoQueue[_Slot] = queue.LifoQueue()
        for _ in range(max(1, processes)):
            self._idle.put(None)  # a slot whose process starts when first needed
        self._running: set[_Worker] = set()
        self._lock = threading.Lock()
        # Query processes are started from one long-lived thread: the kernel's parent-death
        # signal follows the thread that started a process, and request threads may end.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dipkg-spawn")
        self._spare: Future[_Worker] | None = None  # started with the first process

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(child, self.store_path, self.auth, os.getpid(), self.memory, self.context),
            daemon=True,
            name="dipkg-query",
        )
        process.start()
        child.close()
        if not parent.poll(60):
            process.kill()
            raise StoreError(f"{self.store_path}: the query worker did not start.")
        try:
            status, payload = parent.recv()
        except EOFError:
            process.join()
            raise StoreError(f"{self.store_path}: the query worker failed to start.") from None
        if status != "ready":
            process.join()
            kind, message, hint = payload
            raise _ERRORS.get(kind, StoreError)(message, hint=hint)
        worker = _Worker(process, parent)
        with self._lock:
            self._running.add(worker)
        return worker

    def _stop(self, worker: _Worker) -> None:
        with self._lock:
            self._running.discard(worker)
        worker.stop()

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a query in a child; see :class:`kg.store.base.Store`.

        Raises:
            QueryTimeoutError: the time limit passed (the query was stopped).
            MemoryLimitError: the query needed more memory than a query process may use.
            QueryError: the query does not parse.
            StoreError: the store cannot be read.
        """
        request = _Request(sparql, tuple(default_graph_uris), tuple(named_graph_uris), max_rows)
        return self._ask(request)  # type: ignore[return-value]

    def query_rendered(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
        native: bool = False,
    ) -> Rendered:
        """A result serialised in ``fmt`` (a results format for SELECT/ASK, an RDF format for
        CONSTRUCT/DESCRIBE) by the child, within the time limit; at most ``max_rows`` rows or
        triples (``truncated`` says when the cap cut it). ``native``: the query's own LIMIT
        is within the cap, so the engine serialises it directly. Errors as :meth:`query`."""
        request = _Request(
            sparql,
            tuple(default_graph_uris),
            tuple(named_graph_uris),
            None if native else max_rows,
            fmt,
            native,
        )
        return self._ask(request)  # type: ignore[return-value]

    def _ask(self, request: _Request) -> object:
        try:
            slot = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise BusyError(
                f"The server is busy: no query process was free within {self.queue_wait:g} s.",
                hint="Retry after a few seconds.",
            ) from None
        worker: _Worker | None = None
        try:
            worker = self._take(slot)
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeoutError(
                    f"The query ran longer than {self.timeout:g} s and was stopped.",
                    hint="Narrow the query (more specific patterns, a LIMIT) and try again.",
                )
            try:
                status, payload = worker.conn.recv()
            except EOFError as exc:
                worker.process.join(1)
                code = worker.process.exitcode
                self._replace(worker)
                worker = None
                raise _died(code) from exc
        finally:
            if worker is not None:
                self._idle.put(worker)
        if status == "ok":
            return payload
        kind, message, hint = payload
        raise _ERRORS.get(kind, StoreError)(message, hint=hint)

    def _take(self, slot: _Slot) -> _Worker:
        """The live process of a slot, started (or restarted) if need be; on failure the
        slot goes back empty."""
        try:
            worker = _started(slot) if isinstance(slot, Future) else slot
            if worker is not None and not worker.process.is_alive():
                self._stop(worker)
                worker = None
            if worker is None:
                worker = self._spawner.submit(self._spawn).result()
                with self._lock:
                    if self._spare is None:  # a process to swap in when one is killed
                        self._spare = self._spawner.submit(self._spawn)
            return worker
        except BaseException:
            self._idle.put(None)
            raise

    def _replace(self, worker: _Worker) -> None:
        """Stop a process and put the warm spare in its place (the next query need not wait
        for a process to start), starting a new spare."""
        self._stop(worker)
        with self._lock:
            successor = self._spare or self._spawner.submit(self._spawn)
            self._spare = self._spawner.submit(self._spawn)
        self._idle.put(successor)

    def close(self) -> None:
        """Stop every query process."""
        self._spawner.shutdown(wait=True)
        with self._lock:
            self._spare = None
            running, self._running = list(self._running), set()
        for worker in running:
            worker.stop()


def _started(spare: Future[_Worker]) -> _Worker | None:
    """The process a spare started, or None if it failed to start (start another then: a
    spare that died unseen in the background must not fail the query that needs it)."""
    try:
        return spare.result()
    except DipkgError:
        return None


def _died(exitcode: int | None) -> DipkgError:
    """The error for a query process that ended in the middle of a query."""
    if exitcode in (-signal.SIGABRT, -signal.SIGKILL):  # an allocation failed past the limit
        return MemoryLimitError(_MEMORY_MESSAGE, hint=_MEMORY_HINT)
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"code {exitcode}"
    return StoreError(f"The query process stopped unexpectedly ({how}); the query was not run.")
