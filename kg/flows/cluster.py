"""Automatic extraction on a Dask cluster, results in input order (``dipkg ingest --cluster``).

The same division of work as ``--jobs N`` (:mod:`kg.flows.workers`), past one machine: the
calling process reads each document and keeps resolution, mapping, the SHACL gate and the
write, one document after another in input order; the extraction of each document that
needs one (the records resolution and mapping take) runs as a task on a Dask worker. Each
worker builds its extractor once (a worker plugin carrying the registry, vocabulary, time
limit and design), so workers need dipkg and its spaCy model installed but no corpus, store
or shared file system: the document travels with its task. At most two documents a worker
thread are under way ahead of the one being written.

A fault in extraction is that document's rejection, as in one process. A worker that dies
mid-task is the scheduler's to handle: it sends the task to another worker (a local
cluster allows one such loss a task, as ``--jobs``; a real scheduler its
``distributed.scheduler.allowed-failures``), and a task that has lost too many workers is
that document's rejection, so one poisonous article cannot stop the batch.

Why Dask distributed: pure Python (installed with pip beside dipkg), a ``LocalCluster`` that
runs the same code on one machine for tests, the same client against a real scheduler by
address, futures that are gathered in the order they were submitted, and no JVM or object
store to run. See docs/cluster.md.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import TypeVar

import dask
from distributed import Client, KilledWorker, LocalCluster, Worker, WorkerPlugin, get_worker
from distributed.client import FutureCancelledError
from distributed.comm.addressing import parse_address, parse_host_port

from kg import netguard
from kg.errors import ClusterError, ExtractionError, UsageError
from kg.extract import Extraction, Extractor
from kg.extract.detection import DEFAULT_DESIGN
from kg.flows.workers import AheadPool, Pending, extract_guarded, worker_lost
from kg.records import Document, Vocabulary
from kg.sources.registry import Registry

T = TypeVar("T")

_LOCAL = re.compile(r"local:(\d+)")


class _ExtractorPlugin(WorkerPlugin):
    """Builds a worker's extractor once, when the worker starts (or joins later)."""

    def __init__(
        self,
        name: str,
        registry: Registry,
        vocabulary: Vocabulary,
        timeout: float | None,
        detection: str,
    ) -> None:
        self.name = name
        self.registry = registry
        self.vocabulary = vocabulary
        self.timeout = timeout
        self.detection = detection
        self.extractor: Extractor | None = None

    def setup(self, worker: Worker) -> None:
        self.extractor = Extractor(
            self.registry, self.vocabulary, self.timeout, detection=self.detection
        )

    def teardown(self, worker: Worker) -> None:
        self.extractor = None


def _extract_on_worker(plugin: str, document: Document) -> Extraction:
    """The task: extract one document with this worker's extractor."""
    found = get_worker().plugins[plugin]
    extractor = found.extractor if isinstance(found, _ExtractorPlugin) else None
    if extractor is None:
        raise ExtractionError(
            "extraction failed: the Dask worker has no dipkg extractor (its plugin was removed).",
            hint="Run the ingest again.",
        )
    return extract_guarded(extractor, document)


