"""Response helpers the blueprints share: CORS and caching headers (registered once, in the app
factory), graph bodies in RDF formats, local links for IRIs (also the ``local`` template
filter) and the names to show for them, the values a concept parameter takes, and timelines:
the picture (SVG drawn on the server, so no JavaScript is needed to see it) and the items the
interactive view draws (``/timeline/items``). Blueprints import this module, never each other.

Caching follows RFC 9110 and RFC 9111: every GET and HEAD of the data (pages, resources, saved
queries, SPARQL results, dumps, releases) has a weak ``ETag`` made from when the store last
changed or a release was added, the URL and the ``Accept`` it was negotiated for, a
``Last-Modified``, and ``Cache-Control: no-cache`` (keep it, but ask again: a write can change
any answer at any time); a conditional GET whose validator still holds is answered 304 before
any query runs. A remote store gives no
change time, so its answers have no validators. ``Vary: Accept`` goes on every answer that
content negotiation chose (:mod:`server.negotiation` marks the request).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from flask import Response, g, request, url_for
from rdflib import Graph, URIRef
from rdflib.term import Node

from kg import __version__
from kg.errors import QueryError
from kg.formats import Format
from kg.query.internal import internal_query
from kg.query.results import render_graph
from kg.query.saved import Parameter, get_query, run_saved_query
from kg.store import changed_at
from kg.vocab import DIP, DIPC
from server.problems import ProblemError
from server.services import get_services

CONTEXT = "context.jsonld"


def cors(response: Response) -> Response:
    """Add CORS headers for the configured origins to a response to a read (GET, HEAD,
    OPTIONS): writes carry a token, and no other site's page may send them."""
    origins = get_services().settings.cors_origins.strip()
    if origins and request.method in ("GET", "HEAD", "OPTIONS"):
        allowed = [o.strip() for o in origins.split(",")]
        origin = request.headers.get("Origin")
        if "*" in allowed:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.vary.add("Origin")
        response.headers["Access-Control-Expose-Headers"] = "Dipkg-Truncated, Link, Retry-After"
    return response


_UNCACHED = frozenset({"static", "pages.health"})
"""Endpoints without store validators: static files (Flask validates them itself) and the
health check (it answers for the moment it is asked)."""


def not_modified() -> Response | None:
    """Before a GET or HEAD runs: its validators (kept for :func:`cache_headers`), and a 304 when
    the client's ``If-None-Match`` (weak comparison) or, without one, ``If-Modified-Since``
    still holds; None to go on."""
    if request.method not in ("GET", "HEAD") or request.endpoint in _UNCACHED:
        return None
    settings = get_services().settings
    changed = changed_at(settings.store)
    if changed is None:
        return None
    # a new release (renamed into the releases directory) changes /releases/ and the VoID
    # description without changing the store: the directory's time counts as a change too
    releases = settings.releases_dir
    changed = max(changed, releases.stat().st_mtime_ns if releases.is_dir() else 0)
    key = "\n".join(
        (
            __version__,
            settings.server_url,
            str(changed),
            request.full_path,
            request.headers.get("Accept", ""),
        )
    )
    etag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    modified = dt.datetime.fromtimestamp(changed // 10**9, dt.UTC)
    g.dipkg_validators = (etag, modified)
    if request.if_none_match:  # "*" is not taken as held: the resource may not exist
        held = request.if_none_match.contains_weak(etag)
    else:
        since = request.if_modified_since
        held = since is not None and modified <= since
    if not held:
        return None
    response = Response(status=304)
    response.set_etag(etag, weak=True)
    response.vary.add("Accept")  # the validator was made for this Accept
    response.headers["Cache-Control"] = "no-cache"
    return response


def cache_headers(response: Response) -> Response:
    """After a request: ``Vary: Accept`` where negotiation chose the answer; validators on a
    200 to a GET or HEAD; ``Cache-Control`` (``no-cache`` for answers, ``no-store`` for server
    errors and 503s, which say nothing about the resource)."""
    if g.get("dipkg_negotiated"):
        response.vary.add("Accept")
    validators = g.get("dipkg_validators")
    if validators and response.status_code == 200:
        etag, modified = validators
        response.set_etag(etag, weak=True)
        response.last_modified = modified
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = (
            "no-store" if response.status_code >= 500 else "no-cache"
        )
    return response


DEFAULT_PAGE = 50


def page_parameters() -> tuple[int, int]:
    """The ``_limit`` (default 50, at most the ``max_rows`` setting) and ``_offset`` (default
    0) of a listing.

    Raises:
        ProblemError: either is not a whole number in range (400, naming it).
    """
    top = get_services().settings.max_rows
    values = []
    for name, default, low, high in (("_limit", DEFAULT_PAGE, 1, top), ("_offset", 0, 0, None)):
        raw = request.args.get(name, str(default))
        if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
            bound = f"from {low} to {high}" if high is not None else f"from {low}"
            raise ProblemError(
                400,
                "bad-parameter",
                f"Parameter {name}={raw!r} must be a whole number {bound}.",
                parameter=name,
            )
        values.append(int(raw))
    return values[0], values[1]


def page_link(endpoint: str, limit: int, offset: int, *, more: bool) -> str:
    """The RFC 8288 ``Link`` header of a listing's page: first, prev and, when ``more``, next."""
    args = {k: v for k, v in request.args.items() if k not in ("_limit", "_offset")}
    targets = {"first": 0, "prev": max(offset - limit, 0) if offset else None}
    targets["next"] = offset + limit if more else None
    links = []
    for rel, start in targets.items():
        if start is None:
            continue
        url = url_for(endpoint, **(args | {"_limit": str(limit), "_offset": str(start)}))  # type: ignore[arg-type]
        links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)


