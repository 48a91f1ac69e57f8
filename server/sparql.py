"""Blueprint ``/sparql``: the SPARQL 1.1 Protocol query endpoint (read-only).

GET ``?query=``, POST form-encoded, POST ``application/sparql-query``; ``default-graph-uri``
and ``named-graph-uri``; results negotiated by ``Accept`` or ``format``; the gate refuses
SERVICE, updates and deep nesting; every query runs under the time limit and the row cap.
GET without a query serves the service description (RDF) or the query page (browsers).
Spec: https://www.w3.org/TR/sparql11-protocol/
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, render_template, request
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF
from werkzeug.datastructures import MultiDict

from kg.errors import QueryError
from kg.formats import FORMATS
from kg.query.internal import internal_query
from kg.store.gate import check_query
from kg.vocab import PREFIXES
from server.negotiation import choose_format, wants_html
from server.problems import ProblemError
from server.responses import MAX_LABELS, graph_body, local_prefixes
from server.services import get_services
from server.void import add_void

blueprint = Blueprint("sparql", __name__)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
PROTOCOL_PARAMETERS = ("query", "update", "default-graph-uri", "named-graph-uri")


@blueprint.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    """CORS preflight."""
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response.headers["Access-Control-Max-Age"] = "3600"
    return response


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """One SPARQL protocol request."""
    params: MultiDict[str, str]
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == FORM_TYPE:
            params = request.form
            queries = params.getlist("query")
            in_url = [name for name in PROTOCOL_PARAMETERS if name in request.args]
            if in_url:
                raise ProblemError(
                    400,
                    "parameters-in-url-and-body",
                    f"A form-encoded POST carries its parameters in the body, but {in_url[0]} "
                    "is also in the URL; send each parameter once, in the body.",
                )
        elif mimetype == QUERY_TYPE:
            params = request.args
            raw = request.get_data()
            try:
                queries = [raw.decode("utf-8")]
            except UnicodeDecodeError:
                raise ProblemError(400, "bad-encoding", "The query is not valid UTF-8.") from None
            if params.getlist("query"):
                queries += params.getlist("query")
        elif mimetype == "application/sparql-update":
            _read_only()
        else:
            raise ProblemError(
                415,
                "unsupported-media-type",
                f"POST bodies must be {FORM_TYPE} or {QUERY_TYPE}, not {mimetype or 'missing'}.",
            )
    else:
        params = request.args
        queries = params.getlist("query")
    if params.getlist("update"):
        _read_only()
    if not queries:
        if request.method in ("GET", "HEAD"):
            return _describe_service()
        raise ProblemError(400, "missing-query", "The request has no query parameter.")
    if len(queries) > 1:
        raise ProblemError(
            400, "multiple-queries", "The request has more than one query; send one."
        )
    services = get_services()
    settings = services.settings
    checked = check_query(queries[0], max_chars=settings.max_query_chars)
    kind = "results" if checked.form in ("select", "ask") else "rdf"
    fmt = choose_format(kind, params.get("format"), "json" if kind == "results" else "ttl")
    default_graphs = _iris(params.getlist("default-graph-uri"), "default-graph-uri")
    named_graphs = _iris(params.getlist("named-graph-uri"), "named-graph-uri")
    bounded = checked.form == "ask" or (
        checked.form == "select"
        and checked.limit is not None
        and checked.limit <= settings.max_rows
    )
    rendered = services.executor.query_rendered(
        checked.text,
        fmt.name,
        default_graph_uris=default_graphs,
        named_graph_uris=named_graphs,
        max_rows=settings.max_rows,
        native=bounded,  # the query cannot exceed the row cap: the engine serialises it
    )
    response = Response(rendered.body, mimetype=fmt.media_type)
    if rendered.truncated:
        response.headers["Dipkg-Truncated"] = f"max-rows={settings.max_rows}"
    return response


def _read_only() -> NoReturn:
    raise ProblemError(
        400,
        "read-only",
        "This endpoint is read-only: SPARQL Update is refused.",
        hint="Use `dipkg load` or `dipkg build` to change the data.",
    )


def _iris(values: list[str], name: str) -> list[str]:
    for value in values:
        try:
            URIRef(value).n3()
        except Exception as exc:  # rdflib raises a bare Exception for an invalid IRI
            raise QueryError(f"{name} {value!r} is not a valid IRI.", parameter=name) from exc
    return values


def _describe_service() -> Response:
    if wants_html():
        return Response(query_page(), mimetype="text/html")
    fmt = choose_format("rdf", request.args.get("format"), "ttl")
    return Response(graph_body(service_description(), fmt), mimetype=fmt.media_type)


def query_page(query_text: str | None = None) -> str:
    """The HTML query editor, with prefixes filled in and the saved queries as examples."""
    services = get_services()
    default = query_text or internal_query("editor-example")
    examples = sorted(services.queries.values(), key=lambda q: q.name)
    return render_template(
        "query.html",
        query=default,
        examples=examples,
        formats=[f for f in FORMATS if f.kind == "results"],
        local_prefixes=local_prefixes(),
        prefixes=PREFIXES,
        max_labels=MAX_LABELS,
    )


def service_description() -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint, with a VoID dataset."""
    services = get_services()
    settings = services.settings
    endpoint = URIRef(settings.server_url + "/sparql")
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(settings.server_url + "/sparql#service")
    dataset = URIRef(settings.server_url + "/sparql#dataset")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, endpoint))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in (f for f in FORMATS if f.kind in ("results", "rdf")):
        graph.add(
            (
                service,
                SD.resultFormat,
                URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}"),
            )
        )
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    add_void(graph, dataset)
    names = services.executor.query(internal_query("graph-names")).rows
    for (name,) in names:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(str(name))))
    return graph
