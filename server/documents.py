"""Blueprint ``POST /api/documents``: ``dipkg ingest`` over HTTP, for one article per request.

Writes are off unless the ``write_token`` setting is set; a request must then carry it as
``Authorization: Bearer ...`` (compared in constant time; never logged or echoed). The article
goes through exactly the ingest of the command line (:class:`kg.flows.ingest.Ingester`): its file
is written to a private temporary directory and read like any other, so HTML is cleaned the
same way. The store is opened for writing only for the request; the query workers see the new
graph on their next query.
"""

from __future__ import annotations

import hmac
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Response, current_app, jsonify, request

from kg.errors import InputError
from kg.flows.write import writing_indexed
from kg.formats import get_format, names
from kg.rdf.files import check_json_nesting
from kg.sources.articles import is_document_id
from server.problems import ProblemError
from server.responses import local_link
from server.services import get_services

if TYPE_CHECKING:  # kg.flows.ingest loads spaCy: imported on the first article only
    from kg.flows.ingest import Ingester, Outcome

blueprint = Blueprint("documents", __name__)

FORMATS = {name: f".{get_format(name).extension}" for name in names("document")}
FIELDS = {"id", "text", "format", "title", "published", "language", "url"}


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
            outcome = _ingester().ingest_file(store, path, metadata)
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
