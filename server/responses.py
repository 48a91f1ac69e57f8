"""Response helpers the blueprints share: CORS and caching headers (registered once, in the app
factory), graph bodies in RDF formats, local links for IRIs (also the ``local`` template
filter), the values a concept parameter takes, and the timeline picture (SVG drawn on the
server, so no JavaScript is needed to see it). Blueprints import this module, never each other.

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
from html import escape
from pathlib import Path

from flask import Response, g, request
from rdflib import Graph
from rdflib.term import Node

from kg import __version__
from kg.formats import Format
from kg.query.results import render_graph
from kg.query.saved import Parameter, get_query, run_saved_query
from kg.store import changed_at
from kg.vocab import DIP, DIPC
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
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
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


def timeline_svg(
    actor: str,
    counterpart: str | None = None,
    title: str | None = None,
    rows: list[tuple[Node | None, ...]] | None = None,
) -> str:
    """The picture for an actor, optionally only what also involves a counterpart; ``rows``
    are the actor's :func:`whole_timeline` when the caller has them already."""
    services = get_services()
    rows = whole_timeline(actor) if rows is None else rows
    items = [(str(d or ""), str(k), str(i), str(lbl)) for d, _, k, i, lbl, _ in rows]
    title = title or f"Timeline of {actor}"
    if counterpart:
        other = {str(r[3]) for r in whole_timeline(counterpart)}
        items = [item for item in items if item[2] in other]
        title += f" with {counterpart}"
    base = services.settings.base_iri
    items = [
        (d, k, "/id/" + i[len(base) :] if i.startswith(base) else i, lbl) for d, k, i, lbl in items
    ]
    return draw(items, title)
