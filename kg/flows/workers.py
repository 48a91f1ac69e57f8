"""Automatic extraction in worker processes, results in input order (``dipkg ingest --jobs N``).

A batch ingest hands each document that needs automatic extraction to one of ``jobs``
spawned processes (each loads spaCy's pipeline once); resolution, mapping, the SHACL gate and
the write stay in the calling process, one document after another in input order. So every
document is still written whole or not at all, and the outcomes are those of ``--jobs 1``.
At most ``2 * jobs`` documents are read ahead of the one being written, so memory does not grow
with the batch.

A worker holds no store handle, opens no network connection, ignores Ctrl-C (the parent
decides) and dies with its parent. A fault in extraction is that document's rejection, as in
one process; a worker that dies outright (killed, out of memory) costs the documents it may
have been extracting one retry in a fresh pool, and a document that a second pool loses too is
rejected, so one poisonous article cannot stop the batch.

The window kept ahead of the writer, in input order, is :class:`AheadPool`'s; extraction on a
Dask cluster (:mod:`kg.flows.cluster`) shares it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

from kg.errors import DipkgError, ExtractionError
from kg.extract import Extraction, Extractor
from kg.extract.detection import DEFAULT_DESIGN
from kg.netguard import forbid_network
from kg.processes import die_with_parent
from kg.records import Document, Vocabulary
from kg.sources.registry import Registry

T = TypeVar("T")


def default_jobs() -> int:
    """One worker per core this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def extract_guarded(extractor: Extractor, document: Document) -> Extraction:
    """Extract one document; whatever goes wrong is that document's rejection.

    Raises:
        ExtractionError: past the time limit, or any fault inside extraction.
    """
    try:
        return extractor.extract(document)
    except DipkgError:
        raise  # it says what went wrong already (the time limit among them)
    except Exception as exc:
        # The one broad catch of ingest: a fault in extraction (a bug, a pathological
        # parse) must not cost the batch: the document is rejected with it, the next goes on.
        raise ExtractionError.from_fault(exc) from exc


_EXTRACTOR: Extractor | None = None  # in a worker process


def _start_worker(
    parent: int, registry: Registry, vocabulary: Vocabulary, timeout: float | None, detection: str
) -> None:
    global _EXTRACTOR
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forbid_network()
    _EXTRACTOR = Extractor(registry, vocabulary, timeout, detection=detection)


def _extract_in_worker(document: Document) -> Extraction:
    assert _EXTRACTOR is not None, "not an extraction worker"
    return extract_guarded(_EXTRACTOR, document)


class Running(Protocol):
    """An extraction under way: a :class:`concurrent.futures.Future`, or a Dask future."""

    def result(self, timeout: float | None = None) -> Extraction: ...

    def done(self) -> bool: ...

    def exception(self, timeout: float | None = None) -> BaseException | None: ...


@dataclass
class Pending(Generic[T]):
    """One item in the window read ahead: its document to extract (``None``: nothing to
    extract) and the extraction under way."""

    item: T
    document: Document | None
    future: Running | None = None
    losses: int = 0  # pools that died while it was in one


class AheadPool(ABC):
    """Extraction of documents ahead of the one being written, results in input order:
    :meth:`ordered` keeps :meth:`ahead` documents under way; subclasses say where they run."""

    @abstractmethod
    def ahead(self) -> int:
        """How many documents to keep under way."""

    @abstractmethod
    def _submit(self, pending: Pending[T]) -> None:
        """Start extracting ``pending.document`` (if any), setting ``pending.future``."""

    losses: ClassVar[tuple[type[Exception], ...]]
    """What a future raises when its worker, not extraction, failed (:meth:`_on_loss`)."""

    @abstractmethod
    def _on_loss(self, error: Exception, window: deque[Pending[T]]) -> ExtractionError | None:
        """A worker was lost (``error`` is one of :attr:`losses`): the rejection of the
        document being waited for, or ``None`` when the unfinished documents of ``window``
        were sent again."""

    @abstractmethod
    def close(self) -> None:
        """Stop extracting (pending extractions are cancelled)."""

    def ordered(
        self, items: Iterable[T], document_of: Callable[[T], Document | None]
    ) -> Iterator[tuple[T, Extraction | ExtractionError | None]]:
        """Each item with the extraction of its document (``None`` where ``document_of``
        gives none: nothing to extract), in the order of ``items``, extracting ahead."""
        window: deque[Pending[T]] = deque()
        source = iter(items)
        exhausted = False
        try:
            while True:
                while not exhausted and len(window) < self.ahead():
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending = Pending(item, document_of(item))
                    self._submit(pending)
                    window.append(pending)
                if not window:
                    return
                head = window[0]
                if head.future is None:
                    window.popleft()
                    yield head.item, None
                    continue
                try:
                    extraction: Extraction | ExtractionError | None = head.future.result()
                except ExtractionError as exc:
                    extraction = exc
                except self.losses as exc:
                    extraction = self._on_loss(exc, window)
                if extraction is None:
                    continue
                window.popleft()
                yield head.item, extraction
        finally:
            self.close()


@dataclass
class ExtractionPool(AheadPool):
    """Extraction of documents in ``jobs`` worker processes.

    Args:
        registry, vocabulary, timeout, detection: as :class:`kg.extract.Extractor`'s.
        jobs: worker processes (at least 1).
    """

    registry: Registry
    vocabulary: Vocabulary
    timeout: float | None
    jobs: int
    detection: str = DEFAULT_DESIGN
    _pool: ProcessPoolExecutor | None = field(default=None, init=False)

    def ahead(self) -> int:
        """Two documents a worker."""
        return 2 * self.jobs

    losses = (BrokenProcessPool,)

    def _on_loss(self, error: Exception, window: deque[Pending[T]]) -> ExtractionError | None:
        self._restart(window)
        return None

    def _submit(self, pending: Pending[T]) -> None:
        if pending.document is None:
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=multiprocessing.get_context("spawn"),  # no fork of an open store
                initializer=_start_worker,
                initargs=(
                    os.getpid(),
                    self.registry,
                    self.vocabulary,
                    self.timeout,
                    self.detection,
                ),
            )
        pending.future = self._pool.submit(_extract_in_worker, pending.document)

    def _restart(self, window: deque[Pending[T]]) -> None:
        """A worker died: every unfinished document goes to a fresh pool, but one lost twice
        is rejected instead."""
        self.close()
        for pending in window:
            if pending.future is None or (pending.future.done() and not _lost(pending.future)):
                continue
            pending.losses += 1
            if pending.losses >= 2:
                failed: Future[Extraction] = Future()
                failed.set_exception(worker_lost())
                pending.future = failed
            else:
                self._submit(pending)

    def close(self) -> None:
        """Stop the workers (pending extractions are cancelled)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def worker_lost() -> ExtractionError:
    """The rejection of a document whose extraction was lost with its worker once more than
    a retry allows (``--jobs``: twice)."""
    return ExtractionError(
        "extraction failed: the worker process extracting it died on every try "
        "(killed, or out of memory).",
        hint="Ingest it alone (--jobs 1) to see what goes wrong.",
    )


def _lost(future: Running) -> bool:
    return isinstance(future.exception(), BrokenProcessPool)
