"""The pledge tracker: every pledge with its current status, its last reported step (date and
source document), how long the graph has had no news of it, and its history on one line;
filtered by maker, recipient, topic and status, sorted and paged (the facet counts, the
sortable columns and the paging are the lists' own, :mod:`kg.query.browse`).

Built from two saved queries' rows (``pledges``: one row per pledge; ``pledge-history``: one row
per step, steps in date order), so the tracker says what those queries say. "No news"
counts whole months from the last step's date (its last day, at the precision it has) to the
graph's newest publication date (the newest document's first day), not to the clock: an
archive's tracker reads the same whatever day it is opened, and a pledge is "quiet" only
against the news the graph holds.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib.term import Node

MULTI = ("maker", "recipient", "topic")
"""The columns with several values."""


@dataclass(frozen=True, slots=True)
class Step:
    """One reported step of a pledge."""

    status: str
    date: str
    source: str


@dataclass(frozen=True, slots=True)
class TrackedPledge:
    """One pledge as the tracker shows it."""

    pledge: str
    content: str
    maker: tuple[str, ...]
    recipient: tuple[str, ...]
    topic: tuple[str, ...]
    status: str
    made: str
    history: tuple[Step, ...]
    quiet: int | None  # whole months without news; None without a dated step

    @property
    def last(self) -> Step | None:
        """The latest reported step."""
        return self.history[-1] if self.history else None

    def values(self, facet: str) -> tuple[str, ...]:
        """The values of a facet column."""
        value = getattr(self, facet)
        return value if isinstance(value, tuple) else (value,) if value else ()

    def history_line(self) -> str:
        """The steps in order on one line.

        >>> TrackedPledge("p", "", (), (), (), "reviewed", "", (Step("made", "2023-11-15",
        ...     "a"), Step("reviewed", "2024-04", "b")), 0).history_line()
        'made 2023-11-15 (a) → reviewed 2024-04 (b)'
        """
        return " → ".join(f"{s.status} {s.date or 'undated'} ({s.source})" for s in self.history)


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def _many(node: Node | None) -> tuple[str, ...]:
    return tuple(v for v in _text(node).split("; ") if v)


def last_day(date: str) -> dt.date | None:
    """The last day an ISO 8601 date at its precision (year, month, day) denotes: a step
    dated "2024" may have been reported in December, so it is quiet only from then.

    >>> last_day("2024-02"), last_day("1985"), last_day("2023-11-15"), last_day("soon")
    (datetime.date(2024, 2, 29), datetime.date(1985, 12, 31), datetime.date(2023, 11, 15), None)
    """
    try:
        numbers = [int(p) for p in date.split("-")[:3]]
        year, month, day = (numbers + [12, 0][len(numbers) - 1 :])[:3]
        return dt.date(year, month, day or calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier).

    >>> months_between(dt.date(2023, 11, 15), dt.date(2024, 4, 2))
    4
    """
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(months, 0)


def track(
    pledges: Sequence[Sequence[Node | None]],
    pledge_columns: Sequence[str],
    steps: Sequence[Sequence[Node | None]],
    step_columns: Sequence[str],
    as_of: dt.date | None,
) -> list[TrackedPledge]:
    """The tracker's rows from the ``pledges`` and ``pledge-history`` results."""
    history: dict[str, list[Step]] = {}
    for row in steps:
        cells = dict(zip(step_columns, row, strict=True))
        history.setdefault(_text(cells["pledge"]), []).append(
            Step(_text(cells["status"]), _text(cells["date"]), _text(cells["source"]))
        )
    tracked = []
    for row in pledges:
        cells = dict(zip(pledge_columns, row, strict=True))
        iri = _text(cells["pledge"])
        own = tuple(history.get(iri, ()))
        dated = [d for d in (last_day(s.date) for s in own) if d is not None]
        quiet = months_between(max(dated), as_of) if dated and as_of else None
        tracked.append(
            TrackedPledge(
                iri,
                _text(cells["content"]),
                _many(cells["maker"]),
                _many(cells["recipient"]),
                _many(cells["topic"]),
                _text(cells["status"]),
                _text(cells["date"]),
                own,
                quiet,
            )
        )
    return tracked


def select(tracked: Iterable[TrackedPledge], filters: Mapping[str, str]) -> list[TrackedPledge]:
    """The pledges that have every filter's value in its column."""
    return [p for p in tracked if all(v in p.values(f) for f, v in filters.items())]


def sort_key(column: str) -> Callable[[TrackedPledge], tuple[Any, str]]:
    """The sort key of a column (one of the tracker listing's sortable columns, checked by
    :meth:`kg.query.browse.Listing.sort_column`)."""
    if column == "last":
        return lambda p: (p.last.date if p.last else "", p.pledge)
    if column == "quiet":
        return lambda p: (-1 if p.quiet is None else p.quiet, p.pledge)
    return lambda p: (
        "; ".join(p.values(column)) if column in MULTI else getattr(p, column),
        p.pledge,
    )
