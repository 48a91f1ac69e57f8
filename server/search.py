"""Blueprint for full-text search: ``/api/search`` (JSON) and ``/search`` (the page), over the
search index of :mod:`kg.query.search`.

The server only reads the index: every write keeps it up to date, and ``dipkg serve`` rebuilds
a missing or stale one before it starts. An index that fell behind the store all the same
(another program wrote the store) is still searched, and the answer says so: ``"current":
false`` in JSON, a notice on the page; with no index at all, search answers 503
``/problems/no-search-index``.
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from markupsafe import Markup

from kg.errors import QueryError
from kg.query.search import (
    KINDS,
    MAX_HITS,
    MAX_OFFSET,
    Hit,
    SearchIndex,
    SearchIndexError,
    index_path,
    search_text,
)
from kg.store import changed_at
from server.problems import ProblemError
from server.responses import local_link, whole_argument
from server.services import get_services

blueprint = Blueprint("search", __name__)
PAGE_SIZE = 20


def marked(hit: Hit) -> Markup:
    """A hit's snippet as HTML: the text escaped, each match in ``<mark>``."""
    return Markup(
        "".join(
            f"<mark>{escape(t)}</mark>" if is_match else escape(t)
            for t, is_match in search_text(hit)
        )
    )


def _search() -> tuple[list[Hit], bool | None, dict[str, Any]]:
    """The request's hits, whether the index follows the store, and the request's arguments.

    Raises:
        QueryError: a bad q, type, _limit or _offset (400).
        ProblemError: there is no search index (503).
    """
    settings = get_services().settings
    text = request.args.get("q", "")
    kind = request.args.get("type") or None
    limit = whole_argument("_limit", PAGE_SIZE, 1, MAX_HITS)
    offset = whole_argument("_offset", 0, 0, MAX_OFFSET)
    path = index_path(settings)
    if path is None:
        raise ProblemError(
            503,
            "no-search-index",
            "This server has no search index: its store is remote and no index is set.",
            hint="Set DIPKG_SEARCH_INDEX and run `dipkg index`.",
        )
    try:
        with SearchIndex(path) as index:
            hits = index.search(text, kind, limit + 1, offset)
            current = index.is_current(changed_at(settings.store))
    except SearchIndexError as exc:
        raise ProblemError(503, "no-search-index", exc.message, hint=exc.hint) from exc
    arguments = {"q": text, "type": kind, "_limit": limit, "_offset": offset}
    return hits, current, arguments


@blueprint.route("/api/search")
def api() -> Response:
    """Search: ``q`` (every word must match; ``word*`` a prefix), ``type`` (actor, event,
    pledge, demand, statement, document), ``_limit`` (1-100, default 20), ``_offset``."""
    hits, current, arguments = _search()
    limit, offset = arguments["_limit"], arguments["_offset"]
    body: dict[str, Any] = {
        "q": arguments["q"],
        "type": arguments["type"],
        "current": current,
        "hits": [
            {
                "iri": h.iri,
                "link": local_link(h.iri),
                "type": h.kind,
                "label": h.label,
                "snippet": str(marked(h)),
                "score": round(h.score, 4),
            }
            for h in hits[:limit]
        ],
    }
    if len(hits) > limit:
        body["next"] = url_for("search.api", **dict(arguments, _offset=offset + limit))
    return jsonify(body)


@blueprint.route("/search")
def page() -> tuple[str, int]:
    """The search page: a form, and the hits of ``q`` when given."""
    hits: list[Hit] = []
    current: bool | None = True
    error = None
    status = 200
    arguments: dict[str, Any] = {"q": request.args.get("q", ""), "type": request.args.get("type")}
    if arguments["q"].strip():
        try:
            hits, current, arguments = _search()
        except QueryError as exc:
            error, status = exc.message, 400
    limit, offset = arguments.get("_limit", PAGE_SIZE), arguments.get("_offset", 0)
    more = len(hits) > limit
    return (
        render_template(
            "search.html",
            hits=[(h, marked(h)) for h in hits[:limit]],
            current=current,
            error=error,
            arguments=arguments,
            kinds=list(KINDS),
            previous=offset - limit if offset else None,
            next=offset + limit if more else None,
        ),
        status,
    )
