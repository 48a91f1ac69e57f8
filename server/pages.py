"""Blueprint for people: the home page, the saved-query pages (a form per parameter and
the results as a table, rendered on the server) and the pledge tracker (:mod:`kg.query.tracker`;
also JSON and CSV at the same URL)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from kg.errors import DipkgError
from kg.query.internal import internal_query
from kg.query.saved import get_query, page_of, run_saved_query
from kg.query.tracker import (
    FACETS,
    SORTABLE,
    TrackedPledge,
    facet_counts,
    last_day,
    select,
    sort_key,
    track,
)
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
    return render_template(
        "home.html",
        counts=[(str(k), str(n)) for k, n in counts],
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


_TRACKER_FORMATS = {"html": "text/html", "json": "application/json", "csv": "text/csv"}
_TRACKER_SIZE, _TRACKER_MAX_SIZE = 50, 1000


def _tracker_format() -> str:
    """``html``, ``json`` or ``csv``: ``_format``, else the best of ``Accept`` (HTML first
    among equals).

    Raises:
        NotAcceptableError: none of the three is acceptable, or an unknown ``_format``.
    """
    wanted = request.args.get("_format")
    if wanted:
        if wanted not in _TRACKER_FORMATS:
            raise NotAcceptableError(
                f"Format {wanted!r} is not available here; available: html, json, csv."
            )
        return wanted
    ranges = accepted_ranges()
    if ranges is None:
        return "html"
    best, weight = "html", 0.0
    for name, media_type in _TRACKER_FORMATS.items():
        q = quality(media_type, ranges)
        if q > weight:
            best, weight = name, q
    if weight == 0.0:
        raise NotAcceptableError(
            f"None of the accepted media types ({request.headers.get('Accept')}) is offered "
            f"here; available: {', '.join(_TRACKER_FORMATS.values())}."
        )
    return best


@blueprint.route("/pledges")
def pledges() -> Response | str:
    """The pledge tracker: every pledge with its status, last step and history; filters by
    maker, recipient, topic and status with counts; ``_sort`` / ``_sort_desc``; ``_page`` and
    ``_size``; HTML, JSON or CSV (``_format`` or ``Accept``)."""
    fmt = _tracker_format()
    services = get_services()
    executor, max_rows = services.executor, services.settings.max_rows
    filters = {f: request.args[f] for f in FACETS if request.args.get(f)}
    descending = "_sort_desc" in request.args
    column = request.args.get("_sort_desc" if descending else "_sort") or "last"
    if not request.args.get("_sort") and not descending:
        descending = True  # by default the freshest news first
    key = sort_key(column)
    size = whole_argument("_size", _TRACKER_SIZE, 1, _TRACKER_MAX_SIZE)
    number = whole_argument("_page", 1, 1, 10**6)
    every = {"pageSize": str(max_rows)}
    made = run_saved_query(
        executor, get_query(services.queries, "pledges"), every, services.resolver, max_rows
    )
    steps = run_saved_query(
        executor, get_query(services.queries, "pledge-history"), every, services.resolver, max_rows
    )
    newest = executor.query(internal_query("newest-document-date")).rows
    as_of = last_day(str(newest[0][0])) if newest and newest[0][0] is not None else None
    tracked = track(made.rows, made.variables, steps.rows, steps.variables, as_of)
    chosen = sorted(select(tracked, filters), key=key, reverse=descending)
    shown = chosen[(number - 1) * size : number * size]
    args = {k: v for k, v in request.args.items() if k not in ("_page", "_format")}
    more = number * size < len(chosen)
    if fmt == "csv":
        return Response(_tracker_csv(shown), mimetype="text/csv")
    if fmt == "json":
        body: dict[str, Any] = {
            "asOf": as_of.isoformat() if as_of else None,
            "filters": filters,
            "total": len(chosen),
            "page": number,
            "size": size,
            "facets": {
                f: [{"value": v, "count": n} for v, n in c] for f, c in facet_counts(chosen).items()
            },
            "pledges": [_tracker_json(p) for p in shown],
        }
        if more:
            following = {**args, "_page": str(number + 1), "_format": "json"}
            body["next"] = url_for("pages.pledges", **following)  # type: ignore[arg-type]
        return jsonify(body)
    return render_template(
        "pledges.html",
        pledges=shown,
        total=len(chosen),
        facets=facet_counts(chosen),
        filters=filters,
        args=args,
        without=lambda *keys: {k: v for k, v in args.items() if k not in keys},
        column=column,
        descending=descending,
        sortable=SORTABLE,
        number=number,
        more=more,
        as_of=as_of,
        truncated=made.truncated or steps.truncated,
    )


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


def _tracker_csv(shown: list[TrackedPledge]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(
        [
            "pledge",
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
        ]
    )
    for p in shown:
        last = p.last
        writer.writerow(
            [
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
        )
    return out.getvalue().encode("utf-8")