def graph_body(graph: Graph, fmt: Format) -> bytes:
    """A graph in an RDF format; JSON-LD uses the project's context."""
    return render_graph(graph, fmt.name, Path(get_services().settings.ontology_dir) / CONTEXT)


def local_prefixes() -> dict[str, str]:
    """The IRI namespaces this server answers, each with its local path (the query page's
    script links results through the same table)."""
    return {
        get_services().settings.base_iri: "/id/",
        str(DIP): "/def#",
        str(DIPC): "/concept/",
    }


def local_link(iri: object) -> str:
    """The link this server answers for an IRI (resources, ontology terms, concepts); other
    IRIs as they are."""
    text = str(iri)
    for namespace, path in local_prefixes().items():
        if text.startswith(namespace):
            return path + text[len(namespace) :]
    return text


MAX_LABELS = 200
"""The most IRIs one ``/api/labels`` request may name (the query page asks in batches of it)."""


def display_labels(resources: list[URIRef]) -> dict[str, str]:
    """The name to show for each resource that has one, by IRI: its ``skos:prefLabel``, else
    its ``rdfs:label``, English or untagged (the first in order when there are several)."""
    if not resources:
        return {}
    query = internal_query("display-labels", resource=resources)
    found: dict[str, str] = {}
    for resource, label in get_services().executor.query(query).rows:
        found.setdefault(str(resource), str(label))
    return found


def whole_argument(name: str, default: int, lowest: int, highest: int) -> int:
    """The request's argument ``name`` as a whole number from ``lowest`` to ``highest``
    (``default`` when it is missing or empty), for a page's ``_limit``, ``_offset``, ``_page``.

    Raises:
        QueryError: it is not a whole number in range (400, naming the argument).
    """
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise QueryError(
            f"{name}={raw[:40]!r} is not a whole number from {lowest} to {highest}.",
            parameter=name,
        )
    return int(raw)


def allowed_values(param: Parameter) -> list[str] | None:
    """The notations a concept parameter accepts (from the SKOS scheme in the store)."""
    if param.kind != "concept":
        return None
    return sorted(get_services().resolver.notations(param.scheme or ""))


COLOURS = {"event": "#1f6feb", "pledge": "#1a7f37", "demand": "#bf3989", "statement": "#9a6700"}
ROW = {"event": 0, "pledge": 1, "demand": 2, "statement": 3}
WIDTH, LEFT, RIGHT, TOP, LANE = 900, 110, 30, 40, 46


def _day(date: str) -> dt.date | None:
    parts = date.split("-")
    try:
        if len(parts) == 1:
            return dt.date(int(parts[0]), 7, 1)
        if len(parts) == 2:
            return dt.date(int(parts[0]), int(parts[1]), 15)
        return dt.date.fromisoformat(date)
    except ValueError:
        return None


