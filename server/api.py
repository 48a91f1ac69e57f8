"""Blueprint ``/api``: the saved queries of ``queries/`` as a REST API, with an OpenAPI 3.1
document generated from the query headers and an interactive documentation page; and
``/api/labels``, the names to show for a batch of IRIs (the query page's result cells).

Parameters are bound as RDF terms by ``kg.query.saved`` exactly as ``dipkg query`` binds them, and
results are rendered by ``kg.query.results``, so both give byte-identical bodies.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from rdflib import URIRef

from kg.errors import QueryError, UnknownParameterError
from kg.formats import get_format
from kg.iris import is_iri
from kg.query.results import render
from kg.query.saved import (
    MAX_PAGE,
    PAGING,
    Page,
    SavedQuery,
    get_query,
    page_of,
    run_saved_query,
)
from kg.query.search import KINDS, MAX_HITS, MAX_OFFSET, MAX_QUERY_CHARS
from server.negotiation import choose_format
from server.problems import ProblemError
from server.responses import MAX_LABELS, allowed_values, display_labels
from server.services import get_services

blueprint = Blueprint("api", __name__)
CONTROL = {"_format"}
MAX_IRI_CHARS = 2000
FORM_TYPE = "application/x-www-form-urlencoded"


def query_description(query: SavedQuery) -> dict[str, Any]:
    """One catalogue entry."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "row": query.row,
        "columns": list(query.columns),
        "params": {
            name: {
                "kind": p.kind,
                "description": p.description,
                **({"scheme": p.scheme} if p.scheme else {}),
                **({"default": p.default} if p.default is not None else {}),
                **({"allowed": allowed_values(p)} if p.kind == "concept" else {}),
            }
            for name, p in query.params.items()
        },
        "example": dict(query.example),
        "url": url_for("api.run", name=query.name, _external=False),
    }


@blueprint.route("/api/queries")
def catalogue() -> Response:
    """Every saved query with its parameters, columns and example."""
    queries = get_services().queries
    return jsonify([query_description(q) for q in sorted(queries.values(), key=lambda q: q.name)])


@blueprint.route("/api/queries/<name>")
def run(name: str) -> Response:
    """Run one saved query; JSON, CSV, TSV or XML by Accept or ``_format``."""
    services = get_services()
    query = get_query(services.queries, name)
    params = {k: v for k, v in request.args.items() if k not in CONTROL}
    fmt = choose_format("results", request.args.get("_format"), "json")
    max_rows = services.settings.max_rows
    result = run_saved_query(services.executor, query, params, services.resolver, max_rows)
    response = Response(render(result, fmt.name), mimetype=fmt.media_type)
    if result.truncated:
        response.headers["Dipkg-Truncated"] = f"max-rows={max_rows}"
    page = page_of(query, params, max_rows)
    if page:
        response.headers["Link"] = page_links(name, page, more=page.full(len(result.rows)))
    return response


