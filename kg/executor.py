"""Queries with a time limit that really stops the work.

Neither pyoxigraph nor rdflib can cancel a running query, so each query runs in one of a small
pool of child processes, each holding its own read-only store (reopened when a writer has
changed it); when the time limit passes, that child is killed (the work stops) and a fresh one
is started for the next query. A query that finds no free process within the wait is refused
(busy), so load is bounded. The executor offers the same ``query()`` as a store, so
saved-query binding and rendering work on it unchanged.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path

from kg.errors import BusyError, DipkgError, QueryError, QueryTimeoutError, StoreError
from kg.store.base import QueryResult

_ERRORS: dict[str, type[DipkgError]] = {"QueryError": QueryError, "StoreError": StoreError}


def _serve(conn: Connection, store_path: str, auth: str) -> None:
    """The child: answer queries from ``conn`` until it closes."""
    from kg.netguard import forbid_network
    from kg.store import open_store  # imported in the child only

    # Ctrl-C reaches the whole process group; the worker that owns this child ends it (it is a
    # daemon process), so the child need not print a KeyboardInterrupt of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forbid_network()
    try:
        store = open_store(store_path, read_only=True, auth=auth)
    except DipkgError as exc:
        conn.send(("error", ("StoreError", exc.message, exc.hint)))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        sparql, default_graphs, named_graphs, max_rows, serialized = request
        try:
            store.refresh()  # an ingest may have written since the last query
            if serialized:
                conn.send(
                    (
                        "ok",
                        store.query_serialized(
                            sparql,
                            serialized,
                            default_graph_uris=default_graphs,
                            named_graph_uris=named_graphs,
                        ),
                    )
                )
                continue
            result = store.query(
                sparql,
                default_graph_uris=default_graphs,
                named_graph_uris=named_graphs,
                max_rows=max_rows,
            )
            conn.send(("ok", result))
        except DipkgError as exc:
            kind = type(exc).__name__ if type(exc).__name__ in _ERRORS else "StoreError"
            conn.send(("error", (kind, exc.message, exc.hint)))


class _Worker:
    """One query process and the pipe to it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class QueryExecutor:
    """Runs queries on a store in a pool of killable child processes.

    Args:
        store_path: the store (a directory, or a remote store's URL).
        timeout: seconds a query may run.
        auth: credentials of a remote store.
        queue_wait: seconds a query may wait for a free process (then :class:`BusyError`).
        processes: how many query processes (started on first use, restarted after a kill).
    """

    def __init__(
        self,
        store_path: str | Path,
        timeout: float,
        auth: str = "",
        queue_wait: float = 5.0,
        processes: int = 1,
    ) -> None:
        self.store_path = str(store_path)
        self.auth = auth
        self.queue_wait = queue_wait
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(1, processes)):
            self._idle.put(None)  # a slot whose process starts when first needed
        self._running: set[_Worker] = set()
        self._lock = threading.Lock()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self.store_path, self.auth), daemon=True, name="dipkg-query"
        )
        process.start()
        child.close()
        if not parent.poll(60):
            process.kill()
            raise StoreError(f"{self.store_path}: the query worker did not start.")
        status, payload = parent.recv()
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
        """Run a query in the child; see :class:`kg.store.base.Store`.

        Raises:
            QueryTimeoutError: the time limit passed (the query was stopped).
            QueryError: the query does not parse.
            StoreError: the store cannot be read.
        """
        request = (sparql, list(default_graph_uris), list(named_graph_uris), max_rows, None)
        return self._ask(request)  # type: ignore[no-any-return]

    def query_serialized(
        self,
        sparql: str,
        fmt: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
    ) -> bytes:
        """A SELECT/ASK result serialised natively by the store in the child (no row cap:
        only for queries whose own LIMIT is within it); same errors as :meth:`query`."""
        request = (sparql, list(default_graph_uris), list(named_graph_uris), None, fmt)
        return self._ask(request)  # type: ignore[no-any-return]

    def _ask(self, request: tuple[object, ...]) -> object:
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise BusyError(
                f"The server is busy: no query process was free within {self.queue_wait:g} s.",
                hint="Retry after a few seconds.",
            ) from None
        try:
            if worker is not None and not worker.process.is_alive():
                self._stop(worker)
                worker = None
            if worker is None:
                worker = self._start()
            worker.conn.send(request)
            if not worker.conn.poll(self.timeout):
                self._stop(worker)
                worker = None
                raise QueryTimeoutError(
                    f"The query ran longer than {self.timeout:g} s and was stopped.",
                    hint="Narrow the query (more specific patterns, a LIMIT) and try again.",
                )
            try:
                status, payload = worker.conn.recv()
            except EOFError as exc:
                self._stop(worker)
                worker = None
                raise StoreError("The query worker stopped unexpectedly.") from exc
        finally:
            self._idle.put(worker)
        if status == "ok":
            return payload
        kind, message, hint = payload
        raise _ERRORS.get(kind, StoreError)(message, hint=hint)

    def close(self) -> None:
        """Stop every query process."""
        with self._lock:
            running, self._running = list(self._running), set()
        for worker in running:
            worker.stop()
