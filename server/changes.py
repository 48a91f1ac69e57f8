"""Blueprint for the history of changes (the graph of changes, ``dip:Change`` records):
``GET /api/changes`` (JSON, newest first, ``since=``, ``_limit``/``_offset`` paging) and
``/changes.atom``, the same as an Atom 1.0 feed (RFC 4287) whose entries link the documents
each change added, replaced or removed.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, jsonify, request
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kg import iris
from kg.query.internal import internal_query, paged
from kg.vocab import DIP
from server.problems import ProblemError
from server.responses import local_link, page_link, page_parameters
from server.services import get_services

blueprint = Blueprint("changes", __name__)

ATOM = "http://www.w3.org/2005/Atom"
ROLES = {
    DIP.documentAdded: "added",
    DIP.documentReplaced: "replaced",
    DIP.documentRemoved: "removed",
    DIP.graphLoaded: "graphs",
}


def _since() -> Literal | None:
    """The ``since`` parameter as an ``xsd:dateTime`` (a date is its midnight, UTC; a time
    without a zone is UTC).

    Raises:
        ProblemError: it is not an ISO 8601 date or date-time (400, naming it).
    """
    raw = request.args.get("since")
    if raw is None:
        return None
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ProblemError(
            400,
            "bad-parameter",
            f"Parameter since={raw!r} is not an ISO 8601 date or date-time.",
            parameter="since",
            hint="For example since=2026-12-01 or since=2026-12-01T08:00:00Z.",
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return Literal(when, datatype=XSD.dateTime)


def changes_page(limit: int, offset: int) -> tuple[list[dict[str, Any]], bool]:
    """One page of the changes, newest first, from ``since``: each as JSON values, and
    whether there may be more."""
    executor = get_services().executor
    graph = iris.changes_graph_iri(get_services().settings.base_iri)
    since = _since()
    slots: dict[str, Node] = {"graph": graph}
    if since is not None:
        slots["since"] = since
    query = paged(internal_query("changes", **slots), limit + 1, offset)
    rows = executor.query(query).rows
    more, rows = len(rows) > limit, rows[:limit]
    changes: list[dict[str, Any]] = [
        {
            "change": str(change),
            "label": str(label),
            "kind": str(kind).rsplit("/", 1)[-1],
            "started": str(started),
            "ended": str(ended),
            "by": str(by),
            "triplesAdded": int(str(added)),
            "triplesRemoved": int(str(removed)),
            "softwareVersion": str(version),
            "added": [],
            "replaced": [],
            "removed": [],
            "graphs": [],
            "link": local_link(change),
        }
        for change, label, kind, started, ended, by, added, removed, version in rows
    ]
    if changes:
        named = [URIRef(c["change"]) for c in changes]
        by_iri = {c["change"]: c for c in changes}
        linked = executor.query(internal_query("change-documents", graph=graph, change=named))
        for change, role, target in linked.rows:
            key = ROLES[role]  # type: ignore[index]
            value = str(target) if key == "graphs" else str(target).rsplit("/", 1)[-1]
            by_iri[str(change)][key].append(value)
    return changes, more


@blueprint.route("/api/changes")
def listing() -> Response:
    """The changes, newest first: ``since`` (ISO 8601; those that ended then or later),
    ``_limit`` and ``_offset``; a ``Link`` header to the next page while there may be one."""
    limit, offset = page_parameters()
    changes, more = changes_page(limit, offset)
    response = jsonify({"changes": changes, "limit": limit, "offset": offset})
    response.headers["Link"] = page_link("changes.listing", limit, offset, more=more)
    return response


@blueprint.route("/changes.atom")
def feed() -> Response:
    """The newest changes (``_limit``, default 50; ``since``) as an Atom 1.0 feed."""
    limit, offset = page_parameters()
    changes, _ = changes_page(limit, offset)
    body = atom_feed(changes, get_services().settings.server_url)
    return Response(body, mimetype="application/atom+xml")


def atom_feed(changes: Sequence[dict[str, Any]], server: str) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of ``changes`` (newest first, as :func:`changes_page`
    gives them): one entry per change, linking its record and its documents' pages."""
    ET.register_namespace("", ATOM)
    settings = get_services().settings
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "id", str(iris.changes_graph_iri(settings.base_iri)))
    _text(root, "title", "dipkg: changes to the graph")
    newest = changes[0]["ended"] if changes else dt.datetime.now(dt.UTC).isoformat()
    _text(root, "updated", newest)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "dipkg")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=f"{server}/changes.atom")
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=f"{server}/api/changes")
    for change in changes:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        _text(entry, "id", change["change"])
        _text(entry, "title", change["label"])
        _text(entry, "published", change["started"])
        _text(entry, "updated", change["ended"])
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=server + change["link"])
        for role in ("added", "replaced", "removed"):
            for name in change[role]:
                iri = iris.document_iri(settings.base_iri, name)
                link = ET.SubElement(entry, f"{{{ATOM}}}link", rel="related")
                link.set("href", server + local_link(iri))
                link.set("title", f"{role}: {name}")
        _text(
            entry,
            "summary",
            f"{change['kind'].capitalize()} by {change['by']}: {change['triplesAdded']} "
            f"triple(s) added, {change['triplesRemoved']} removed (dipkg "
            f"{change['softwareVersion']}).",
        )
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text