def page_links(name: str, page: Page, *, more: bool) -> str:
    """The RFC 8288 ``Link`` header of a page: first, prev and, while the page is full (there
    may be more; the last page can be empty), next."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    targets = {"first": 1, "prev": page.number - 1, "next": page.number + 1}
    links = []
    for rel, number in targets.items():
        if number < 1 or (rel == "next" and not more):
            continue
        url = url_for("api.run", name=name, page=number, **args)  # type: ignore[arg-type]
        links.append(f'<{url}>; rel="{rel}"')
    return ", ".join(links)


@blueprint.route("/api/labels", methods=["GET", "POST"])
def labels() -> Response:
    """The name to show for each of up to 200 IRIs (``iri``, repeated; in the URL, or in a
    form-encoded POST body for a long list): its ``skos:prefLabel``, else its ``rdfs:label``
    (English or untagged), as ``{"labels": {iri: label}}``; an IRI with neither is left out.

    Raises:
        QueryError: no ``iri``, more than 200, or one that is not an absolute IRI (400).
        UnknownParameterError: any other parameter (400).
        ProblemError: a POST body that is not form-encoded (415).
    """
    if request.method == "POST" and request.mimetype != FORM_TYPE:
        raise ProblemError(
            415,
            "unsupported-media-type",
            f"POST bodies must be {FORM_TYPE}, not {request.mimetype or 'missing'}.",
        )
    params = request.values
    unknown = sorted(set(params) - {"iri"})
    if unknown:
        raise UnknownParameterError(
            f"/api/labels has no parameter {unknown[0][:40]!r}; it takes iri (repeated).",
            parameter=unknown[0][:40],
        )
    wanted = list(dict.fromkeys(params.getlist("iri")))
    if not wanted:
        raise QueryError(
            "/api/labels needs at least one iri parameter.",
            hint="Name each resource: /api/labels?iri=<IRI>&iri=<IRI>.",
            parameter="iri",
        )
    if len(wanted) > MAX_LABELS:
        raise QueryError(
            f"/api/labels takes at most {MAX_LABELS} IRIs a request, not {len(wanted)}.",
            hint="Split the list into several requests.",
            parameter="iri",
        )
    for iri in wanted:
        if len(iri) > MAX_IRI_CHARS or not is_iri(iri):
            raise QueryError(
                f"iri={iri[:80]!r} is not an absolute IRI (RFC 3987).",
                parameter="iri",
            )
    return jsonify({"labels": display_labels([URIRef(i) for i in wanted])})


@blueprint.route("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of the saved-query API."""
    return jsonify(openapi_document())


@blueprint.route("/api/docs")
def docs() -> str:
    """Interactive documentation: every saved query with a form to try it."""
    services = get_services()
    queries = sorted(services.queries.values(), key=lambda q: q.name)
    return render_template("api_docs.html", queries=[query_description(q) for q in queries])


def paging_parameters(query: SavedQuery, max_rows: int) -> list[dict[str, Any]]:
    """The OpenAPI description of a paged query's ``page`` and ``pageSize``."""
    described = {
        "page": (
            "Page number, from 1; the Link header names the next page while there may "
            "be one (the last page can be empty).",
            MAX_PAGE,
        ),
        "pageSize": (f"Page size (default {query.page_size}).", max_rows),
    }
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": described[name][0],
            "schema": {"type": "integer", "minimum": 1, "maximum": described[name][1]},
        }
        for name in PAGING
    ]


PROBLEM_BODY = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
"""The content of an OpenAPI error response: an RFC 9457 problem (``components.schemas``)."""


def problem_responses(*answers: tuple[str, str]) -> dict[str, Any]:
    """OpenAPI responses for error statuses, ``(status, description)`` each, with a
    problem+json body."""
    return {code: {"description": text, "content": PROBLEM_BODY} for code, text in answers}


def search_operation() -> dict[str, Any]:
    """The OpenAPI description of ``/api/search`` (:mod:`server.search`)."""

    def integer(name: str, text: str, lowest: int, highest: int) -> dict[str, Any]:
        schema = {"type": "integer", "minimum": lowest, "maximum": highest}
        return {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": schema,
        }

    return {
        "get": {
            "operationId": "search",
            "tags": ["search"],
            "summary": "Full-text search",
            "description": "Actors, events, pledges, demands, statements and documents whose "
            "names or sentences hold every word of q (word* a prefix), best first (BM25, names "
            "above sentence text); each hit with its IRI, local link, type, label, a snippet "
            "with the matches in <mark> (HTML-escaped) and its score.",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "description": "The words to find; any text (it is never query syntax).",
                    "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
                    "example": "fentanyl",
                },
                {
                    "name": "type",
                    "in": "query",
                    "required": False,
                    "description": "Only hits of this type.",
                    "schema": {"type": "string", "enum": list(KINDS)},
                },
                integer("_limit", "Most hits (default 20).", 1, MAX_HITS),
                integer(
                    "_offset", "Hits skipped first (paging; `next` gives the link).", 0, MAX_OFFSET
                ),
            ],
            "responses": {
                "200": {"description": "The hits", "content": {"application/json": {"schema": {}}}}
            }
            | problem_responses(
                ("400", "No word to search for, or a bad parameter"),
                ("503", "No search index"),
            ),
        }
    }


