"""Blueprint for people: the home page, the saved-query pages (a form per parameter and
the results as a table, rendered on the server), and the lists to browse with facets
(``/events``, ``/demands``, ``/statements`` from :mod:`kg.query.browse`, and the pledge tracker
``/pledges`` from :mod:`kg.query.tracker`), which share one request view (filters, sort, page,
format) and one answer (HTML, JSON or CSV at the same URL)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from rdflib import Literal, URIRef

from kg.errors import DipkgError
from kg.query.browse import LISTINGS, Counts, Listing, count_facets, list_rows
from kg.query.internal import internal_query
from kg.query.saved import get_query, page_of, run_saved_query
from kg.query.tracker import TrackedPledge, day_number, last_day, tracked_page
from server.negotiation import NotAcceptableError, accepted_ranges, quality
from server.responses import allowed_values, local_link, whole_argument
from server.services import get_services

blueprint = Blueprint("pages", __name__)


@blueprint.route("/")
def home() -> str:
    """What the graph holds and where to start."""
    services = get_services()
    executor = services.executor
    counts = executor.query(internal_query("home-counts")).rows
    documents = executor.query(internal_query("home-documents")).rows
    events = executor.query(internal_query("home-events")).rows
    queries = sorted(services.queries.values(), key=lambda q: q.name)
    browse: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for name, facet, value, count in executor.query(internal_query("home-facets")).rows:
        browse.setdefault((str(name), str(facet)), []).append((str(value), int(str(count))))
    return render_template(
        "home.html",
        counts=[(str(k), str(n)) for k, n in counts],
        lists=LISTINGS,
        browse=[(LISTINGS[name], facet, values) for (name, facet), values in browse.items()],
        queries=queries,
        documents=documents,
        events=events,
    )


@blueprint.route("/health")
def health() -> Response:
    """Liveness and readiness: the store answers a trivial query (503 problem otherwise)."""
    services = get_services()
    services.executor.query(internal_query("health"))
    return jsonify(
        {
            "status": "ok",
            "queryTimeout": services.settings.query_timeout,
            "maxRows": services.settings.max_rows,
        }
    )


@blueprint.route("/queries/<name>")
def saved_query(name: str) -> str:
    """A saved query's form and, when submitted, its results."""
    services = get_services()
    query = get_query(services.queries, name)
    values = {k: v for k, v in request.args.items() if v and k in query.accepted}
    result = error = page = None
    if request.args.get("run"):
        try:
            max_rows = services.settings.max_rows
            page = page_of(query, values, max_rows)
            result = run_saved_query(services.executor, query, values, services.resolver, max_rows)
        except DipkgError as exc:
            error = exc.message
    choices = {n: allowed_values(p) for n, p in query.params.items()}
    return render_template(
        "saved_query.html",
        query=query,
        values=values,
        result=result,
        error=error,
        choices=choices,
        page=page,
    )


_LIST_FORMATS = {"html": "text/html", "json": "application/json", "csv": "text/csv"}
_LIST_SIZE, _LIST_MAX_SIZE = 50, 1000


def _list_format() -> str:
    """``html``, ``json`` or ``csv``: ``_format``, else the best of ``Accept`` (HTML first
    among equals).

    Raises:
        NotAcceptableError: none of the three is acceptable, or an unknown ``_format``.
    """
    wanted = request.args.get("_format")
    if wanted:
        if wanted not in _LIST_FORMATS:
            raise NotAcceptableError(
                f"Format {wanted!r} is not available here; available: html, json, csv."
            )
        return wanted
    ranges = accepted_ranges()
    if ranges is None:
        return "html"
    best, weight = "html", 0.0
    for name, media_type in _LIST_FORMATS.items():
        q = quality(media_type, ranges)
        if q > weight:
            best, weight = name, q
    if weight == 0.0:
        raise NotAcceptableError(
            f"None of the accepted media types ({request.headers.get('Accept')}) is offered "
            f"here; available: {', '.join(_LIST_FORMATS.values())}."
        )
    return best


@dataclass(frozen=True, slots=True)
class _View:
    """What a request to a list asks for: the format, the filters, the sort and the page."""

    listing: Listing
    fmt: str
    filters: dict[str, str]
    column: str
    descending: bool
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _view(listing: Listing) -> _View:
    """The request's view of a list: facet filters by name, ``_sort`` / ``_sort_desc``,
    ``_page`` and ``_size``, ``_format`` or ``Accept`` (each checked: 400 or 406 problems)."""
    fmt = _list_format()
    filters = {f: request.args[f] for f in listing.facets if request.args.get(f)}
    descending = "_sort_desc" in request.args
    column = listing.sort_column(request.args.get("_sort_desc" if descending else "_sort"))
    if not request.args.get("_sort") and not descending:
        descending = listing.descending
    size = whole_argument("_size", _LIST_SIZE, 1, _LIST_MAX_SIZE)
    number = whole_argument("_page", 1, 1, 10**6)
    return _View(listing, fmt, filters, column, descending, number, size)


