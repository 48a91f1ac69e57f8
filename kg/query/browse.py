"""Lists to browse with facets, in Datasette's model: the events, demands, statements and
pledges, each narrowed by the values of its facets (``type=meeting&year=2023``), with the
facet counts of the narrowed list, sorted by a column and cut into pages.

The store does the work. A listing's facet counts are one SPARQL query grouped by facet and
value (``{name}-facets.rq``, one ``UNION`` branch per facet and one for the total); its rows
another (``{name}-rows.rq``), sorted and cut to a page by the store. The pledge tracker's rows
come from :mod:`kg.query.tracker` instead (its "last step" and "no news" columns are computed
from each pledge's history), its facet counts from here. A filter's value is the text the
facet shows (a label, a notation, a year), bound as a plain literal and compared with the
``STR()`` of the stored value, so a link made from a count narrows to exactly that count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Node

from kg.errors import QueryError
from kg.query.internal import internal_query, ordered, paged
from kg.store.base import Queryable


@dataclass(frozen=True, slots=True)
class Listing:
    """One list to browse: the variable naming an item, the columns of a row (the CSV's
    after the item; ``multi`` ones hold several values), its facets (each a filter and a
    count), its sortable columns and the one it is sorted by unless asked (newest first when
    ``descending``)."""

    name: str
    title: str
    item: str
    columns: tuple[str, ...]
    facets: tuple[str, ...]
    sortable: tuple[str, ...]
    default_sort: str
    multi: frozenset[str] = frozenset({"sources"})
    descending: bool = True

    def sort_column(self, column: str | None) -> str:
        """The column to sort by: ``column``, or the default when it is empty.

        >>> LISTINGS["events"].sort_column(None), LISTINGS["events"].sort_column("label")
        ('date', 'label')

        Raises:
            QueryError: not one of the sortable columns (400, naming ``_sort``).
        """
        if not column:
            return self.default_sort
        if column not in self.sortable:
            raise QueryError(
                f"Cannot sort by {column!r}; sortable: {', '.join(self.sortable)}.",
                parameter="_sort",
            )
        return column


LISTINGS = {
    listing.name: listing
    for listing in (
        Listing(
            "events",
            "Events",
            "event",
            ("label", "type", "date", "location", "participants", "sources"),
            ("type", "year", "actor", "place"),
            ("label", "type", "date", "location", "participants"),
            "date",
            frozenset({"participants", "sources"}),
        ),
        Listing(
            "demands",
            "Demands",
            "demand",
            ("content", "kind", "by", "to", "topic", "date", "sources"),
            ("kind", "topic", "requester"),
            ("content", "kind", "by", "to", "topic", "date"),
            "date",
            frozenset({"by", "to", "topic", "sources"}),
        ),
        Listing(
            "statements",
            "Statements",
            "statement",
            ("quote", "speaker", "topic", "date", "sources"),
            ("speaker", "topic", "year"),
            ("quote", "speaker", "topic", "date"),
            "date",
            frozenset({"topic", "sources"}),
        ),
        Listing(
            "pledges",
            "Pledges",
            "pledge",
            (
                "content",
                "maker",
                "recipient",
                "topic",
                "status",
                "made",
                "lastDate",
                "lastSource",
                "quietMonths",
                "history",
            ),
            ("maker", "recipient", "topic", "status"),
            ("content", "maker", "recipient", "topic", "status", "made", "last", "quiet"),
            "last",
            frozenset({"maker", "recipient", "topic"}),
        ),
    )
}
"""Every list, by name (its URL path and the stem of its queries' files)."""

Counts = dict[str, list[tuple[str, int]]]


def _slots(listing: Listing, filters: Mapping[str, str]) -> dict[str, Literal]:
    return {facet: Literal(value) for facet, value in filters.items() if facet in listing.facets}


def count_facets(
    queryable: Queryable, listing: Listing, filters: Mapping[str, str]
) -> tuple[int, Counts]:
    """How many items pass the filters, and for each facet its values among them with how
    many items have each (most first, then by value), counted by the store.

    Args:
        queryable: the store or the executor.
        listing: the list.
        filters: facet name -> value (other names are ignored).

    Returns:
        The total and the counts by facet (every facet, in the listing's order).
    """
    query = internal_query(f"{listing.name}-facets", **_slots(listing, filters))
    total = 0
    counts: Counts = {facet: [] for facet in listing.facets}
    for facet, value, count in queryable.query(query).rows:
        if value is None:
            total = int(str(count))
        else:
            counts[str(facet)].append((str(value), int(str(count))))
    for values in counts.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return total, counts


_KEYS = re.compile(r"^#key (\w+): (.+?) \| (.+)$", re.MULTILINE)
_KEY_SELECT = re.compile(r"SELECT (\?\w+) \(.*? AS \?key\) WHERE \{")
_KEY_PATTERN = re.compile(r"^(\s*).*# KEY$", re.MULTILINE)
_PAGE = re.compile(r"^(\s*)# PAGE$", re.MULTILINE)
_KEY_BLOCK = re.compile(r"^\s*# KEY BLOCK\n(.*?)^\s*# END KEY BLOCK\n", re.MULTILINE | re.DOTALL)


def page_first(
    query: str, column: str, item: str, descending: bool, limit: int, offset: int
) -> str:
    """A rows query (``{name}-rows.rq``) sorted by ``column`` and cut to one page inside, before
    its columns are joined: the ``#key COLUMN: AGGREGATE | PATTERN`` line of the column gives
    the page sub-select's ``?key`` (the pattern in place of the line marked ``# KEY``, the
    aggregate in ``(... AS ?key)``; ``BLOCK`` for the lines between ``# KEY BLOCK`` markers),
    ``# PAGE`` becomes the sub-select's ``ORDER BY`` and
    ``LIMIT``, and the rows are sorted again by the same key outside (ties by ``item``).

    Raises:
        ValueError: the file has no key for the column, or lacks a marker (a programming error).
    """
    keys = {name: (aggregate, pattern) for name, aggregate, pattern in _KEYS.findall(query)}
    if column not in keys:
        raise ValueError(f"rows query has no #key line for {column!r}")
    aggregate, pattern = keys[column]
    text, selects = _KEY_SELECT.subn(
        lambda m: f"SELECT {m[1]} ({aggregate} AS ?key) WHERE {{", query, count=1
    )
    # A key written BLOCK is computed by the lines between "# KEY BLOCK" and "# END KEY
    # BLOCK" (too long for one line); any other key drops them.
    keep = pattern == "BLOCK"
    text = _KEY_BLOCK.sub(lambda m: m[1] if keep else "", text, count=1)
    text, patterns = _KEY_PATTERN.subn(lambda m: "" if keep else m[1] + pattern, text, count=1)
    cut = paged(ordered("", "key", item, descending).strip(), limit, offset).strip()
    text, pages = _PAGE.subn(lambda m: m[1] + cut.replace("\n", " "), text, count=1)
    if not selects == patterns == pages == 1:
        raise ValueError("rows query lacks its (... AS ?key), # KEY or # PAGE marker")
    return ordered(text, "key", item, descending)


def list_rows(
    queryable: Queryable,
    listing: Listing,
    filters: Mapping[str, str],
    sort: tuple[str, bool],
    limit: int,
    offset: int,
    slots: Mapping[str, Node] | None = None,
) -> list[dict[str, str]]:
    """One page of the items that pass the filters, sorted by the store: each row its columns
    as text ("" for none; several values ``; ``-joined). The page is picked first and only its
    items' columns are looked up (:func:`page_first`).

    Args:
        queryable: the store or the executor.
        listing: the list.
        filters: facet name -> value.
        sort: the column (checked with :meth:`Listing.sort_column`) and whether descending.
        limit: the page's size.
        offset: how many items come before it.
        slots: other slots of the rows query to fill (the tracker's ``asOf``).
    """
    column, descending = sort
    query = internal_query(f"{listing.name}-rows", **_slots(listing, filters), **(slots or {}))
    result = queryable.query(page_first(query, column, listing.item, descending, limit, offset))
    return [
        {
            name: "" if value is None else str(value)
            for name, value in zip(result.variables, row, strict=True)
        }
        for row in result.rows
    ]
