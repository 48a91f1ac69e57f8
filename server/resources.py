"""Blueprint for linked data: every resource IRI under the base dereferences at ``/id/...``
(HTML for people, Turtle/JSON-LD/N-Triples/RDF-XML for RDF clients), the ontology and SKOS
schemes at ``/def`` and ``/concept/...``, dumps at ``/dump.*`` and VoID at
``/.well-known/void``.

A request path maps to an IRI by the configured base (``base_iri`` + the path after ``/id/``);
it is looked up as a term, never turned into a file path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import iris
from kg.iris import is_iri
from kg.query.internal import internal_query
from kg.query.saved import get_query, run_saved_query
from kg.vocab import DIP, DIPC
from server.negotiation import choose_format, wants_html
from server.problems import ProblemError
from server.responses import display_labels, graph_body, timeline_svg, whole_timeline
from server.services import get_services

blueprint = Blueprint("resources", __name__)


def _exists(iri: URIRef) -> bool:
    result = get_services().executor.query(internal_query("exists", resource=iri))
    return bool(result.boolean)


@blueprint.route("/id/<path:rest>")
def resource(rest: str) -> Response:
    """One resource: its description (RDF) or its page (HTML)."""
    services = get_services()
    base = services.settings.base_iri
    iri = URIRef(base + rest)
    if not is_iri(iri) or not _exists(iri):
        raise _unknown(iri)
    description = services.executor.query(internal_query("describe", resource=iri)).graph
    description = description or Graph()
    if (iri, RDF.type, DIP.RetiredResource) in description:  # its record is in the merge
        return _moved(iri, description.value(iri, DCTERMS.isReplacedBy), base)
    if not wants_html():
        fmt = choose_format("rdf", request.args.get("format"), "ttl")
        return Response(graph_body(description, fmt), mimetype=fmt.media_type)
    return Response(
        render_template("resource.html", **page_context(iri, description)), mimetype="text/html"
    )


def _unknown(iri: URIRef) -> ProblemError:
    return ProblemError(
        404,
        "unknown-resource",
        f"The graph has no resource {iri}.",
        hint="Start from the home page or the saved queries.",
    )


def _moved(iri: URIRef, replacement: object, base: str) -> Response:
    """Cool IRIs: a retired IRI answers 301 to what replaced it (the record names the
    current resource: chains are collapsed when written), else 410 Gone; for every format,
    so the redirect keeps the request's query string (``?format=``) and clients keep their
    Accept header (RFC 9110 15.4.2, 15.5.11)."""
    if replacement is None or not str(replacement).startswith(base):
        raise ProblemError(
            410,
            "gone",
            f"The graph no longer describes {iri}: the documents that supported it no "
            "longer do, and nothing replaced it.",
            hint="Start from the home page or the saved queries.",
        )
    location = url_for(".resource", rest=str(replacement)[len(base) :])
    if request.query_string:
        location += "?" + request.query_string.decode("ascii", "replace")
    moved = Response(status=301, headers={"Location": location})
    # no-cache: an IRI can come back (a re-ingest undoing a change), and a cached 301 from it
    # to its replacement, which then redirects back, would loop
    moved.headers["Cache-Control"] = "no-cache"
    return moved


def page_context(iri: URIRef, description: Graph) -> dict[str, Any]:
    """Everything a resource page shows."""
    services = get_services()
    executor = services.executor
    types = sorted(str(t) for t in description.objects(iri, RDF.type))
    label = description.value(iri, RDFS.label) or iri
    labels = {str(s): str(o) for s, o in description.subject_objects(SKOS.prefLabel)}
    labels.update({str(s): str(o) for s, o in description.subject_objects(RDFS.label)})
    properties = [
        (str(p), isinstance(o, URIRef), str(o), labels.get(str(o), str(o)))
        for p, o in description.predicate_objects(iri)
        if p not in (RDFS.label, RDF.type) and str(p) != "http://www.w3.org/ns/prov#wasDerivedFrom"
    ]
    incoming = executor.query(internal_query("incoming", resource=iri)).rows
    names = property_names({p for p, *_ in properties} | {str(row[2]) for row in incoming})
    evidence = executor.query(internal_query("evidence", resource=iri)).rows
    context: dict[str, Any] = {
        "iri": str(iri),
        "label": str(label),
        "types": types,
        "labels": labels,
        "event_labels": {},
        "properties": grouped_properties(properties, names),
        "incoming": grouped_links(str(iri), incoming, names),
        "incoming_capped": len(incoming) >= INCOMING_LIMIT,
        "incoming_limit": INCOMING_LIMIT,
        "evidence": evidence,
        "history": None,
        "responses": None,
        "document": None,
        "timeline": None,
        "merges": [],
        "recorded": recorded(iri),
    }

    def saved_rows(name: str, parameter: str) -> list[Any]:
        """The rows of a saved query about this resource (its one parameter)."""
        query = get_query(services.queries, name)
        values = {parameter: str(iri)}
        max_rows = services.settings.max_rows
        return run_saved_query(executor, query, values, services.resolver, max_rows).rows

    if str(DIP.Pledge) in types:
        context["history"] = saved_rows("pledge-history", "pledge")
        events = {URIRef(str(row[5])) for row in context["history"] if row[5]}
        context["event_labels"] = display_labels(sorted(events))
    if str(DIP.Demand) in types:
        context["responses"] = saved_rows("responses", "demand")
    if str(DIP.Event) in types:
        context["merges"] = executor.query(internal_query("merge-reasons", resource=iri)).rows
    if str(DIP.SourceDocument) in types:
        context["document"] = document_segments(iri)
    if str(DIP.Actor) in types:
        context["timeline"] = whole_timeline(str(iri))
        context["timeline_svg"] = timeline_svg(
            str(iri), title=f"Timeline of {label}", rows=context["timeline"]
        )
    return context


INCOMING_LIMIT = 200
"""How many links ``incoming.rq`` returns at most (its LIMIT)."""

OTHER = "Other vocabularies"


@dataclass(frozen=True, slots=True)
class PropertyName:
    """How a page names a property: its label, and the group (ontology module) it is shown in."""

    label: str
    group: str


def natural_key(text: str) -> tuple[Any, ...]:
    """A sort key that orders the numbers in a text by value (span 229 before span 1223).

    >>> sorted(["span/1223-1325", "span/229-300", "span/229-25"], key=natural_key)
    ['span/229-25', 'span/229-300', 'span/1223-1325']
    """
    # re.split with a group alternates text and digits, so the key's types line up
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


def words(iri: str) -> str:
    """The words of an IRI's camelCase local name: a property's name when the store holds
    no label for it.

    >>> words("http://www.w3.org/ns/oa#hasSource"), words("https://w3id.org/dipkg/def#atEvent")
    ('has source', 'at event')
    """
    local = iri.split("#")[-1].split("/")[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()


def property_names(properties: Iterable[str]) -> dict[str, PropertyName]:
    """Each property's English label from the ontology in the store (else the words of its
    name) and the title of the module defining it (the words after the title's colon:
    "dipkg ontology: diplomatic events" groups as "Diplomatic events"), by IRI."""
    terms = [URIRef(p) for p in sorted(set(properties))]
    names = {p: PropertyName(words(p), OTHER) for p in map(str, terms)}
    if not terms:
        return names
    query = internal_query("property-labels", property=terms)
    for prop, label, module, title in get_services().executor.query(query).rows:
        group = OTHER
        if module is not None:
            text = str(title) if title is not None else words(str(module))
            group = text.split(": ", 1)[-1]
            group = group[:1].upper() + group[1:]
        names[str(prop)] = PropertyName(
            str(label) if label is not None else words(str(prop)), group
        )
    return names


def grouped_properties(
    properties: Sequence[tuple[str, bool, str, str]], names: dict[str, PropertyName]
) -> list[tuple[str, list[tuple[str, str, bool, str, str]]]]:
    """A resource's properties by group: the group with the most of them first, other
    vocabularies last; in a group by label, then value (numbers by value). Each row is
    (property, label, value is an IRI, value, value as shown)."""
    groups: dict[str, list[tuple[str, str, bool, str, str]]] = {}
    for p, linked, value, shown in properties:
        name = names[p]
        groups.setdefault(name.group, []).append((p, name.label, linked, value, shown))
    for rows in groups.values():
        rows.sort(key=lambda row: (row[1], natural_key(row[4])))
    return sorted(groups.items(), key=lambda item: (item[0] == OTHER, -len(item[1]), item[0]))


def grouped_links(
    iri: str, rows: Sequence[Sequence[object]], names: dict[str, PropertyName]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """What links to the resource ``iri``, grouped by the linking property's label (groups
    by label), each group's (subject, shown as) sorted naturally (span 229 before span 1223).
    A subject without a label shows its IRI, or the path under ``iri`` ("span 229-337")."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for subject, label, prop in rows:
        shown = str(subject)
        if label is not None:
            shown = str(label)
        elif shown.startswith(iri + "/"):
            shown = shown[len(iri) + 1 :].replace("/", " ")
        groups.setdefault(names[str(prop)].label, []).append((str(subject), shown))
    for links in groups.values():
        links.sort(key=lambda link: natural_key(link[1]))
    return sorted(groups.items())


