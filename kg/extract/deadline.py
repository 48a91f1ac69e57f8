"""A time limit for the extraction of one document that really stops the work.

Extraction is CPU-bound pure Python and spaCy, so nothing short of the interpreter itself can
stop it from outside: a thread cannot be killed, and a process per document would load spaCy's
model (seconds, hundreds of MB) for each one or pickle documents and results across a pool.
A :class:`Deadline` stops it from inside, in two ways:

- **the alarm** (:meth:`Deadline.alarm`): in the main thread of a process that has ``SIGALRM``
  and no interval timer of its own running (``dipkg ingest``, ``dipkg eval``), a real-time
  timer raises :class:`~kg.errors.ExtractionTimeoutError` in the main thread wherever it is (in
  spaCy's parser, a regular expression, any loop) at its next bytecode.
- **the checks** (:meth:`Deadline.check`, :meth:`Deadline.each`): everywhere, and the only way
  in a server's request threads (signals reach the main thread only): the extraction loops
  check the deadline per sentence, per token and per quotation, and between spaCy's pipeline
  components. One component over one text is not interrupted by them; its cost grows with the
  text, which the server bounds (``max_request_bytes``).

The two back each other up: a check also catches an alarm that library code swallowed.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from kg.errors import ExtractionTimeoutError

T = TypeVar("T")


class Deadline:
    """The time one document's extraction may take, counted from construction.

    Args:
        seconds: the limit; ``None`` or 0 (or less): no limit.

    >>> Deadline(None).check()  # no limit: never raises
    >>> list(Deadline(60).each("ab"))
    ['a', 'b']
    """

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = seconds if seconds is not None and seconds > 0 else None
        self._at = None if self.seconds is None else time.monotonic() + self.seconds

    @property
    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit)."""
        return None if self._at is None else self._at - time.monotonic()

    def check(self) -> None:
        """Raise when the time is up.

        Raises:
            ExtractionTimeoutError: the limit has passed.
        """
        if self._at is not None and time.monotonic() >= self._at:
            raise self.error()

    def each(self, items: Iterable[T]) -> Iterator[T]:
        """The items, checking the deadline before each."""
        for item in items:
            self.check()
            yield item

    def error(self) -> ExtractionTimeoutError:
        """The error for a document past the limit."""
        return ExtractionTimeoutError(
            f"extraction failed: took longer than {self.seconds:g} s.",
            hint="Raise the extract_timeout setting (DIPKG_EXTRACT_TIMEOUT; 0: no limit), or "
            "split the document.",
        )

    @contextmanager
    def alarm(self) -> Iterator[None]:
        """Within the block, raise the timeout in the main thread when the time is up (where
        ``SIGALRM`` can be used; elsewhere the block only has the checks)."""
        remaining = self.remaining
        if remaining is None or not _can_alarm():
            yield
            return

        def expire(signum: int, frame: FrameType | None) -> None:
            raise self.error()

        previous = signal.signal(signal.SIGALRM, expire)
        try:
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 0.001))
            yield
        finally:
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _can_alarm() -> bool:
    """Whether this thread may use ``SIGALRM``: the main thread, on a system that has it, with
    no interval timer already running (someone else's alarm is left alone)."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