@dataclass
class ClusterPool(AheadPool):
    """Extraction of documents on a Dask cluster.

    Args:
        registry, vocabulary, timeout, detection: as :class:`kg.extract.Extractor`'s.
        address: a scheduler's address (``tcp://host:8786``, ``host:8786``, ``tls://...``),
            or ``local:N`` for a cluster of N worker processes on this machine, on loopback.
    """

    registry: Registry
    vocabulary: Vocabulary
    timeout: float | None
    address: str
    detection: str = DEFAULT_DESIGN
    _client: Client | None = field(default=None, init=False)
    _cluster: LocalCluster | None = field(default=None, init=False)
    _plugin: str = field(default_factory=lambda: f"dipkg-extractor-{uuid.uuid4().hex}", init=False)
    _ahead: int = field(default=2, init=False)

    def ahead(self) -> int:
        """Two documents a worker thread (counted when the cluster was joined)."""
        return self._ahead

    def start(self) -> Client:
        """Start or join the cluster and give its workers their extractor.

        Raises:
            UsageError: the address is malformed, or Dask distributed is not installed.
            ClusterError: the cluster cannot be started or reached.
        """
        local = _LOCAL.fullmatch(self.address)
        try:
            if local is not None:
                self._cluster = local_cluster(int(local[1]))
                client = Client(self._cluster, set_as_default=False)
            else:
                # Dask resolves the host with a dummy port, so the host is allowed on any port;
                # results come through the scheduler, never straight from a worker
                netguard.allow(_scheduler_host(self.address), None)
                client = Client(  # the connect timeout is Dask's config
                    self.address, set_as_default=False, direct_to_workers=False
                )
            self._client = client
            client.register_plugin(
                _ExtractorPlugin(
                    self._plugin, self.registry, self.vocabulary, self.timeout, self.detection
                )
            )
            threads = sum(client.nthreads().values())
        except OSError as exc:  # CommClosedError among them
            self.close()
            raise ClusterError(
                f"--cluster {self.address}: the Dask cluster cannot be reached or started "
                f"({type(exc).__name__}: {exc}).",
                hint="Start the scheduler and workers first (docs/cluster.md), and check the "
                "address; or use --cluster local:N.",
            ) from exc
        self._ahead = 2 * max(threads, 1)
        return client

    def _submit(self, pending: Pending[T]) -> None:
        if pending.document is None:
            return
        client = self._client or self.start()
        pending.future = client.submit(
            _extract_on_worker, self._plugin, pending.document, pure=False
        )

    # a task that lost too many workers; the scheduler gone (CommClosedError is an OSError)
    losses = (KilledWorker, OSError, FutureCancelledError)

    def _on_loss(self, error: Exception, window: deque[Pending[T]]) -> ExtractionError | None:
        if isinstance(error, KilledWorker):
            return worker_lost()
        raise ClusterError(
            f"--cluster {self.address}: the Dask cluster went away mid-batch "
            f"({type(error).__name__}: {error}); the documents before it were written.",
            hint="Restart the scheduler and its workers, then ingest the rest again.",
        ) from error

    def close(self) -> None:
        """Leave the cluster (and stop it, if it was local)."""
        if self._client is not None:
            if self._cluster is None:
                with contextlib.suppress(OSError):  # a scheduler gone has no plugins to drop
                    self._client.unregister_worker_plugin(self._plugin)
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def local_cluster(workers: int) -> LocalCluster:
    """A cluster of ``workers`` worker processes (one thread each) on this machine, its
    scheduler in this process, all on loopback, no dashboard; a task may lose one worker and
    be sent again, as with ``--jobs``.

    Raises:
        UsageError: ``workers`` is below 1.
    """
    if workers < 1:
        raise UsageError("--cluster local:N takes at least one worker (N >= 1).")
    netguard.allow("127.0.0.1", None)  # the scheduler here talks to its workers' ports
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # the scheduler's HTTP routes (health, metrics) on a free loopback port, and no
            # dashboard even where bokeh is installed
            dashboard_address="127.0.0.1:0",
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
        )


def _scheduler_host(address: str) -> str:
    """The host of a scheduler's address.

    >>> _scheduler_host("tcp://10.0.0.5:8786"), _scheduler_host("sched.example")
    ('10.0.0.5', 'sched.example')

    Raises:
        UsageError: it is neither ``local:N`` nor a scheduler address.
    """
    try:
        _, location = parse_address(address)
        host, _ = parse_host_port(location, 8786)
    except ValueError as exc:
        raise UsageError(
            f"--cluster {address}: not a scheduler address ({exc}).",
            hint="Give tcp://HOST:PORT (the address dask scheduler prints), or local:N.",
        ) from exc
    return str(host)