def draw(items: list[tuple[str, str, str, str]], title: str) -> str:
    """SVG for (date, kind, item IRI, label) rows; undated items are left out (and counted)."""
    dated = [
        (d, _day(date), kind, iri, label)
        for date, kind, iri, label in items
        if (d := date) and _day(date) is not None
    ]
    height = TOP + LANE * len(ROW) + 56
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="figure" aria-label="{escape(title)}" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="600">{escape(title)}</text>',
    ]
    for kind, row in ROW.items():
        y = TOP + LANE * row + LANE / 2
        parts.append(
            f'<text x="{LEFT - 10}" y="{y + 4}" text-anchor="end" fill="{COLOURS[kind]}">'
            f"{kind}s</text>"
        )
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#d0d7de"/>')
    if dated:
        first = min(day for _, day, _, _, _ in dated if day)
        last = max(day for _, day, _, _, _ in dated if day)
        span = max((last - first).days, 1)
        axis_y = TOP + LANE * len(ROW) + 10
        step = max(1, -(-(last.year - first.year + 1) * 40 // (WIDTH - LEFT - RIGHT)))
        for year in range(first.year - first.year % step, last.year + 1, step):
            x = LEFT + (dt.date(year, 1, 1) - first).days / span * (WIDTH - LEFT - RIGHT)
            if LEFT <= x <= WIDTH - RIGHT:
                parts.append(
                    f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle" '
                    f'fill="#57606a">{year}</text>'
                )
                parts.append(
                    f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{axis_y}" stroke="#eaeef2"/>'
                )
        for date, day, kind, iri, label in dated:
            assert day is not None
            x = LEFT + (day - first).days / span * (WIDTH - LEFT - RIGHT)
            y = TOP + LANE * ROW.get(kind, 0) + LANE / 2
            parts.append(
                f'<a href="{escape(iri)}"><circle class="mark" cx="{x:.1f}" cy="{y}" r="6" '
                f'fill="{COLOURS.get(kind, "#57606a")}"><title>{escape(date)}: {escape(label)}'
                "</title></circle></a>"
            )
    undated = len(items) - len(dated)
    if undated:
        parts.append(
            f'<text x="{LEFT}" y="{height - 8}" fill="#57606a">{undated} undated item(s) '
            "not shown</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def whole_timeline(actor: str) -> list[tuple[Node | None, ...]]:
    """The rows of the ``timeline`` saved query for an actor: one page as large as the row
    cap (the pictures and the actor's page show all of it)."""
    services = get_services()
    query = get_query(services.queries, "timeline")
    max_rows = services.settings.max_rows
    params = {"actor": actor, "pageSize": str(max_rows)}
    return run_saved_query(services.executor, query, params, services.resolver, max_rows).rows


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One row of a timeline as the pictures show it: ``date`` is ISO 8601 at ``precision``
    ("" when undated), ``link`` this server's page for the item, ``sources`` ``; ``-joined."""

    date: str
    precision: str
    kind: str
    link: str
    label: str
    sources: str


def timeline_items(
    actor: str,
    counterpart: str | None = None,
    rows: list[tuple[Node | None, ...]] | None = None,
) -> list[TimelineItem]:
    """An actor's timeline, optionally only what also involves a counterpart; ``rows`` are the
    actor's :func:`whole_timeline` when the caller has them already."""
    rows = whole_timeline(actor) if rows is None else rows
    items = [
        TimelineItem(str(d or ""), str(p or ""), str(k), local_link(i), str(lbl), str(s or ""))
        for d, p, k, i, lbl, s, *_ in rows  # the EDTF date (the last column) aside
    ]
    if counterpart:
        other = {local_link(r[3]) for r in whole_timeline(counterpart)}
        items = [item for item in items if item.link in other]
    return items


def timeline_title(actor: str, counterpart: str | None = None) -> str:
    """``Timeline of Xi`` or ``Timeline of Xi with Biden``."""
    return f"Timeline of {actor}" + (f" with {counterpart}" if counterpart else "")


def timeline_svg(
    actor: str,
    counterpart: str | None = None,
    title: str | None = None,
    rows: list[tuple[Node | None, ...]] | None = None,
) -> str:
    """The picture for an actor, optionally only what also involves a counterpart; ``rows``
    are the actor's :func:`whole_timeline` when the caller has them already."""
    items = timeline_items(actor, counterpart, rows)
    drawn = [(i.date, i.kind, i.link, i.label) for i in items]
    return draw(drawn, title or timeline_title(actor, counterpart))


def date_extent(date: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day an ISO 8601 date at year, month or day precision covers; None
    for anything else.

    >>> date_extent("2024")
    (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    >>> date_extent("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    >>> date_extent("2023-11-15")
    (datetime.date(2023, 11, 15), datetime.date(2023, 11, 15))
    >>> date_extent("spring") is None
    True
    """
    parts = date.split("-")
    try:
        if len(parts) == 1:
            year = int(parts[0])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if len(parts) == 2:
            first = dt.date(int(parts[0]), int(parts[1]), 1)
            following = (first + dt.timedelta(days=31)).replace(day=1)
            return first, following - dt.timedelta(days=1)
        day = dt.date.fromisoformat(date)
        return day, day
    except ValueError:
        return None


OUTLIER_FACTOR = 2
OUTLIER_GAP = dt.timedelta(days=5 * 365)
"""An item at either end is left out of a timeline's first view when the gap to its neighbour is
longer than five years and more than :data:`OUTLIER_FACTOR` times the span of the items that
remain (and at most a tenth of the items, at least one, are left out): one 1985 visit does not
squash 2017-2024 into a corner, and dates a few years apart all stay in view."""


def dense_window(days: list[dt.date]) -> tuple[dt.date, dt.date, int, int]:
    """The first view of a timeline over some days (non-empty): its first and last day, and how
    many days lie before and after it (see :data:`OUTLIER_GAP`).

    >>> d = dt.date
    >>> days = [d(1985, 1, 1), d(2017, 1, 1), d(2022, 7, 1)] + [d(2023, 11, 15)] * 8
    >>> dense_window(days + [d(2024, 1, 1), d(2024, 4, 2)])
    (datetime.date(2017, 1, 1), datetime.date(2024, 4, 2), 1, 0)
    >>> dense_window([d(2022, 7, 1)] + [d(2023, 11, 15)] * 8 + [d(2024, 4, 2)])
    (datetime.date(2022, 7, 1), datetime.date(2024, 4, 2), 0, 0)
    """
    days = sorted(days)
    cap = max(1, len(days) // 10)
    first, last = 0, len(days) - 1
    while first + (len(days) - 1 - last) < cap and last - first >= 2:
        gap_first = (days[first + 1] - days[first]).days
        gap_last = (days[last] - days[last - 1]).days
        rest_first = max((days[last] - days[first + 1]).days, 1)
        rest_last = max((days[last - 1] - days[first]).days, 1)
        long_first = gap_first > OUTLIER_GAP.days
        long_last = gap_last > OUTLIER_GAP.days
        drop_first = long_first and gap_first > OUTLIER_FACTOR * rest_first
        drop_last = long_last and gap_last > OUTLIER_FACTOR * rest_last
        if drop_first and (not drop_last or gap_first >= gap_last):
            first += 1
        elif drop_last:
            last -= 1
        else:
            break
    return days[first], days[last], first, len(days) - 1 - last


def timeline_data(actor: str, counterpart: str | None = None) -> dict[str, object]:
    """The body of ``/timeline/items``: the dated items with the days they cover, how many are
    undated, and the first view (:func:`dense_window`), padded by an eighth of its span (the
    label of an item on the edge is centred on its day)."""
    items = timeline_items(actor, counterpart)
    dated = [(item, extent) for item in items if (extent := date_extent(item.date))]
    body: dict[str, object] = {
        "title": timeline_title(actor, counterpart),
        "items": [
            {
                "date": item.date,
                "datePrecision": item.precision,
                "kind": item.kind,
                "label": item.label,
                "link": item.link,
                "sources": item.sources.split("; ") if item.sources else [],
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
            for item, (start, end) in dated
        ],
        "undated": len(items) - len(dated),
        "window": None,
        "before": 0,
        "after": 0,
    }
    if dated:
        start, last, before, after = dense_window([start for _, (start, _) in dated])
        end = max(e for _, (s, e) in dated if start <= s <= last)
        pad = dt.timedelta(days=max(30, (end - start).days // 8))
        body["window"] = {"start": (start - pad).isoformat(), "end": (end + pad).isoformat()}
        body["before"], body["after"] = before, after
    return body
