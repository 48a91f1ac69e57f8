"""Response helpers the blueprints share: CORS headers (registered once, in the app factory),
graph bodies in RDF formats, local links for IRIs (also the ``local`` template filter), whether
a request wants HTML, the values a concept parameter takes, and the timeline picture (SVG drawn
on the server, so no JavaScript is needed to see it). Blueprints import this module, never
each other."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from flask import Response, request
from rdflib import Graph
from rdflib.term import Node

from kg.formats import FORMATS, Format
from kg.query.results import render_graph
from kg.query.saved import Parameter, get_query, run_saved_query
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
            response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Expose-Headers"] = "Dipkg-Truncated, Link, Retry-After"
    return response


def graph_body(graph: Graph, fmt: Format) -> bytes:
    """A graph in an RDF format; JSON-LD uses the project's context."""
    return render_graph(graph, fmt.name, Path(get_services().settings.ontology_dir) / CONTEXT)


def local_link(iri: object) -> str:
    """The link this server answers for an IRI (resources, ontology terms, concepts)."""
    text = str(iri)
    base = get_services().settings.base_iri
    if text.startswith(base):
        return "/id/" + text[len(base) :]
    if text.startswith(str(DIP)):
        return "/def#" + text[len(str(DIP)) :]
    if text.startswith(str(DIPC)):
        return "/concept/" + text[len(str(DIPC)) :]
    return text


def wants_html() -> bool:
    """Whether the request prefers an HTML page to every RDF format (and gives no ``format``)."""
    if "format" in request.args:
        return False
    accept = request.accept_mimetypes
    best_rdf = max(accept[f.media_type] for f in FORMATS if f.kind == "rdf")
    return accept["text/html"] > best_rdf


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
