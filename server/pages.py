"""Blueprint for people: the home page and the saved-query pages (a form per parameter and
the results as a table, rendered on the server)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from kg.errors import DipkgError
from kg.query.internal import internal_query
from kg.query.saved import get_query, page_of, run_saved_query
from server.responses import allowed_values
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