def recorded(iri: URIRef) -> dict[str, dict[str, str]] | None:
    """When the resource was created and last changed, and by which document, from the
    graph of changes: the first and the latest change that added or replaced one of the
    documents whose graphs describe it now (None when no recorded change did: a store
    written before the history of changes, or a resource only the registry describes)."""
    changes = iris.changes_graph_iri(get_services().settings.base_iri)
    query = internal_query("resource-history", resource=iri, changes=changes)
    rows = get_services().executor.query(query).rows
    if not rows:
        return None
    first, last = rows[0], rows[-1]
    return {
        name: {"document": str(row[0]), "when": str(row[2]), "change": str(row[3])}
        for name, row in (("created", first), ("changed", last))
    }


def document_segments(document: URIRef) -> list[tuple[str, str | None, str | None, str]]:
    """The document text cut at every span boundary: (text, fact IRI, fact label, anchor)."""
    executor = get_services().executor
    text_rows = executor.query(internal_query("document-text", document=document)).rows
    text = str(text_rows[0][0]) if text_rows else ""
    spans = [
        (int(str(s)), int(str(e)), str(f), str(lbl) if lbl else None)
        for s, e, f, lbl in executor.query(internal_query("document-spans", document=document)).rows
    ]
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    segments: list[tuple[str, str | None, str | None, str]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        covering = [sp for sp in spans if sp[0] <= start and end <= sp[1]]
        if covering:
            first = covering[0]
            segments.append((text[start:end], first[2], first[3], f"char={first[0]},{first[1]}"))
        else:
            segments.append((text[start:end], None, None, ""))
    return segments


@blueprint.route("/def")
def ontology() -> Response:
    """The ontology: RDF, or a generated documentation page of every class and property."""
    services = get_services()
    vocabulary = iris.vocabulary_graph_iri(services.settings.base_iri)
    query = internal_query("ontology-terms", graph=vocabulary)
    graph = services.executor.query(query).graph or Graph()
    if not wants_html():
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
                "kind": "class" if (term, RDF.type, OWL.Class) in graph else "property",
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
    html = render_template("ontology.html", terms=terms, namespace=str(DIP))
    return Response(html, mimetype="text/html")


@blueprint.route("/concept/<path:rest>")
def concept(rest: str) -> Response:
    """A SKOS scheme or concept, by content negotiation."""
    iri = URIRef(str(DIPC) + rest)
    if not is_iri(iri) or not _exists(iri):
        raise ProblemError(
            404,
            "unknown-resource",
            f"The vocabulary has no scheme or concept {iri}.",
            hint="The schemes are listed at /concept/.",
        )
    executor = get_services().executor
    description = executor.query(internal_query("describe", resource=iri)).graph or Graph()
    members = executor.query(internal_query("scheme-members", scheme=iri)).graph or Graph()
    description += members
    if not wants_html():
        fmt = choose_format("rdf", request.args.get("format"), "ttl")
        return Response(graph_body(description, fmt), mimetype=fmt.media_type)
    return Response(
        render_template("resource.html", **page_context(iri, description)), mimetype="text/html"
    )
