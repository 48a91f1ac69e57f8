"""Blueprint for linked data: every resource IRI under the base dereferences at ``/id/...``
(HTML for people, Turtle/JSON-LD/N-Triples/RDF-XML for RDF clients), the ontology and SKOS
schemes at ``/def`` and ``/concept/...``, dumps at ``/dump.*`` and VoID at
``/.well-known/void``.

A request path maps to an IRI by the configured base (``base_iri`` + the path after ``/id/``);
it is looked up as a term, never turned into a file path.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.formats import DUMP_FORMATS, FORMATS, get_format
from kg.iris import is_iri
from kg.query.describe import describe_query, document_spans_query, evidence_query, incoming_query
from kg.query.export import export
from kg.query.saved import get_query, run_saved_query
from kg.store import open_store
from kg.vocab import DIP, DIPC
from server.negotiation import choose_format
from server.problems import problem
from server.services import get_services
from server.sparql import cors, graph_body
from server.timeline import timeline_svg, whole_timeline
from server.void import add_void

blueprint = Blueprint("resources", __name__)


@blueprint.after_request
def _cors(response: Response) -> Response:
    return cors(response)


@blueprint.app_template_filter("local")
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


def _wants_html() -> bool:
    if "format" in request.args:
        return False
    accept = request.accept_mimetypes
    best_rdf = max(accept[f.media_type] for f in FORMATS if f.kind == "rdf")
    return accept["text/html"] > best_rdf


def _exists(iri: URIRef) -> bool:
    result = get_services().executor.query(
        f"ASK {{ {{ {iri.n3()} ?p ?o }} UNION {{ ?s ?q {iri.n3()} }} }}"
    )
    return bool(result.boolean)


@blueprint.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """One resource: its description (RDF) or its page (HTML)."""
    services = get_services()
    iri = URIRef(services.settings.base_iri + rest)
    if not is_iri(iri) or not _exists(iri):
        return problem(
            404,
            "unknown-resource",
            f"The graph has no resource {iri}.",
            hint="Start from the home page or the saved queries.",
        )
    description = services.executor.query(describe_query(iri)).graph or Graph()
    if not _wants_html():
        fmt = choose_format("rdf", request.args.get("format"), "ttl")
        return Response(graph_body(description, fmt), mimetype=fmt.media_type)
    return Response(
        render_template("resource.html", **page_context(iri, description)), mimetype="text/html"
    )


def page_context(iri: URIRef, description: Graph) -> dict[str, Any]:
    """Everything a resource page shows."""
    services = get_services()
    executor = services.executor
    types = sorted(str(t) for t in description.objects(iri, RDF.type))
    label = description.value(iri, RDFS.label) or iri
    labels = {str(s): str(o) for s, o in description.subject_objects(SKOS.prefLabel)}
    labels.update({str(s): str(o) for s, o in description.subject_objects(RDFS.label)})
    properties = sorted(
        (str(p), isinstance(o, URIRef), str(o), labels.get(str(o), str(o)))
        for p, o in description.predicate_objects(iri)
        if p not in (RDFS.label, RDF.type) and str(p) != "http://www.w3.org/ns/prov#wasDerivedFrom"
    )
    incoming = executor.query(incoming_query(iri)).rows
    evidence = executor.query(evidence_query(iri)).rows
    context: dict[str, Any] = {
        "iri": str(iri),
        "label": str(label),
        "types": types,
        "labels": labels,
        "event_labels": {},
        "properties": properties,
        "incoming": incoming,
        "evidence": evidence,
        "history": None,
        "document": None,
        "timeline": None,
    }
    queries = services.queries
    if str(DIP.Pledge) in types:
        context["history"] = run_saved_query(
            executor,
            get_query(queries, "pledge-history"),
            {"pledge": str(iri)},
            services.resolver,
            services.settings.max_rows,
        ).rows
        context["event_labels"] = labels_of({row[5] for row in context["history"] if row[5]})
    if str(DIP.SourceDocument) in types:
        context["document"] = document_segments(iri)
    if str(DIP.Actor) in types:
        context["timeline"] = whole_timeline(str(iri))
        context["timeline_svg"] = timeline_svg(
            str(iri), title=f"Timeline of {label}", rows=context["timeline"]
        )
    return context


def labels_of(resources: set[object]) -> dict[str, str]:
    """The English labels of some resources, by IRI."""
    if not resources:
        return {}
    values = " ".join(URIRef(str(r)).n3() for r in resources)
    rows = (
        get_services()
        .executor.query(
            "SELECT DISTINCT ?r ?label WHERE { VALUES ?r { "
            + values
            + " } ?r <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        )
        .rows
    )
    return {str(r): str(label) for r, label in rows}


def document_segments(document: URIRef) -> list[tuple[str, str | None, str | None, str]]:
    """The document text cut at every span boundary: (text, fact IRI, fact label, anchor)."""
    executor = get_services().executor
    text_rows = executor.query(f"SELECT ?text WHERE {{ {document.n3()} <{DIP.text}> ?text }}").rows
    text = str(text_rows[0][0]) if text_rows else ""
    spans = [
        (int(str(s)), int(str(e)), str(f), str(lbl) if lbl else None)
        for s, e, f, lbl in executor.query(document_spans_query(document)).rows
    ]
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    segments = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [sp for sp in spans if sp[0] <= start and end <= sp[1]]
        if covering:
            first = covering[0]
            segments.append((text[start:end], first[2], first[3], f"char={first[0]},{first[1]}"))
        else:
            segments.append((text[start:end], None, None, ""))
    return segments


@blueprint.route("/dump.<ext>")
def dump(ext: str) -> Response:
    """The whole graph in one format, streamed from a temporary file."""
    if ext not in DUMP_FORMATS:
        return problem(
            404,
            "unknown-dump",
            f"No dump in {ext!r}; available: {', '.join('/dump.' + f for f in DUMP_FORMATS)}.",
        )
    settings = get_services().settings
    spool = tempfile.TemporaryFile()
    store = open_store(settings.store, read_only=True, auth=settings.store_auth)
    try:
        export(store, ext, spool, settings.ontology_dir / "context.jsonld")
    finally:
        store.close()
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(1 << 16):
                yield block

    fmt = get_format(ext)
    response = Response(chunks(), mimetype=fmt.media_type)
    response.headers["Content-Disposition"] = f'inline; filename="dipkg.{ext}"'
    return response


@blueprint.route("/.well-known/void")
def void() -> Response:
    """The VoID description of the dataset: counts, dumps, endpoint, vocabularies."""
    fmt = choose_format("rdf", request.args.get("format"), "ttl")
    return Response(graph_body(void_description(), fmt), mimetype=fmt.media_type)


def void_description() -> Graph:
    """VoID: triples, entities per class, dumps, endpoint, vocabularies, URI space."""
    graph = Graph()
    add_void(graph, URIRef(get_services().settings.server_url + "/.well-known/void#dataset"))
    return graph


@blueprint.route("/def")
def ontology() -> Response:
    """The ontology: RDF, or a generated documentation page of every class and property."""
    services = get_services()
    vocabulary = f"{services.settings.base_iri}graph/vocabulary"
    query = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{vocabulary}>
        {{ ?s ?p ?o . FILTER(STRSTARTS(STR(?s), "https://w3id.org/dipkg/def")) }} }}"""
    graph = services.executor.query(query).graph or Graph()
    if not _wants_html():
        fmt = choose_format("rdf", request.args.get("format"), "ttl")
        return Response(graph_body(graph, fmt), mimetype=fmt.media_type)
    terms = []
    for term in sorted(set(graph.subjects(RDFS.label)), key=str):
        if not str(term).startswith(str(DIP)):
            continue
        terms.append(
            {
                "name": str(term)[len(str(DIP)) :],
                "iri": str(term),
                "kind": "class"
                if (term, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
                else "property",
                "label": str(graph.value(term, RDFS.label)),
                "definition": str(
                    graph.value(term, URIRef("http://www.w3.org/2004/02/skos/core#definition"))
                    or ""
                ),
                "parents": sorted(str(p) for p in graph.objects(term, RDFS.subClassOf))
                + sorted(str(p) for p in graph.objects(term, RDFS.subPropertyOf)),
                "domain": [str(d) for d in graph.objects(term, RDFS.domain)],
                "range": [str(r) for r in graph.objects(term, RDFS.range)],
            }
        )
    return Response(render_template("ontology.html", terms=terms), mimetype="text/html")


@blueprint.route("/concept/<path:rest>")
def concept(rest: str) -> Response:
    """A SKOS scheme or concept, by content negotiation."""
    iri = URIRef(str(DIPC) + rest)
    if not is_iri(iri) or not _exists(iri):
        return problem(
            404,
            "unknown-resource",
            f"The vocabulary has no scheme or concept {iri}.",
            hint="The schemes are listed at /concept/.",
        )
    description = get_services().executor.query(describe_query(iri)).graph or Graph()
    members = (
        get_services()
        .executor.query(
            "CONSTRUCT { ?c ?p ?o } WHERE { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
            f"{iri.n3()} ; ?p ?o }}"
        )
        .graph
        or Graph()
    )
    description += members
    if not _wants_html():
        fmt = choose_format("rdf", request.args.get("format"), "ttl")
        return Response(graph_body(description, fmt), mimetype=fmt.media_type)
    return Response(
        render_template("resource.html", **page_context(iri, description)), mimetype="text/html"
    )
