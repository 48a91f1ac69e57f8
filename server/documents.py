"""Blueprint ``/api/documents``: the documents in the store (``GET``, a page of them; ``GET
/api/documents/ID``, one with its text and what it contributed), ``POST`` (``dipkg ingest``
over HTTP, for one article per request) and ``DELETE /api/documents/ID`` (``dipkg remove``).

Writes are off unless the ``write_token`` setting is set; a request must then carry it as
``Authorization: Bearer ...`` (compared in constant time; never logged or echoed). The article
goes through exactly the ingest of the command line (:class:`kg.flows.ingest.Ingester`): its file
is written to a private temporary directory and read like any other, so HTML is cleaned the
same way; a removal goes through :func:`kg.flows.remove.remove_documents`. Both are recorded in
the graph of changes as made by ``write_token`` (the setting's name, never the token). The
store is opened for writing only for the request; the query workers see the new graph on
their next query.
"""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Response, current_app, jsonify, request
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDFS

from kg import iris
from kg.errors import InputError, ValidationError
from kg.flows.remove import remove_documents
from kg.flows.write import writing_indexed
from kg.formats import get_format, names
from kg.query.internal import internal_query, paged
from kg.rdf.files import check_json_nesting
from kg.sources.articles import is_document_id
from kg.vocab import DIP
from server.problems import ProblemError
from server.responses import local_link, page_link, page_parameters
from server.services import get_services

if TYPE_CHECKING:  # kg.flows.ingest loads spaCy: imported on the first article only
    from kg.flows.ingest import Ingester, Outcome

blueprint = Blueprint("documents", __name__)

FORMATS = {name: f".{get_format(name).extension}" for name in names("document")}
FIELDS = {"id", "text", "format", "title", "published", "language", "url"}
AGENT = "write_token"
"""Who the history of changes says made a write over HTTP: the name of the setting holding
the token (there is one token), never the token."""
METADATA = {
    DCTERMS.identifier: "id",
    DCTERMS.title: "title",
    DCTERMS.issued: "published",
    DCTERMS.language: "language",
    DIP.kind: "kind",
    DIP.codingSource: "source",
    DIP.text: "text",
}
KINDS = {
    DIP.Event: "events",
    DIP.Pledge: "pledges",
    DIP.Demand: "demands",
    DIP.Statement: "statements",
    DIP.Response: "responses",
}


def _authorize() -> None:
    """Refuse a request that may not write (403 when writes are off, 401 without the token).

    Raises:
        Problem: the request may not write.
    """
    token = get_services().settings.write_token
    if not token:
        raise ProblemError(
            403,
            "writes-disabled",
            "Writes are off on this server: it has no write token.",
            hint="The operator enables POST /api/documents by setting DIPKG_WRITE_TOKEN.",
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8"), token.encode("utf-8")
    ):
        raise ProblemError(
            401,
            "unauthorized",
            "This request needs the server's write token.",
            hint="Send it as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="dipkg"'},
        )


def _body() -> dict[str, Any]:
    """The JSON body, checked field by field.

    Raises:
        Problem: naming the field that is wrong (400), or a body that is no JSON (415).
    """
    if request.is_json:
        try:
            check_json_nesting(request.get_data(cache=True), "The body")
        except InputError as exc:
            raise ProblemError(400, "bad-body", exc.message, hint=exc.hint) from None
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise ProblemError(
            415 if not request.is_json else 400,
            "bad-body",
            "The body must be a JSON object with at least 'id' and 'text'.",
            hint='For example {"id": "2024-05-xi-paris", "text": "...", "published": "2024-05-06"}',
        )
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ProblemError(
            400,
            "bad-field",
            f"Unknown field {unknown[0]!r}.",
            field=unknown[0],
            hint=f"Fields: {', '.join(sorted(FIELDS))}.",
        )
    for name in FIELDS:
        if name in body and not isinstance(body[name], str):
            raise ProblemError(400, "bad-field", f"Field {name!r} must be a string.", field=name)
        if name in body and not _encodable(body[name]):
            raise ProblemError(
                400,
                "bad-field",
                f"Field {name!r} holds a lone surrogate (an escape like \\ud800 that is no "
                "character); send valid Unicode.",
                field=name,
            )
    if not is_document_id(body.get("id", "")):
        raise ProblemError(
            400,
            "bad-field",
            "Field 'id' must be 1-100 letters, digits, '_', '.' or '-', not starting with "
            "'.' or '-'.",
            field="id",
        )
    if not body.get("text", "").strip():
        raise ProblemError(400, "bad-field", "Field 'text' must hold the article.", field="text")
    if body.get("format", "text") not in FORMATS:
        raise ProblemError(
            400,
            "bad-field",
            f"Field 'format' must be one of {', '.join(FORMATS)}.",
            field="format",
        )
    return body


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ingester() -> Ingester:
    """One ingester per worker process (spaCy's pipeline loads on the first article)."""
    ingester = current_app.extensions.get("dipkg-ingester")
    if ingester is None:
        from kg.flows.ingest import Ingester

        ingester = current_app.extensions["dipkg-ingester"] = Ingester(get_services().settings)
    return cast("Ingester", ingester)


