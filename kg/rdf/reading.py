"""RDF -> records: a stored document's named graph read back as the coding it was mapped from.

The inverse of :func:`kg.rdf.mapping.map_codings` for one document (docs/model.md): the
document, its events, pledges, demands, statements and responses, and the provisional actors
and places its graph declares. What the mapping writes once for a node several documents
report (:data:`kg.rdf.mapping.KEPT_ONCE`: label, content, status, place, participation
details...) is read from the document's own graph, else from ``context`` (the other
documents' graphs). A node's date is written only in the graph of the report with the best
date; another report's own date is not in the graph, so it is read back as what its merge
reason says it agreed on (the same date, or the month or year around it), which maps back to
the same graph. Record keys are not stored: they are minted again (``e1``, ``p1``, ... in
the order of the first evidence span). Pure: graphs in, records out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg import iris
from kg.rdf.mapping import ACTOR_CLASSES, EVENT_CLASSES, date_literal
from kg.records import (
    Actor,
    Coding,
    DateValue,
    Demand,
    Document,
    Event,
    OfficeTerm,
    Participation,
    Place,
    Pledge,
    Response,
    Span,
    Statement,
    StatusStep,
)
from kg.sources.registry import Registry
from kg.vocab import DIP, DIPC, OA, WD

_KINDS = {cls: kind for kind, cls in ACTOR_CLASSES.items()}
_EVENT_CLASSES = frozenset(EVENT_CLASSES.values())


@dataclass(frozen=True, slots=True)
class StoredCoding:
    """A document's coding read from its graph, with the provisional actors and places the
    graph declares."""

    coding: Coding
    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()


class GraphReadError(ValueError):
    """The graph is not one the mapping writes (a missing document node or fact type)."""


def read_coding(
    graph: Graph,
    document_id: str,
    registry: Registry,
    base: str,
    context: Graph | None = None,
) -> StoredCoding:
    """The coding of ``document_id`` as its named graph ``graph`` states it.

    Args:
        graph: the document's named graph (``iris.document_graph_iri(base, document_id)``).
        registry: the registry the graph was mapped with (actor and place ids).
        base: the deployment's base IRI.
        context: the triples other documents' graphs state of this graph's subjects.

    Raises:
        GraphReadError: the graph has no document node, or a fact lacks what every fact has.
    """
    return _Reader(graph, document_id, registry, base, context or Graph()).read()


class _Reader:
    def __init__(
        self, g: Graph, document_id: str, registry: Registry, base: str, context: Graph
    ) -> None:
        self.g, self.context, self.base = g, context, base
        self.document_id = document_id
        self.registry = registry
        self.actor_ids = {iris.actor_iri(base, a): a for a in registry.actors}
        self.place_ids = {iris.place_iri(base, p): p for p in registry.places}
        self.keys: dict[URIRef, str] = {}

    # -- terms --------------------------------------------------------------------------

    def one(self, subject: Node, predicate: URIRef, shared: bool = False) -> Node | None:
        """The value in the document's graph, else (``shared``) in the other graphs."""
        values = sorted(self.g.objects(subject, predicate), key=str)
        if not values and shared:
            values = sorted(self.context.objects(subject, predicate), key=str)
        return values[0] if values else None

    def text(self, subject: Node, predicate: URIRef, shared: bool = False) -> str | None:
        value = self.one(subject, predicate, shared)
        return None if value is None else str(value)

    def actor(self, node: Node) -> str:
        return self.actor_ids.get(node) or str(node).removeprefix(f"{self.base}actor/")  # type: ignore[call-overload]

    def actors(self, subject: Node, predicate: URIRef) -> tuple[str, ...]:
        return tuple(sorted(self.actor(a) for a in self.g.objects(subject, predicate)))

    def place(self, node: Node) -> str:
        return self.place_ids.get(node) or str(node).removeprefix(f"{self.base}place/")  # type: ignore[call-overload]

    @staticmethod
    def notation(node: Node | None, scheme: str) -> str | None:
        return None if node is None else str(node).removeprefix(f"{DIPC}{scheme}/")

    def notations(self, subject: Node, predicate: URIRef, scheme: str) -> tuple[str, ...]:
        """The notations of ``subject``'s concepts; first the one its IRI ends with (a
        pledge's or demand's IRI names its first topic)."""
        found = sorted(self.notation(t, scheme) or "" for t in self.g.objects(subject, predicate))
        return tuple(sorted(found, key=lambda n: not str(subject).endswith(n.replace("_", "-"))))

    def evidence(self, subject: Node) -> tuple[Span, ...]:
        spans = []
        for node in self.g.objects(subject, PROV.wasDerivedFrom):
            selector = self.one(node, OA.hasSelector)
            start, end = self.one(selector, OA.start), self.one(selector, OA.end)  # type: ignore[arg-type]
            exact = self.one(selector, OA.exact)  # type: ignore[arg-type]
            if start is None or end is None or exact is None:
                continue  # a document node, not a span (a merge reason's entity)
            spans.append(Span(self.document_id, int(str(start)), int(str(end)), str(exact)))
        return tuple(sorted(spans, key=lambda s: (s.start, s.end)))

    def notes(self, subject: Node) -> list[str]:
        return sorted(str(n) for n in self.g.objects(subject, SKOS.editorialNote))

    def date(
        self, subject: Node, graph: Graph | None = None, note: str | None = None
    ) -> DateValue | None:
        """The date the mapping wrote of ``subject`` in ``graph`` (the document's)."""
        g = self.g if graph is None else graph
        value = next(iter(sorted(g.objects(subject, DIP.date), key=str)), None)
        if value is None:
            return None
        basis = self.notation(next(g.objects(subject, DIP.dateBasis), None), "date-basis")
        precision = self.notation(
            next(g.objects(subject, DIP.datePrecision), None), "date-precision"
        )
        edtf = next(g.objects(subject, DIP.edtfDate), None)
        return _date(str(value), precision or "day", basis or "stated", note, edtf)

    def key(self, node: Node | None) -> str | None:
        return None if node is None else self.keys.get(node)  # type: ignore[call-overload]

    # -- the coding ---------------------------------------------------------------------

    def read(self) -> StoredCoding:
        node = iris.document_iri(self.base, self.document_id)
        if (node, RDF.type, DIP.SourceDocument) not in self.g:
            raise GraphReadError(f"The graph of {self.document_id} has no document node.")
        published = self.one(node, DCTERMS.issued)
        precision = self.notation(self.one(node, DIP.datePrecision), "date-precision")
        title = self.one(node, DCTERMS.title)
        document = Document(
            id=self.document_id,
            text=self.text(node, DIP.text) or "",
            title=str(title or self.document_id),
            published=None if published is None else _date(str(published), precision or "day"),
            language=self.text(node, DCTERMS.language) or "en",
            kind=self.text(node, DIP.kind) or "news article",
            url=self.text(node, DCTERMS.source),
        )
        source = self.text(node, DIP.codingSource) or "curated"
        event_nodes = self.ordered(DIP.Event, "e")
        pledge_nodes = self.ordered(DIP.Pledge, "p")
        demand_nodes = self.ordered(DIP.Demand, "d")
        statement_nodes = self.ordered(DIP.Statement, "s")
        coding = Coding(
            document,
            events=tuple(self.event(n) for n in event_nodes),
            pledges=tuple(self.pledge(n) for n in pledge_nodes),
            demands=tuple(self.demand(n) for n in demand_nodes),
            statements=tuple(self.statement(n) for n in statement_nodes),
            source=source,
            responses=tuple(self.responses()),
        )
        return StoredCoding(coding, tuple(self.provisional()), tuple(self.places()))

    def ordered(self, rdf_type: URIRef, prefix: str) -> list[URIRef]:
        """The graph's nodes of a type in the order of their first evidence, keyed."""
        nodes = [n for n in self.g.subjects(RDF.type, rdf_type) if isinstance(n, URIRef)]
        nodes.sort(key=lambda n: ([(s.start, s.end) for s in self.evidence(n)][:1], str(n)))
        for i, n in enumerate(nodes, 1):
            self.keys[n] = f"{prefix}{i}"
        return nodes

    def confidence(self, subject: Node) -> float:
        value = self.one(subject, DIP.confidence)
        return 1.0 if value is None else float(str(value))

    def fact_date(self, subject: Node, notes: list[str]) -> tuple[DateValue | None, str | None]:
        """A fact's date and note: the fact's own date in the document's graph shares
        ``skos:editorialNote`` with the fact (which note is whose does not change the graph)."""
        note = notes[0] if notes else None
        own = self.date(subject, note=notes[1] if len(notes) > 1 else None)
        if own is not None:
            return own, note
        return self.shared_date(subject), note

    def shared_date(self, subject: Node) -> DateValue | None:
        """A report's date that another document's graph holds (the node's best date): the
        same if its merge reason says the two agreed exactly, else the month or year around
        it (a report that is not the best one has the coarser date)."""
        best = self.date(subject, self.context)
        if best is None:
            return None
        reason = iris.merge_reason_iri(subject, self.document_id)  # type: ignore[arg-type]
        score, matched = self.one(reason, DIP.matchScore), self.one(reason, DIP.matchedDate)
        if score is not None and matched is not None and matched == date_literal(best):
            # type and participants agree across documents; two places nested (read so)
            place = 0.5 if self.one(reason, DIP.matchedPlace) is not None else 0.0
            exact = float(str(score)) * (3 + bool(place)) - 2 - place
            if abs(exact - 1.0) < 0.05:
                return best
        return _coarser(best)

    def location(self, node: URIRef) -> URIRef | None:
        """The event's place: the document's graph states the most specific report's; a
        report that agreed on a place with another (a merge reason's ``dip:matchedPlace``)
        had the place around it."""
        own = self.one(node, DIP.location)
        if own is not None:
            return own  # type: ignore[return-value]
        reasons = [*self.g.objects(node, PROV.qualifiedDerivation)]
        reasons += [*self.context.objects(node, PROV.qualifiedDerivation)]
        for reason in reasons:
            matched = self.one(reason, DIP.matchedPlace, shared=True)
            if matched is not None:
                parent = self.registry.places.get(self.place(matched))
                if parent is not None and parent.parent is not None:
                    return iris.place_iri(self.base, parent.parent)
        return None

    def event(self, node: URIRef) -> Event:
        participants = []
        for p in self.g.objects(node, DIP.qualifiedParticipation):
            office = self.one(p, DIP.inOffice, shared=True)
            represents = self.one(p, DIP.represents, shared=True)
            role = self.notation(self.one(p, DIP.participantRole, shared=True), "participant-role")
            participants.append(
                Participation(
                    self.actor(self.one(p, DIP.agent)),  # type: ignore[arg-type]
                    office=None if office is None else self.actor(office),
                    represents=None if represents is None else self.actor(represents),
                    role=role or "participant",
                    evidence=self.evidence(p),
                )
            )
        participants.sort(key=lambda p: p.actor)
        kind = self.notation(self.one(node, DIP.eventType), "event-type")
        if kind is None:
            raise GraphReadError(f"{node} in the graph of {self.document_id} has no event type.")
        notes = self.notes(node)
        date, note = self.fact_date(node, notes)
        earliest = None
        if date is None and (found := self.one(node, DIP.earliest, shared=True)) is not None:
            earliest = dt.date.fromisoformat(str(found))
        location = self.location(node)
        status = self.notation(self.one(node, DIP.eventStatus, shared=True), "event-status")
        event = Event(
            key=self.keys[node],
            document_id=self.document_id,
            type=kind,
            status=status or "held",
            participants=tuple(participants),
            evidence=self.evidence(node),
            date=date,
            earliest=earliest,
            location=None if location is None else self.place(location),
            part_of=self.key(self.one(node, DIP.partOf, shared=True)),
            note=note,
            confidence=self.confidence(node),
        )
        return _named(event, self.text(node, RDFS.label, shared=True), self.registry)

    def pledge(self, node: URIRef) -> Pledge:
        steps = []
        for step in self.g.objects(node, DIP.statusStep):
            n = int(str(step).rpartition("-")[2])
            steps.append(
                (
                    n,
                    StatusStep(
                        self.notation(self.one(step, DIP.status), "pledge-status") or "made",
                        self.document_id,
                        self.evidence(step),
                        date=self.date(step, note=next(iter(self.notes(step)), None)),
                        at=self.key(self.one(step, DIP.atEvent)),
                        by=self.actors(step, DIP.stepActor),
                    ),
                )
            )
        steps.sort(key=lambda s: s[0])
        date, note = self.fact_date(node, self.notes(node))
        return Pledge(
            key=self.keys[node],
            document_id=self.document_id,
            kind=self.notation(self.one(node, DIP.commitmentKind, shared=True), "commitment-kind")
            or "pledge",
            makers=self.actors(node, DIP.maker),
            content=self.text(node, DIP.content, shared=True) or "",
            topics=self.notations(node, DIP.topic, "topic"),
            steps=tuple(s for _, s in steps),
            on_behalf_of=self.actors(node, DIP.onBehalfOf),
            recipients=self.actors(node, DIP.recipient),
            made_at=self.key(self.one(node, DIP.madeAt, shared=True)),
            date=date,
            note=note,
            confidence=self.confidence(node),
        )

    def demand(self, node: URIRef) -> Demand:
        date, note = self.fact_date(node, self.notes(node))
        return Demand(
            key=self.keys[node],
            document_id=self.document_id,
            kind=self.notation(self.one(node, DIP.demandKind, shared=True), "demand-kind")
            or "demand",
            requesters=self.actors(node, DIP.requester),
            content=self.text(node, DIP.content, shared=True) or "",
            topics=self.notations(node, DIP.topic, "topic"),
            evidence=self.evidence(node),
            on_behalf_of=self.actors(node, DIP.onBehalfOf),
            addressees=self.actors(node, DIP.addressee),
            at=self.key(self.one(node, DIP.atEvent)),
            date=date,
            note=note,
            confidence=self.confidence(node),
        )

    def statement(self, node: URIRef) -> Statement:
        date, note = self.fact_date(node, self.notes(node))
        speaker = self.one(node, DIP.speaker)
        if speaker is None:
            raise GraphReadError(f"{node} in the graph of {self.document_id} has no speaker.")
        return Statement(
            key=self.keys[node],
            document_id=self.document_id,
            speaker=self.actor(speaker),
            quote=self.text(node, DIP.quote, shared=True) or "",
            evidence=self.evidence(node),
            at=self.key(self.one(node, DIP.atEvent)),
            date=date,
            topics=self.notations(node, DIP.topic, "topic"),
            note=note,
            confidence=self.confidence(node),
        )

    def responses(self) -> Iterable[Response]:
        nodes = sorted(
            (n for n in self.g.subjects(RDF.type, DIP.Response) if isinstance(n, URIRef)),
            key=lambda n: (str(self.one(n, DIP.respondsTo)), int(str(n).rpartition("-")[2])),
        )
        for i, node in enumerate(nodes, 1):
            notes = self.notes(node)
            yield Response(
                key=f"r{i}",
                document_id=self.document_id,
                demand=self.key(self.one(node, DIP.respondsTo)) or "",
                kind=self.notation(self.one(node, DIP.responseKind), "response-kind") or "",
                responders=self.actors(node, DIP.responder),
                evidence=self.evidence(node),
                date=self.date(node, note=notes[1] if len(notes) > 1 else None),
                note=notes[0] if notes else None,
                confidence=self.confidence(node),
            )

    # -- what the graph declares of the registry ---------------------------------------

    def provisional(self) -> Iterable[Actor]:
        for node in sorted(self.g.subjects(DIP.isProvisional, Literal(True)), key=str):
            kind = next(
                (
                    _KINDS[t]
                    for t in self.g.objects(node, RDF.type)
                    if isinstance(t, URIRef) and t in _KINDS
                ),
                "person",
            )
            terms = []
            for term in sorted(self.g.objects(node, DIP.officeTerm), key=str):
                start, end = self.one(term, DIP.start), self.one(term, DIP.end)
                terms.append(
                    OfficeTerm(
                        self.actor(self.one(term, DIP.office)),  # type: ignore[arg-type]
                        None if start is None else _lexical_date(start),
                        None if end is None else _lexical_date(end),
                    )
                )
            wikidata = self.one(node, OWL.sameAs)
            country, office_of = self.one(node, DIP.country), self.one(node, DIP.officeOf)
            yield Actor(
                id=self.actor(node),
                label=self.text(node, RDFS.label) or self.actor(node),
                kind=kind,
                aliases=tuple(sorted(str(a) for a in self.g.objects(node, SKOS.altLabel))),
                metonyms=tuple(sorted(str(m) for m in self.g.objects(node, DIP.metonym))),
                wikidata=None if wikidata is None else str(wikidata).removeprefix(str(WD)),
                country=None if country is None else self.actor(country),
                office_of=None if office_of is None else self.actor(office_of),
                terms=tuple(terms),
                is_provisional=True,
            )

    def places(self) -> Iterable[Place]:
        for node in sorted(self.g.subjects(RDF.type, DIP.Place), key=str):
            parent, wikidata = self.one(node, DIP.locatedIn), self.one(node, OWL.sameAs)
            yield Place(
                id=self.place(node),
                label=self.text(node, RDFS.label) or self.place(node),
                parent=None if parent is None else self.place(parent),
                aliases=tuple(sorted(str(a) for a in self.g.objects(node, SKOS.altLabel))),
                wikidata=None if wikidata is None else str(wikidata).removeprefix(str(WD)),
            )


