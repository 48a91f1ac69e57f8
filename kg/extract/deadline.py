"""A time limit for the extraction of one document that really stops the work.

Extraction is CPU-bound pure Python and spaCy, so nothing short of the interpreter itself can
stop it from outside: a thread cannot be killed, and a process per document would load spaCy's
model (seconds, hundreds of MB) for each one or pickle documents and results across a pool.
A :class:`Deadline` stops it from inside: the extraction loops check it (:meth:`Deadline.check`,
:meth:`Deadline.each`) per sentence, per token and per quotation, and the parse checks it
between spaCy's pipeline components on pieces of at most about 50,000 characters
(:func:`kg.extract.syntax.parse`), so the work stops within one such step, in any thread.

No signal is used: a ``SIGALRM`` handler cannot interrupt spaCy's or the regular-expression
engine's C code either (it runs between bytecodes), and the exception it raises lands wherever
the interpreter happens to be (a garbage-collector callback or a finaliser swallows it, a
library's cache is left half-updated).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
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