def _list_response(
    view: _View,
    total: int,
    facets: Counts,
    rows: list[dict[str, Any]],
    table: list[list[Any]],
    template: str,
    about: dict[str, Any] | None = None,
    **extra: Any,
) -> Response | str:
    """A page of a list in its format: JSON (``rows`` under the list's name, the facet
    counts, the total, a ``next`` link and what ``about`` adds), CSV (``table``: a header
    row, then a row per item; RFC 4180) or the HTML ``template`` (given ``extra`` too) with
    facet links, sortable columns and pages."""
    args = {k: v for k, v in request.args.items() if k not in ("_page", "_format")}
    more = view.number * view.size < total
    endpoint, fixed = request.endpoint or "", request.view_args or {}

    def link(**params: str) -> str:
        return url_for(endpoint, **fixed, **params)  # type: ignore[arg-type]

    if view.fmt == "csv":
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(table)
        return Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    if view.fmt == "json":
        body: dict[str, Any] = {
            **(about or {}),
            "filters": view.filters,
            "total": total,
            "page": view.number,
            "size": view.size,
            "sort": view.column,
            "descending": view.descending,
            "facets": {f: [{"value": v, "count": n} for v, n in c] for f, c in facets.items()},
            view.listing.name: rows,
        }
        if more:
            body["next"] = link(**{**args, "_page": str(view.number + 1), "_format": "json"})
        return jsonify(body)
    return render_template(
        template,
        listing=view.listing,
        rows=rows,
        total=total,
        facets=facets,
        filters=view.filters,
        args=args,
        link=link,
        without=lambda *keys: {k: v for k, v in args.items() if k not in keys},
        column=view.column,
        descending=view.descending,
        number=view.number,
        more=more,
        **extra,
    )


@blueprint.route("/pledges")
def pledges() -> Response | str:
    """The pledge tracker: every pledge with its status, last step and history; filters by
    maker, recipient, topic and status with counts; ``_sort`` / ``_sort_desc``; ``_page`` and
    ``_size``; HTML, JSON or CSV (``_format`` or ``Accept``)."""
    listing = LISTINGS["pledges"]
    view = _view(listing)
    executor = get_services().executor
    newest = executor.query(internal_query("newest-document-date")).rows
    as_of = last_day(str(newest[0][0])) if newest and newest[0][0] is not None else None
    slots = {"asOf": Literal(day_number(as_of))} if as_of else {}
    total, facets = count_facets(executor, listing, view.filters)
    sort = (view.column, view.descending)
    rows = list_rows(executor, listing, view.filters, sort, view.size, view.offset, slots)
    page = [URIRef(row["pledge"]) for row in rows]
    steps = executor.query(internal_query("pledges-steps", pledge=page))
    shown = tracked_page(rows, steps.rows, steps.variables, as_of)
    return _list_response(
        view,
        total,
        facets,
        [_tracker_json(p) for p in shown],
        [[listing.item, *listing.columns], *(_tracker_csv(p) for p in shown)],
        "pledges.html",
        {"asOf": as_of.isoformat() if as_of else None},
        pledges=shown,
        as_of=as_of,
    )


@blueprint.route("/<any(events, demands, statements):name>")
def listing(name: str) -> Response | str:
    """A list to browse (:mod:`kg.query.browse`): the events, demands or statements with
    facet counts that link to the narrowed list; ``_sort`` / ``_sort_desc``; ``_page`` and
    ``_size``; HTML, JSON or CSV (``_format`` or ``Accept``)."""
    chosen = LISTINGS[name]
    view = _view(chosen)
    executor = get_services().executor
    total, facets = count_facets(executor, chosen, view.filters)
    sort = (view.column, view.descending)
    rows = list_rows(executor, chosen, view.filters, sort, view.size, view.offset)
    shown = [
        {
            **{k: (_many(v) if k in chosen.multi else v or None) for k, v in row.items()},
            "link": local_link(row[chosen.item]),
        }
        for row in rows
    ]
    table = [[chosen.item, *chosen.columns]]
    table += [[row[c] for c in (chosen.item, *chosen.columns)] for row in rows]
    return _list_response(view, total, facets, shown, table, "listing.html")


def _many(text: str) -> list[str]:
    return sorted(v for v in text.split("; ") if v)


def _tracker_json(p: TrackedPledge) -> dict[str, Any]:
    last = p.last
    return {
        "pledge": p.pledge,
        "link": local_link(p.pledge),
        "content": p.content,
        "maker": list(p.maker),
        "recipient": list(p.recipient),
        "topic": list(p.topic),
        "status": p.status,
        "made": p.made or None,
        "lastDate": last.date if last else None,
        "lastSource": last.source if last else None,
        "quietMonths": p.quiet,
        "history": [
            {"status": s.status, "date": s.date or None, "source": s.source} for s in p.history
        ],
    }


def _tracker_csv(p: TrackedPledge) -> list[Any]:
    last = p.last
    return [
        p.pledge,
        p.content,
        "; ".join(p.maker),
        "; ".join(p.recipient),
        "; ".join(p.topic),
        p.status,
        p.made,
        last.date if last else "",
        last.source if last else "",
        "" if p.quiet is None else p.quiet,
        p.history_line(),
    ]