def _date(
    lexical: str,
    precision: str,
    basis: str = "stated",
    note: str | None = None,
    edtf: Node | None = None,
) -> DateValue:
    """A date from its literal and precision (a week is written as its Monday).

    >>> _date("2024-04-01", "week").iso
    '2024-W14'
    """
    if edtf is not None:
        return DateValue.parse_edtf(str(edtf), basis, note)
    if precision == "week":
        year, week, _ = dt.date.fromisoformat(lexical).isocalendar()
        lexical = f"{year:04d}-W{week:02d}"
    return DateValue.parse(lexical, basis, note)


def _lexical_date(value: Node) -> DateValue:
    datatype = value.datatype if isinstance(value, Literal) else None
    precision = {XSD.gYear: "year", XSD.gYearMonth: "month"}.get(datatype, "day")  # type: ignore[arg-type]
    return _date(str(value), precision)


def _coarser(value: DateValue) -> DateValue:
    """The month or year around a date (a year stays itself).

    >>> _coarser(DateValue.parse("2023-11-15")).iso
    '2023-11'
    """
    if value.precision == "day" and value.edtf is None:
        return DateValue.parse(value.iso[:7], value.basis)
    if value.precision != "year" or value.edtf is not None:
        return DateValue.parse(str(value.earliest.year), value.basis)
    return value


def _named(event: Event, label: str | None, registry: Registry) -> Event:
    """The event with the name its label gives, when the label is not the one the mapping
    makes of an unnamed event (``Meeting of ...``, ``Planned ...``)."""
    if label is None:
        return event
    kind = event.type.replace("_", " ").capitalize()
    if label.startswith((f"{kind} of ", f"Planned {kind[0].lower()}{kind[1:]}")) or label in (
        kind,
        f"{kind}, {event.date.iso if event.date else ''}",
    ):
        return event
    suffix = f", {event.date.iso}" if event.date else ""
    name = label.removesuffix(suffix) if suffix and label.endswith(suffix) else label
    return dataclasses.replace(event, name=name)