def _links(outcome: Outcome) -> dict[str, Any]:
    """Where the document and the nodes it created or joined are served."""
    document = f"{get_services().settings.base_iri}document/{outcome.document}"
    return {
        "document": local_link(document),
        "created": [local_link(i) for i in outcome.created],
        "merged": [local_link(i) for i in outcome.merged],
    }


@blueprint.route("/api/documents", methods=["POST"])
def ingest() -> Response:
    """Ingest one article; 201 with the resources created, 200 when it replaced (or kept)
    an earlier version, 422 with the reasons when it was rejected (the store unchanged)."""
    _authorize()
    body = _body()
    settings = get_services().settings
    metadata = {k: body.get(k) for k in ("title", "published", "language", "url")}
    with tempfile.TemporaryDirectory(prefix="dipkg-ingest-") as directory:
        path = Path(directory) / f"{body['id']}{FORMATS[body.get('format', 'text')]}"
        path.write_text(body["text"], encoding="utf-8")
        with writing_indexed(settings, timeout=settings.query_timeout) as store:
            outcome = _ingester().ingest_file(store, path, metadata, agent=AGENT)
    if outcome.status == "rejected":
        raise ProblemError(
            422,
            "rejected",
            "The document was rejected; the store is unchanged.",
            reasons=outcome.reasons,
            document=outcome.document,
        )
    links = _links(outcome)
    response = jsonify(outcome.as_json() | {"links": links})
    response.status_code = 201 if outcome.status == "added" else 200
    response.headers["Location"] = links["document"]
    return response


@blueprint.route("/api/documents", methods=["GET"])
def listing() -> Response:
    """A page of the documents (by id): id, title, publication date, coding source and where
    each is served; ``_limit`` and ``_offset`` page, ``total`` counts them all."""
    executor = get_services().executor
    limit, offset = page_parameters()
    rows = executor.query(paged(internal_query("documents"), limit, offset)).rows
    [(total,)] = executor.query(internal_query("document-count")).rows
    documents = [
        {
            "id": str(name),
            "title": _text(title),
            "published": _text(issued),
            "source": _text(source),
            "link": local_link(document),
        }
        for document, name, title, issued, source, _ in rows
    ]
    count = int(str(total))
    response = jsonify({"documents": documents, "total": count, "limit": limit, "offset": offset})
    response.headers["Link"] = page_link(
        "documents.listing", limit, offset, more=offset + limit < count
    )
    return response


@blueprint.route("/api/documents/<name>", methods=["GET"])
def document(name: str) -> Response:
    """One document: its metadata, its text, and what it contributed (its events, pledges,
    demands, statements and responses, counted and listed)."""
    graph, node = _document(name)
    executor = get_services().executor
    rows = executor.query(internal_query("document-metadata", graph=graph, document=node)).rows
    body: dict[str, Any] = {"id": name, "iri": str(node), "link": local_link(node)}
    for predicate, value in rows:
        if predicate in METADATA:
            body[METADATA[predicate]] = str(value)  # type: ignore[index]
        elif predicate == RDFS.label and "title" not in body:
            body["title"] = str(value)
    contributed: dict[str, list[str]] = {kind: [] for kind in KINDS.values()}
    for kind, fact in executor.query(internal_query("contributions", graph=graph)).rows:
        contributed[KINDS[kind]].append(str(fact))  # type: ignore[index]
    body["counts"] = {kind: len(found) for kind, found in contributed.items()}
    body["contributed"] = contributed
    return jsonify(body)


@blueprint.route("/api/documents/<name>", methods=["DELETE"])
def remove(name: str) -> Response:
    """Take one document out (``dipkg remove``): 200 with what the removal did; 404 for a
    document the store does not hold and 422 when what is left would violate the shapes
    (the store unchanged either way)."""
    _authorize()
    _document(name)
    settings = get_services().settings
    try:
        with writing_indexed(settings, timeout=settings.query_timeout) as store:
            removal = remove_documents(store, settings, [name], agent=AGENT)
    except ValidationError as exc:
        report = exc.report
        raise ProblemError(
            422,
            "rejected",
            exc.message,
            reasons=[f"{r.focus}: {r.message}" for r in getattr(report, "violations", [])][:20],
            document=name,
        ) from None
    return jsonify(removal.as_json() | {"links": {"change": local_link(removal.change)}})


def _document(name: str) -> tuple[URIRef, URIRef]:
    """The graph and IRI of a document the store holds.

    Raises:
        ProblemError: it holds none by that id (404, naming it).
    """
    base = get_services().settings.base_iri
    graph, node = iris.document_graph_iri(base, name), iris.document_iri(base, name)
    query = internal_query("document-graph", graph=graph, document=node)
    if not is_document_id(name) or not get_services().executor.query(query).boolean:
        raise _unknown(name)
    return graph, node


def _unknown(name: str) -> ProblemError:
    return ProblemError(
        404,
        "unknown-document",
        f"The store holds no document {name!r}.",
        document=name,
        hint="GET /api/documents lists the documents.",
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