def labels_operation() -> dict[str, Any]:
    """The OpenAPI description of ``/api/labels`` (:func:`labels`)."""
    iris = {
        "type": "array",
        "items": {"type": "string", "format": "iri", "maxLength": MAX_IRI_CHARS},
        "minItems": 1,
        "maxItems": MAX_LABELS,
    }
    answers = {
        "200": {
            "description": "The labels found, by IRI",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    }
    common = {
        "tags": ["labels"],
        "summary": "The names to show for some IRIs",
        "description": "For each IRI its skos:prefLabel, else its rdfs:label (English or "
        f'untagged), as {{"labels": {{iri: label}}}}; at most {MAX_LABELS} IRIs a request. '
        "An IRI with no label is left out.",
    }
    return {
        "get": common
        | {
            "operationId": "getLabels",
            "parameters": [
                {
                    "name": "iri",
                    "in": "query",
                    "required": True,
                    "style": "form",
                    "explode": True,
                    "schema": iris,
                    "example": ["https://w3id.org/dipkg/id/actor/china"],
                }
            ],
            "responses": answers
            | problem_responses(
                ("400", "No iri, too many, one malformed, or an unknown parameter"),
                ("414", "URL too long: POST the list instead"),
                ("503", "Timed out or store unavailable"),
            ),
        },
        "post": common
        | {
            "operationId": "postLabels",
            "requestBody": {
                "required": True,
                "content": {
                    FORM_TYPE: {
                        "schema": {
                            "type": "object",
                            "required": ["iri"],
                            "properties": {"iri": iris},
                        },
                        "encoding": {"iri": {"style": "form", "explode": True}},
                    }
                },
            },
            "responses": answers
            | problem_responses(
                ("400", "No iri, too many, one malformed, or an unknown parameter"),
                ("413", "Body too large"),
                ("415", "Not a form-encoded body"),
                ("503", "Timed out or store unavailable"),
            ),
        },
    }


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1, generated from the saved queries' headers."""
    services = get_services()
    paths: dict[str, Any] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The catalogue of saved queries",
                "responses": {
                    "200": {
                        "description": "The catalogue",
                        "content": {"application/json": {"schema": {"type": "array"}}},
                    }
                },
            }
        }
    }
    media = [get_format(n).media_type for n in ("json", "csv", "tsv", "xml")]
    for query in sorted(services.queries.values(), key=lambda q: q.name):
        parameters: list[dict[str, Any]] = []
        for name, param in query.params.items():
            schema: dict[str, Any] = {"type": "string", "maxLength": 500}
            if param.kind == "concept":
                schema["enum"] = allowed_values(param)
            elif param.kind == "date":
                schema["pattern"] = r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2})?$"
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": param.description or param.kind,
                    "schema": schema,
                    **({"example": query.example[name]} if name in query.example else {}),
                }
            )
        if query.page_size:
            parameters.extend(paging_parameters(query, services.settings.max_rows))
        parameters.append(
            {
                "name": "_format",
                "in": "query",
                "required": False,
                "description": "Result format, overriding Accept.",
                "schema": {"type": "string", "enum": ["json", "csv", "tsv", "xml"]},
            }
        )
        paths[f"/api/queries/{query.name}"] = {
            "get": {
                "operationId": f"run_{query.name.replace('-', '_')}",
                "tags": list(query.tags),
                "summary": query.title,
                "description": f"{query.description} One row per {query.row}. "
                f"Columns: {', '.join(query.columns)}.",
                "parameters": parameters,
                "responses": {
                    "200": {
                        "description": "SPARQL results",
                        "content": {m: {"schema": {}} for m in media},
                    }
                }
                | problem_responses(
                    ("400", "Unknown or ill-typed parameter"),
                    ("406", "No acceptable format"),
                    ("503", "Timed out or store unavailable"),
                ),
            }
        }
    paths["/api/search"] = search_operation()
    paths["/api/labels"] = labels_operation()
    paths["/api/documents"] = {
        "post": {
            "operationId": "ingestDocument",
            "summary": "Ingest one article (dipkg ingest over HTTP)",
            "description": "Extracts the article's events, pledges, demands and statements, "
            "resolves them against the graph, validates them with SHACL and adds them as the "
            "document's named graph, or rejects the whole document. Needs the server's write "
            "token; without one configured, writes are off (403).",
            "security": [{"bearer": []}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Article"}}
                },
            },
            "responses": {
                "201": {"description": "Added: the outcome, with links to what it created"},
                "200": {"description": "Replaced an earlier version (or kept a curated one)"},
            }
            | problem_responses(
                ("400", "A field is missing or malformed"),
                ("401", "No or wrong bearer token"),
                ("403", "Writes are off on this server"),
                ("413", "Body too large"),
                ("415", "Not a JSON body"),
                ("422", "Rejected (reasons given); the store is unchanged"),
                ("503", "The store is busy or unavailable"),
            ),
        }
    }
    problems = problem_responses(
        ("400", "A parameter is malformed"),
        ("401", "No or wrong bearer token"),
        ("403", "Writes are off on this server"),
        ("404", "No such document"),
        (
            "422",
            "What would be left violates the shapes (reasons given); the store is unchanged",
        ),
        ("503", "The store is busy or unavailable"),
    )
    page = [
        {"name": "_limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "_offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ]
    document_id = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$"},
    }
    paths["/api/documents"]["get"] = {
        "operationId": "listDocuments",
        "summary": "The documents in the store, by id, a page at a time",
        "parameters": page,
        "responses": {"200": {"description": "A page of documents and the total"}}
        | {k: problems[k] for k in ("400", "503")},
    }
    paths["/api/documents/{id}"] = {
        "get": {
            "operationId": "getDocument",
            "summary": "One document: metadata, text, and what it contributed",
            "parameters": [document_id],
            "responses": {"200": {"description": "The document"}}
            | {k: problems[k] for k in ("404", "503")},
        },
        "delete": {
            "operationId": "removeDocument",
            "summary": "Take one document out (dipkg remove over HTTP)",
            "description": "Its graph goes and its mentions with it; events, pledges, demands "
            "and statements other documents also report keep theirs; what only it supported "
            "answers 410 Gone. Needs the server's write token.",
            "security": [{"bearer": []}],
            "parameters": [document_id],
            "responses": {"200": {"description": "What the removal did"}}
            | {k: problems[k] for k in ("401", "403", "404", "422", "503")},
        },
    }
    paths["/api/changes"] = {
        "get": {
            "operationId": "listChanges",
            "summary": "The history of changes to the store, newest first (also /changes.atom)",
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "description": "ISO 8601 date or date-time: the changes that ended then "
                    "or later",
                    "schema": {"type": "string"},
                },
                *page,
            ],
            "responses": {"200": {"description": "A page of changes"}}
            | {k: problems[k] for k in ("400", "503")},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dipkg saved queries",
            "version": "0.1.0",
            "description": "Saved SPARQL queries over the dipkg knowledge graph.",
        },
        "servers": [{"url": services.settings.server_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Article": {
                    "type": "object",
                    "required": ["id", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,100}$"},
                        "text": {"type": "string", "minLength": 1},
                        "format": {"type": "string", "enum": ["text", "markdown", "html"]},
                        "title": {"type": "string"},
                        "published": {"type": "string", "description": "ISO 8601 date"},
                        "language": {"type": "string"},
                        "url": {"type": "string"},
                    },
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "parameter": {"type": "string"},
                        "hint": {"type": "string"},
                    },
                },
            },
        },
    }
