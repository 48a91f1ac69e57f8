"""The pledge tracker: every pledge with its current status, its last reported step (date and
source document), how long the graph has had no news of it, and its history on one line;
filtered by maker, recipient, topic and status, sorted and paged (the facet counts, the
sortable columns and the paging are the lists' own, :mod:`kg.query.browse`).

Its rows are one SPARQL query, filtered, sorted and paged by the store (``pledges-rows.rq``:
the status, the last step's date and source, the months without news), and its page's steps
another (``pledges-steps.rq``, the steps the ``pledge-history`` saved query lists, in its
order), so the tracker says what those queries say and answers at 1M triples. "No news"
counts whole months from the last step's date (its last day, at the precision it has) to the
graph's newest publication date (the newest document's first day), not to the clock: an
archive's tracker reads the same whatever day it is opened, and a pledge is "quiet" only
against the news the graph holds.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib.term import Node


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

    def history_line(self) -> str:
        """The steps in order on one line.

        >>> TrackedPledge("p", "", (), (), (), "reviewed", "", (Step("made", "2023-11-15",
        ...     "a"), Step("reviewed", "2024-04", "b")), 0).history_line()
        'made 2023-11-15 (a) → reviewed 2024-04 (b)'
        """
        return " → ".join(f"{s.status} {s.date or 'undated'} ({s.source})" for s in self.history)


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


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


def day_number(day: dt.date) -> int:
    """A day as ``pledges-rows.rq`` compares it, ``(year * 12 + month) * 100 + day``: whole
    months between two days are then ``(later - earlier) // 100``, as :func:`months_between`.

    >>> (day_number(dt.date(2024, 4, 2)) - day_number(dt.date(2023, 11, 15))) // 100
    4
    """
    return (day.year * 12 + day.month) * 100 + day.day


def tracked_page(
    rows: Sequence[Mapping[str, str]],
    steps: Sequence[Sequence[Node | None]],
    step_columns: Sequence[str],
    as_of: dt.date | None,
) -> list[TrackedPledge]:
    """The tracker's page from its rows (``pledges-rows.rq``, sorted and paged by the store,
    which sorts by the last step and the months without news as :func:`months_between` counts
    them) and the page's steps (``pledges-steps.rq``, in order)."""
    history: dict[str, list[Step]] = {}
    for step in steps:
        cells = dict(zip(step_columns, step, strict=True))
        history.setdefault(_text(cells["pledge"]), []).append(
            Step(_text(cells["status"]), _text(cells["date"]), _text(cells["source"]))
        )
    page = []
    for row in rows:
        own = tuple(history.get(row["pledge"], ()))
        dated = [d for d in (last_day(s.date) for s in own) if d is not None]
        quiet = months_between(max(dated), as_of) if dated and as_of else None
        page.append(
            TrackedPledge(
                row["pledge"],
                row["content"],
                _split(row["maker"]),
                _split(row["recipient"]),
                _split(row["topic"]),
                row["status"],
                row["made"],
                own,
                quiet,
            )
        )
    return page


def _split(text: str) -> tuple[str, ...]:
    return tuple(v for v in text.split("; ") if v)
