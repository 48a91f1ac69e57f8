"""Records -> RDF: one named graph per document, PROV derivations and Web Annotation spans.

The shape of the output is specified in docs/model.md. Pure: values in, an rdflib Dataset out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Identifier

from kg import iris
from kg.records import Actor, Change, Coding, DateValue, Fact, Place, Response, Span
from kg.resolve import DATE_PREDICATES, EventNode, Node, PledgeNode, Resolution, Sourced
from kg.resolve.retirement import Retirement
from kg.resolve.rules import EventMatch
from kg.sources.registry import Registry
from kg.vocab import DIP, EDTF, OA, WD, concept

EVENT_CLASSES = {
    "meeting": DIP.Meeting,
    "summit": DIP.Summit,
    "phone_call": DIP.PhoneCall,
    "video_call": DIP.VideoCall,
    "visit": DIP.Visit,
    "talks": DIP.Talks,
}
ACTOR_CLASSES = {
    "person": DIP.Person,
    "state": DIP.State,
    "organisation": DIP.Organisation,
    "office": DIP.Office,
    "anonymous": DIP.AnonymousSource,
}
KEPT_ONCE = frozenset(
    {
        RDFS.label,
        *DATE_PREDICATES,
        DIP.location,
        DIP.partOf,
        DIP.eventStatus,
        DIP.commitmentKind,
        DIP.demandKind,
        DIP.content,
        DIP.madeAt,
        DIP.status,
        DIP.quote,
        DIP.participantRole,
        DIP.inOffice,
        DIP.represents,
    }
)
"""The properties a node shared by several documents states once, in the graph of the one
document that supplied the kept value (resolution's best date, place, status, ...; a
participation's label and role in the graph of its first report): the others leave them
out. The rest (types, participants, topics, evidence, notes, links) each document states."""

_DATATYPES = {"day": XSD.date, "week": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}


def date_literal(value: DateValue) -> Literal:
    """The typed literal for a date at its precision (a week is its Monday).

    >>> date_literal(DateValue.parse("2024-01")).n3()
    '"2024-01"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>'
    """
    lexical = value.earliest.isoformat() if value.precision == "week" else value.iso
    return Literal(lexical, datatype=_DATATYPES[value.precision])


class _Mapper:
    def __init__(self, dataset: Dataset, registry: Registry, base: str) -> None:
        self.dataset = dataset
        self.registry = registry
        self.base = base
        self.labels = {a.id: a.label for a in registry.actors.values()}
        self.automatic: set[str] = set()

    def graph(self, document_id: str) -> Graph:
        return self.dataset.graph(iris.document_graph_iri(self.base, document_id))

    def actor(self, actor_id: str) -> URIRef:
        return iris.actor_iri(self.base, actor_id)

    def add_date(
        self, g: Graph, subject: URIRef, value: DateValue, skip: frozenset[URIRef] = frozenset()
    ) -> None:
        if DIP.date in skip:
            return
        g.add((subject, DIP.date, date_literal(value)))
        if value.edtf is not None:
            g.add((subject, DIP.edtfDate, Literal(value.edtf, datatype=EDTF.EDTF)))
        g.add((subject, DIP.datePrecision, concept("date-precision", value.precision)))
        g.add((subject, DIP.dateBasis, concept("date-basis", value.basis)))
        g.add((subject, DIP.earliest, Literal(value.earliest, datatype=XSD.date)))
        g.add((subject, DIP.latest, Literal(value.latest, datatype=XSD.date)))
        if value.note:
            g.add((subject, SKOS.editorialNote, Literal(value.note, lang="en")))

    def add_evidence(self, g: Graph, subject: URIRef, spans: Iterable[Span]) -> None:
        for span in spans:
            g.add((subject, PROV.wasDerivedFrom, self.span(g, span)))

    def add_confidence(self, g: Graph, subject: URIRef, member: Fact | Response) -> None:
        """An automatic fact's confidence, in the graph of the document that reports it."""
        if member.document_id in self.automatic:
            value = Decimal(str(round(member.confidence, 2)))
            g.add((subject, DIP.confidence, Literal(value, datatype=XSD.decimal)))

    def once(self, node: Node, g: Graph, predicate: URIRef, value: Identifier) -> None:  # type: ignore[type-arg]
        """Add a single-valued property unless the node already has it in the store."""
        if predicate not in node.skip:
            g.add((node.iri, predicate, value))

    def span(self, g: Graph, span: Span) -> URIRef:
        node = iris.span_iri(self.base, span.document_id, span.start, span.end)
        selector = iris.selector_iri(node)
        g.add((node, RDF.type, DIP.EvidenceSpan))
        g.add((node, OA.hasSource, iris.document_iri(self.base, span.document_id)))
        g.add((node, OA.hasSelector, selector))
        g.add((selector, RDF.type, OA.TextPositionSelector))
        g.add((selector, RDF.type, OA.TextQuoteSelector))
        g.add((selector, OA.start, Literal(span.start, datatype=XSD.integer)))
        g.add((selector, OA.end, Literal(span.end, datatype=XSD.integer)))
        g.add((selector, OA.exact, Literal(span.text)))
        return node

    def names(self, ids: Iterable[str]) -> str:
        return " and ".join(self.labels[i] for i in sorted(set(ids), key=lambda i: self.labels[i]))

    # -- documents ----------------------------------------------------------------------

    def document(self, coding: Coding) -> None:
        doc = coding.document
        if coding.source == "automatic":
            self.automatic.add(doc.id)
        g = self.graph(doc.id)
        node = iris.document_iri(self.base, doc.id)
        g.add((node, RDF.type, DIP.SourceDocument))
        g.add((node, DCTERMS.identifier, Literal(doc.id)))
        g.add((node, DCTERMS.title, Literal(doc.title, lang=doc.language)))
        g.add((node, RDFS.label, Literal(doc.title, lang=doc.language)))
        g.add((node, DCTERMS.language, Literal(doc.language)))
        g.add((node, DIP.kind, Literal(doc.kind)))
        g.add((node, DIP.codingSource, Literal(coding.source)))
        g.add((node, DIP.text, Literal(doc.text)))
        if doc.url is not None:
            g.add((node, DCTERMS.source, URIRef(doc.url)))
        if doc.published is not None:
            g.add((node, DCTERMS.issued, date_literal(doc.published)))
            g.add((node, DIP.datePrecision, concept("date-precision", doc.published.precision)))
            g.add((node, DIP.earliest, Literal(doc.published.earliest, datatype=XSD.date)))
            g.add((node, DIP.latest, Literal(doc.published.latest, datatype=XSD.date)))

    # -- events -------------------------------------------------------------------------

    def event(self, node: EventNode) -> None:
        labelled = False
        seen_participants: set[str] = set()
        for member in node.members:
            g = self.graph(member.document_id)
            g.add((node.iri, RDF.type, DIP.Event))
            g.add((node.iri, RDF.type, EVENT_CLASSES[member.type]))
            g.add((node.iri, DIP.eventType, concept("event-type", member.type)))
            self.add_evidence(g, node.iri, member.evidence)
            self.add_confidence(g, node.iri, member)
            if member.note:
                g.add((node.iri, SKOS.editorialNote, Literal(member.note, lang="en")))
            if not labelled and member is node.primary:
                labelled = True
                self.once(node, g, RDFS.label, Literal(self.event_label(node), lang="en"))
            for part in member.participants:
                p_iri = iris.participation_iri(node.iri, part.actor)
                g.add((node.iri, DIP.participant, self.actor(part.actor)))
                g.add((node.iri, DIP.qualifiedParticipation, p_iri))
                g.add((p_iri, RDF.type, DIP.Participation))
                g.add((p_iri, DIP.agent, self.actor(part.actor)))
                self.add_evidence(g, p_iri, part.evidence)
                if part.actor in seen_participants or RDFS.label in node.skip:
                    continue  # a stored event keeps its participations' details
                seen_participants.add(part.actor)
                g.add(
                    (
                        p_iri,
                        RDFS.label,
                        Literal(self.participation_label(part.actor, node), lang="en"),
                    )
                )
                g.add((p_iri, DIP.participantRole, concept("participant-role", part.role)))
                if part.office:
                    g.add((p_iri, DIP.inOffice, self.actor(part.office)))
                if part.represents:
                    g.add((p_iri, DIP.represents, self.actor(part.represents)))
        if node.date is not None:
            self.add_date(self.graph(node.date.document_id), node.iri, node.date.value, node.skip)
        elif node.earliest is not None:
            self.once(
                node,
                self.graph(node.earliest.document_id),
                DIP.earliest,
                Literal(node.earliest.value, datatype=XSD.date),
            )
        self.add_sourced(node, DIP.location, node.location, self.place)
        self.add_sourced(node, DIP.partOf, node.part_of, lambda v: v)
        self.add_sourced(node, DIP.eventStatus, node.status, lambda v: concept("event-status", v))
        for document_id, match in node.reasons.items():
            self.merge_reason(node, document_id, match)

    def merge_reason(self, node: EventNode, document_id: str, match: EventMatch) -> None:
        """Why a document's report joined the event: a qualified derivation from the
        document, with what matched and the score, in that document's graph."""
        g = self.graph(document_id)
        reason = iris.merge_reason_iri(node.iri, document_id)
        g.add((node.iri, PROV.qualifiedDerivation, reason))
        g.add((reason, RDF.type, DIP.MergeReason))
        g.add((reason, RDF.type, PROV.Derivation))
        g.add((reason, PROV.entity, iris.document_iri(self.base, document_id)))
        label = f"Why {document_id} reports {self.event_label(node)}"
        g.add((reason, RDFS.label, Literal(label, lang="en")))
        score = Decimal(str(round(match.score, 2)))
        g.add((reason, DIP.matchScore, Literal(score, datatype=XSD.decimal)))
        if match.type is not None:
            g.add((reason, DIP.matchedType, concept("event-type", match.type)))
        for actor_id in sorted(match.participants):
            g.add((reason, DIP.matchedParticipant, self.actor(actor_id)))
        if match.date is not None:
            g.add((reason, DIP.matchedDate, date_literal(match.date)))
        if match.place is not None:
            g.add((reason, DIP.matchedPlace, self.place(match.place)))

    def add_event_links(self, node: Node, resolution: Resolution) -> None:  # type: ignore[type-arg]
        """``dip:atEvent`` of a demand or statement: its one event, in the graph of every
        member placed at it (members placed elsewhere are the node's ``elsewhere``)."""
        if node.at is None:
            return
        for member in node.members:
            if resolution.event_ref(member.document_id, member.at) == node.at:
                self.graph(member.document_id).add((node.iri, DIP.atEvent, node.at))

    def place(self, place_id: str) -> URIRef:
        return iris.place_iri(self.base, place_id)

    def add_sourced(self, node: Node, predicate: URIRef, value: Sourced | None, term) -> None:  # type: ignore[no-untyped-def,type-arg]
        if value is not None:
            self.once(node, self.graph(value.document_id), predicate, term(value.value))

    def event_label(self, node: EventNode) -> str:
        lead = node.primary
        named = next((m.name for m in node.members if m.name), None)
        if named:
            return f"{named}, {node.date.value.iso}" if node.date else named
        kind = lead.type.replace("_", " ")
        actors = self.names(a for m in node.members for a in m.actor_ids)
        text = f"{kind.capitalize()} of {actors}" if actors else kind.capitalize()
        if node.status and node.status.value == "planned":
            text = f"Planned {text[0].lower()}{text[1:]}"
        if node.date:
            text += f", {node.date.value.iso}"
        elif node.location:
            text += f", {self.registry.places[node.location.value].label}"
        return text

    def participation_label(self, actor_id: str, node: EventNode) -> str:
        return f"{self.labels[actor_id]} in {self.event_label(node)}"

    # -- commitments --------------------------------------------------------------------

    def commitment(
        self,
        node: Node,  # type: ignore[type-arg]
        rdf_type: URIRef,
        roles: Sequence[tuple[URIRef, str]],
        kind: tuple[URIRef, str],
    ) -> None:
        """What pledges and demands share: type, topics, parties, evidence, notes, content,
        kind, label and date. ``roles`` pairs a property with the record field of its actors;
        the first role names the label."""
        for member in node.members:
            g = self.graph(member.document_id)
            g.add((node.iri, RDF.type, rdf_type))
            for topic in member.topics:
                g.add((node.iri, DIP.topic, concept("topic", topic)))
            for role, field in roles:
                for actor_id in getattr(member, field):
                    g.add((node.iri, role, self.actor(actor_id)))
            self.add_evidence(g, node.iri, member.evidence)
            self.add_confidence(g, node.iri, member)
            if member.note:
                g.add((node.iri, SKOS.editorialNote, Literal(member.note, lang="en")))
        lead = node.primary
        g = self.graph(lead.document_id)
        self.once(node, g, kind[0], concept(kind[1], lead.kind))
        self.once(node, g, DIP.content, Literal(lead.content, lang="en"))
        first = self.names(a for m in node.members for a in getattr(m, roles[0][1]))
        self.once(node, g, RDFS.label, Literal(f"{first}: {lead.content}", lang="en"))
        if node.date is not None:
            self.add_date(self.graph(node.date.document_id), node.iri, node.date.value, node.skip)

    def pledge(self, node: PledgeNode, resolution: Resolution) -> None:
        self.commitment(
            node,
            DIP.Pledge,
            [
                (DIP.maker, "makers"),
                (DIP.onBehalfOf, "on_behalf_of"),
                (DIP.recipient, "recipients"),
            ],
            (DIP.commitmentKind, "commitment-kind"),
        )
        lead = node.primary
        self.add_sourced(node, DIP.madeAt, node.made_at, lambda v: v)
        self.add_sourced(node, DIP.status, node.status, lambda v: concept("pledge-status", v))
        for step_iri, step, at in node.steps:
            g = self.graph(step.document_id)
            g.add((node.iri, DIP.statusStep, step_iri))
            g.add((step_iri, RDF.type, DIP.StatusStep))
            g.add((step_iri, DIP.status, concept("pledge-status", step.status)))
            label = f"{step.status.capitalize()}: {lead.content}"
            g.add((step_iri, RDFS.label, Literal(label, lang="en")))
            g.add((step_iri, DIP.reportedIn, iris.document_iri(self.base, step.document_id)))
            if step.date is not None:
                self.add_date(g, step_iri, step.date)
            if at is not None:
                g.add((step_iri, DIP.atEvent, at))
            for actor_id in step.by:
                g.add((step_iri, DIP.stepActor, self.actor(actor_id)))
            self.add_evidence(g, step_iri, step.evidence)

    def demand(self, node: Node, resolution: Resolution) -> None:  # type: ignore[type-arg]
        self.commitment(
            node,
            DIP.Demand,
            [
                (DIP.requester, "requesters"),
                (DIP.onBehalfOf, "on_behalf_of"),
                (DIP.addressee, "addressees"),
            ],
            (DIP.demandKind, "demand-kind"),
        )
        self.add_event_links(node, resolution)

    def responses(self, coding: Coding, demands: dict[tuple[str, str], Node]) -> None:  # type: ignore[type-arg]
        """A document's responses, each under the demand node its demand resolved to, in
        that document's graph (a response is one document's report: never merged)."""
        counts: dict[URIRef, int] = {}
        for response in coding.responses:
            node = demands[(response.document_id, response.demand)]
            counts[node.iri] = counts.get(node.iri, 0) + 1
            iri = iris.response_iri(node.iri, response.document_id, counts[node.iri])
            self.response(iri, response, node)

    def response(self, iri: URIRef, response: Response, demand: Node) -> None:  # type: ignore[type-arg]
        g = self.graph(response.document_id)
        g.add((iri, RDF.type, DIP.Response))
        g.add((iri, DIP.respondsTo, demand.iri))
        g.add((iri, DIP.responseKind, concept("response-kind", response.kind)))
        for actor_id in response.responders:
            g.add((iri, DIP.responder, self.actor(actor_id)))
        kind = response.kind.replace("_", " ").capitalize()
        label = f"{kind} by {self.names(response.responders)}: {demand.primary.content}"
        g.add((iri, RDFS.label, Literal(label, lang="en")))
        if response.date is not None:
            self.add_date(g, iri, response.date)
        self.add_evidence(g, iri, response.evidence)
        self.add_confidence(g, iri, response)
        if response.note:
            g.add((iri, SKOS.editorialNote, Literal(response.note, lang="en")))

    def statement(self, node: Node, resolution: Resolution) -> None:  # type: ignore[type-arg]
        for member in node.members:
            g = self.graph(member.document_id)
            g.add((node.iri, RDF.type, DIP.Statement))
            g.add((node.iri, DIP.speaker, self.actor(member.speaker)))
            for topic in member.topics:
                g.add((node.iri, DIP.topic, concept("topic", topic)))
            self.add_evidence(g, node.iri, member.evidence)
            self.add_confidence(g, node.iri, member)
            if member.note:
                g.add((node.iri, SKOS.editorialNote, Literal(member.note, lang="en")))
        self.add_event_links(node, resolution)
        lead = node.primary
        g = self.graph(lead.document_id)
        self.once(node, g, DIP.quote, Literal(lead.quote))
        short = lead.quote if len(lead.quote) <= 80 else lead.quote[:79] + "…"
        label = f"{self.labels[lead.speaker]}: \u201c{short}\u201d"
        self.once(node, g, RDFS.label, Literal(label, lang="en"))
        if node.date is not None:
            self.add_date(self.graph(node.date.document_id), node.iri, node.date.value, node.skip)


def map_registry(
    registry: Registry,
    base: str,
    actors: Iterable[Actor] | None = None,
    places: Iterable[Place] | None = None,
) -> Graph:
    """The registry graph: actors, offices, office terms and places (all of the registry's,
    or only ``actors`` and ``places``, e.g. the provisional ones an ingest introduces)."""
    g = Graph()
    for actor in registry.actors.values() if actors is None else actors:
        node = iris.actor_iri(base, actor.id)
        g.add((node, RDF.type, DIP.Actor))
        g.add((node, RDF.type, ACTOR_CLASSES[actor.kind]))
        g.add((node, RDFS.label, Literal(actor.label, lang="en")))
        for alias in actor.aliases:
            g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
        for metonym in actor.metonyms:
            g.add((node, DIP.metonym, Literal(metonym, lang="en")))
        if actor.wikidata:
            g.add((node, OWL.sameAs, WD[actor.wikidata]))
        if actor.country:
            g.add((node, DIP.country, iris.actor_iri(base, actor.country)))
        if actor.office_of:
            g.add((node, DIP.officeOf, iris.actor_iri(base, actor.office_of)))
        if actor.is_provisional:
            g.add((node, DIP.isProvisional, Literal(True)))
        for term in actor.terms:
            t = iris.office_term_iri(base, actor.id, term.office)
            g.add((node, DIP.officeTerm, t))
            g.add((t, RDF.type, DIP.OfficeTerm))
            office_label = registry.actors[term.office].label
            g.add((t, RDFS.label, Literal(f"{actor.label}, {office_label}", lang="en")))
            g.add((t, DIP.office, iris.actor_iri(base, term.office)))
            if term.start:
                g.add((t, DIP.start, date_literal(term.start)))
            if term.end:
                g.add((t, DIP.end, date_literal(term.end)))
    for place in registry.places.values() if places is None else places:
        node = iris.place_iri(base, place.id)
        g.add((node, RDF.type, DIP.Place))
        g.add((node, RDFS.label, Literal(place.label, lang="en")))
        for alias in place.aliases:
            g.add((node, SKOS.altLabel, Literal(alias, lang="en")))
        if place.parent:
            g.add((node, DIP.locatedIn, iris.place_iri(base, place.parent)))
        path = [place.label] + [
            registry.places[p].label for p in registry.place_ancestors(place.id)
        ]
        g.add((node, DIP.hierarchyLabel, Literal(", ".join(path), lang="en")))
        if place.wikidata:
            g.add((node, OWL.sameAs, WD[place.wikidata]))
    return g


def map_retirements(records: Iterable[Retirement]) -> Graph:
    """The graph of retired IRIs' new records: each IRI a ``dip:RetiredResource``, with
    ``dcterms:isReplacedBy`` what replaced it, if anything did (docs/model.md, "Retired IRIs")."""
    g = Graph()
    for record in records:
        g.add((record.iri, RDF.type, DIP.RetiredResource))
        if record.replacement is not None:
            g.add((record.iri, DCTERMS.isReplacedBy, record.replacement))
    return g


def change_node(change: Change, base: str) -> URIRef:
    """The IRI of a change's record: its start time, told apart by what it did."""
    stamp = change.started.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    did = (change.kind, *change.added, *change.replaced, *change.removed, *change.graphs)
    return iris.change_iri(base, stamp, *did)


def map_change(change: Change, base: str) -> Graph:
    """The record of one change in the graph of changes: a ``dip:Change`` (a PROV activity)
    with its kind, times, agent, documents, triple counts, software version and note."""
    g = Graph()
    node = change_node(change, base)
    documents = (
        (DIP.documentAdded, change.added),
        (DIP.documentReplaced, change.replaced),
        (DIP.documentRemoved, change.removed),
    )
    g.add((node, RDF.type, DIP.Change))
    named = [*change.added, *change.replaced, *change.removed] or list(change.graphs)
    what = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
    label = f"{change.kind.capitalize()} of {what}" if what else change.kind.capitalize()
    g.add((node, RDFS.label, Literal(label, lang="en")))
    g.add((node, DIP.changeKind, concept("change-kind", change.kind)))
    g.add((node, PROV.startedAtTime, Literal(change.started, datatype=XSD.dateTime)))
    g.add((node, PROV.endedAtTime, Literal(change.ended, datatype=XSD.dateTime)))
    g.add((node, DIP.changedBy, Literal(change.agent)))
    for predicate, ids in documents:
        for document_id in ids:
            g.add((node, predicate, iris.document_iri(base, document_id)))
    for graph in change.graphs:
        g.add((node, DIP.graphLoaded, URIRef(graph)))
    g.add((node, DIP.triplesAdded, Literal(change.triples_added, datatype=XSD.integer)))
    g.add((node, DIP.triplesRemoved, Literal(change.triples_removed, datatype=XSD.integer)))
    g.add((node, DIP.softwareVersion, Literal(change.version)))
    if change.note:
        g.add((node, SKOS.editorialNote, Literal(change.note, lang="en")))
    return g


def map_codings(
    codings: Sequence[Coding], resolution: Resolution, registry: Registry, base: str
) -> Dataset:
    """Map resolved codings to a Dataset with one named graph per document.

    Args:
        codings: every document's coding (the same the resolution was made from).
        resolution: the output of :func:`kg.resolve.resolve`.
        registry: for labels and places.
        base: the deployment's base IRI.
    """
    dataset = Dataset()
    mapper = _Mapper(dataset, registry, base)
    for coding in codings:
        mapper.document(coding)
    for event in resolution.events:
        mapper.event(event)
    for pledge in resolution.pledges:
        mapper.pledge(pledge, resolution)
    demands = {}
    for demand in resolution.demands:
        mapper.demand(demand, resolution)
        demands.update({(m.document_id, m.key): demand for m in demand.members})
    for coding in codings:
        mapper.responses(coding, demands)
    for statement in resolution.statements:
        mapper.statement(statement, resolution)
    return dataset
