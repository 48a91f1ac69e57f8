"""Cross-document resolution: the same event, pledge, demand or statement reported by several
documents becomes one node, and every node gets its IRI.

Rules (docs/model.md, "Cross-document resolution"): events match on type, participants and
compatible dates; pledges on parties, a shared topic and the same event or compatible dates;
demands likewise; statements on speaker and quote. Single-valued attributes keep the best value
(the most precise date, the most specific place) together with the document that supplied it,
so the mapping can put each triple in the graph of the document that supports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from rdflib import RDFS, URIRef

from kg import iris
from kg.records import Coding, DateValue, Demand, Event, Pledge, Statement, StatusStep
from kg.resolve.rules import (
    EventMatch,
    place_within,
    same_demand,
    same_event,
    same_pledge,
    same_statement,
    step_order,
)
from kg.sources.registry import Registry
from kg.vocab import DIP

T = TypeVar("T")
R = TypeVar("R", Event, Pledge, Demand, Statement)
M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """A value and the document that supplied it."""

    value: T
    document_id: str


@dataclass(frozen=True, slots=True)
class Existing:
    """A node the store already holds that new records resolve to (see :class:`Known`).

    Attributes:
        iri: the node's IRI.
        predicates: the single-valued properties it already has (another document's graph
            supplies them, so the new document does not repeat them).
        status: its event status or current pledge status notation, if any.
        latest: for a pledge, the order key of its latest status step.
        event: for a demand or statement, the event it is already at (``dip:atEvent``).
        match: for an event, what the new records and the node agreed on.
        date: its stored date, if any.
    """

    iri: URIRef
    predicates: frozenset[URIRef] = frozenset()
    status: str | None = None
    latest: tuple[dt.date, int] | None = None
    event: URIRef | None = None
    match: EventMatch | None = None
    date: DateValue | None = None


class Known(Protocol):
    """What a store already holds, for resolving new codings against it (``dipkg ingest``).

    Each ``match_*`` gets a group of new records that resolve to one node and answers the
    existing node they are the same as (by the rules of this module), or None.
    """

    def match_event(self, group: Sequence[Event]) -> Existing | None: ...

    def match_pledge(
        self, group: Sequence[Pledge], event_of: Callable[[str, str | None], URIRef | None]
    ) -> Existing | None: ...

    def match_demand(
        self, group: Sequence[Demand], event_of: Callable[[str, str | None], URIRef | None]
    ) -> Existing | None: ...

    def match_statement(self, group: Sequence[Statement]) -> Existing | None: ...

    def is_taken(self, iri: URIRef) -> bool:
        """Whether the store already has a node with this IRI."""
        ...


@dataclass
class Node(Generic[R]):
    """One resolved fact: its IRI and every document's record of it.

    ``skip`` lists single-valued properties the mapping must not write, because the node
    already exists in the store with them (``existing``). ``at`` is the one event a demand
    or statement is at (``dip:atEvent``), written in the graph of every member placed there;
    ``elsewhere`` the events other members placed it at that did not resolve to that event
    (by document id): their link is not written, the node keeps ``at``.
    """

    iri: URIRef
    members: list[R]
    date: Sourced[DateValue] | None = None
    existing: Existing | None = None
    skip: frozenset[URIRef] = frozenset()
    at: URIRef | None = None
    elsewhere: dict[str, URIRef] = field(default_factory=dict)

    @property
    def primary(self) -> R:
        """The member whose single-valued attributes were kept (the most precise date)."""
        if self.date is None:
            return self.members[0]
        return next(m for m in self.members if m.document_id == self.date.document_id)


@dataclass
class EventNode(Node[Event]):
    """A resolved event with its best location, earliest day and status.

    ``reasons`` says why each document whose report joined the event was merged into it (by
    document id): what its report and the one it matched agreed on. The first report of a
    new event has none; with ``existing``, every member joined the stored node.
    """

    location: Sourced[str] | None = None
    earliest: Sourced[dt.date] | None = None
    status: Sourced[str] | None = None
    part_of: Sourced[URIRef] | None = None
    reasons: dict[str, EventMatch] = field(default_factory=dict)


@dataclass
class PledgeNode(Node[Pledge]):
    """A resolved pledge: its steps from every document, in date order, and its status."""

    made_at: Sourced[URIRef] | None = None
    steps: list[tuple[URIRef, StatusStep, URIRef | None]] = field(default_factory=list)
    status: Sourced[str] | None = None


@dataclass
class Resolution:
    """Every resolved node, and the IRI each document-local event id resolved to.

    ``retract`` lists (node, property) pairs whose current value, in whichever document
    graph holds it, a new document supersedes: an event reported held that was planned, a
    pledge whose newest status step is new, the date (and what the report with the best date
    supplies) of a node that a new report dates more precisely. The write removes them before
    adding. ``renames`` maps a stored node's IRI to the one it takes because of such a date
    (:func:`redated_iri`): every graph that names it is rewritten in the same write.
    """

    events: list[EventNode]
    pledges: list[PledgeNode]
    demands: list[Node[Demand]]
    statements: list[Node[Statement]]
    event_iris: dict[tuple[str, str], URIRef]
    retract: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    renames: dict[URIRef, URIRef] = field(default_factory=dict)

    @property
    def nodes(self) -> list[Node]:  # type: ignore[type-arg]
        """Every resolved event, pledge, demand and statement."""
        return [*self.events, *self.pledges, *self.demands, *self.statements]

    def event_ref(self, document_id: str, key: str | None) -> URIRef | None:
        """The IRI of a document's local event id."""
        return None if key is None else self.event_iris[(document_id, key)]


def resolve(
    codings: Sequence[Coding], registry: Registry, base: str, known: Known | None = None
) -> Resolution:
    """Merge the facts of all codings into resolved nodes with IRIs.

    Args:
        codings: one per document; order decides ties (sort by document id for stability).
        registry: places for location specificity.
        base: the deployment's base IRI.
        known: what the store already holds; a group that matches an existing node takes
            its IRI (and adds to it), new IRIs avoid the store's.
    """
    ordered = sorted(codings, key=lambda c: c.document.id)
    joined: dict[int, EventMatch] = {}
    event_groups = _cluster(
        [e for c in ordered for e in c.events],
        lambda a, b: same_event(a, b, registry),
        joined,
    )
    event_iris: dict[tuple[str, str], URIRef] = {}
    events: list[EventNode] = []
    taken = _Taken(known)
    retract: list[tuple[URIRef, URIRef]] = []
    identity = _Identity(taken, retract)
    for group in event_groups:
        date = _best_date(group)
        lead = next(m for m in group if date is None or m.document_id == date.document_id)
        existing = known.match_event(group) if known else None
        actors = sorted({a for m in group for a in m.actor_ids})
        location = _best_location(group, registry)
        minted = iris.event_iri(
            base,
            date.value.iso if date else None,
            lead.type,
            actors,
            iris.discriminator(
                min(m.document_id for m in group),
                next((m.name for m in group if m.name), ""),
                location.value if location else "",
            ),
        )
        iri = identity.iri(existing, date, minted, group)
        node = EventNode(iri, group, date=date, existing=existing)
        for member in group:
            match = existing.match if existing else joined.get(id(member))
            if match is not None:
                node.reasons.setdefault(member.document_id, match)
        node.location = location
        node.earliest = _first(
            Sourced(m.earliest, m.document_id) for m in group if m.earliest is not None
        )
        held = [m for m in group if m.status == "held"]
        chosen = held[0] if held else group[0]
        node.status = Sourced(chosen.status, chosen.document_id)
        _adopt(
            node,
            retract,
            DIP.eventStatus,
            existing is not None and existing.status == "planned" and bool(held),
        )
        parts = [iris.participation_iri(existing.iri, a) for a in actors] if existing else []
        identity.lead(node, (RDFS.label,), {p: PARTICIPATION_DETAILS for p in parts})
        events.append(node)
        for member in group:
            event_iris[(member.document_id, member.key)] = iri
    for node in events:
        parents = [m for m in node.members if m.part_of is not None]
        if parents:
            p = parents[0]
            node.part_of = Sourced(event_iris[(p.document_id, p.part_of or "")], p.document_id)

    def event_of(doc: str, key: str | None) -> URIRef | None:
        return None if key is None else event_iris[(doc, key)]

    pledges = _resolve_pledges(ordered, event_of, base, identity, known, retract)
    demands: list[Node[Demand]] = []
    for demand_group in _cluster(
        [d for c in ordered for d in c.demands],
        lambda a, b: same_demand(a, b, event_of),
    ):
        date = _best_date(demand_group)
        parties = sorted({r for m in demand_group for r in m.requesters})
        existing = known.match_demand(demand_group, event_of) if known else None
        minted = iris.demand_iri(
            base, date.value.iso if date else None, parties, demand_group[0].topics[0]
        )
        iri = identity.iri(existing, date, minted, demand_group)
        demand = Node(iri, demand_group, date=date, existing=existing)
        _adopt(demand, retract)
        identity.lead(demand, (RDFS.label, DIP.content, DIP.demandKind))
        _place(demand, [(m.document_id, event_of(m.document_id, m.at)) for m in demand_group])
        demands.append(demand)
    statements: list[Node[Statement]] = []
    for statement_group in _cluster([s for c in ordered for s in c.statements], same_statement):
        date = _best_date(statement_group)
        existing = known.match_statement(statement_group) if known else None
        speaker, quote = statement_group[0].speaker, statement_group[0].quote
        minted = iris.statement_iri(base, date.value.iso if date else None, speaker, quote)
        iri = identity.iri(existing, date, minted, statement_group)
        statement = Node(iri, statement_group, date=date, existing=existing)
        _adopt(statement, retract)
        identity.lead(statement, (RDFS.label, DIP.quote))
        _place(statement, [(m.document_id, event_of(m.document_id, m.at)) for m in statement_group])
        statements.append(statement)
    return Resolution(events, pledges, demands, statements, event_iris, retract, identity.renames)


def _adopt(
    node: Node,  # type: ignore[type-arg]
    retract: list[tuple[URIRef, URIRef]],
    supersedes: URIRef | None = None,
    superseded: bool = False,
) -> None:
    """For a node that already exists: skip the single-valued properties it has, except
    ``supersedes`` when the new document ``superseded`` its value (retracted first)."""
    if node.existing is None:
        return
    node.skip = node.existing.predicates
    if superseded and supersedes is not None:
        node.skip = node.skip - {supersedes}
        retract.append((node.iri, supersedes))


def _place(
    node: Node,  # type: ignore[type-arg]
    links: Sequence[tuple[str, URIRef | None]],
) -> None:
    """Give a demand or statement one event (``dip:atEvent`` is single-valued): the event it
    already has in the store, else the first member's. A member's link follows its event's
    resolution, so members whose events resolved to one node agree; a member placed at an
    event that did not (the same-event rule said no) is recorded in ``elsewhere`` and its
    link is not written: the statement is one node, its event stays the one it had."""
    linked = [(doc, event) for doc, event in links if event is not None]
    existing = node.existing.event if node.existing is not None else None
    node.at = existing or (linked[0][1] if linked else None)
    for doc, event in linked:
        if event != node.at:
            node.elsewhere.setdefault(doc, event)


PARTICIPATION_DETAILS = (RDFS.label, DIP.participantRole, DIP.inOffice, DIP.represents)
"""What the first report of an event says of each participation (the mapping's)."""

DATE_PREDICATES = (
    DIP.date,
    DIP.edtfDate,
    DIP.datePrecision,
    DIP.dateBasis,
    DIP.earliest,
    DIP.latest,
)
"""What a node's date is written as (:meth:`kg.rdf.mapping.Mapper.add_date`)."""


class _Identity:
    """The IRI of each resolved group, and what a stored node gives up to a better-dated report.

    A group that matches no stored node is minted its IRI. One that matches a stored node
    keeps that node's IRI, unless it dates the node more precisely (a date where there was
    none, a day where there was a month): then the group's report becomes the node's lead, as
    it would have been had it come first: the date and what the lead supplies (label,
    content) move to its document's graph, and the node takes the IRI it would have been
    minted with, the stored one retired to it. So the graph and its IRIs do not depend on the
    order in which documents arrive (docs/model.md, "IRIs").
    """

    def __init__(self, taken: _Taken, retract: list[tuple[URIRef, URIRef]]) -> None:
        self.taken = taken
        self.retract = retract
        self.renames: dict[URIRef, URIRef] = {}
        self._leads: set[URIRef] = set()

    def iri(
        self,
        existing: Existing | None,
        date: Sourced[DateValue] | None,
        minted: URIRef,
        group: Sequence[R],
    ) -> URIRef:
        """The group's IRI (``minted``: what a new node would be called)."""
        if existing is None:
            return self.taken.unique(minted, group)
        if date is None or (existing.date is not None and existing.date.rank <= date.value.rank):
            return existing.iri
        old_date = existing.date.iso if existing.date is not None else None
        renamed = iris.redated(existing.iri, old_date, date.value.iso)
        iri = existing.iri
        if renamed is not None and renamed != existing.iri:
            iri = self.taken.unique(renamed, group)
            self.renames[existing.iri] = iri
        self._leads.add(iri)
        self.retract.extend((existing.iri, p) for p in DATE_PREDICATES)
        return iri

    def lead(
        self,
        node: Node,  # type: ignore[type-arg]
        predicates: Sequence[URIRef],
        parts: Mapping[URIRef, Sequence[URIRef]] | None = None,
    ) -> None:
        """If the node's new report is now its lead, the date and ``predicates`` (what the
        lead supplies) are written by it and retracted from the graph that held them, and so
        are the ``parts`` of the stored node (an IRI under it, with its predicates: an event's
        participations, whose labels name its date)."""
        if node.iri not in self._leads or node.existing is None:
            return
        self.retract.extend((node.existing.iri, p) for p in predicates)
        for part, details in (parts or {}).items():
            self.retract.extend((part, p) for p in details)
        node.skip = node.skip - {*DATE_PREDICATES, *predicates}


class _Taken:
    """IRIs given out so far in this resolution, and (with ``known``) the store's."""

    def __init__(self, known: Known | None) -> None:
        self.known = known
        self.iris: set[URIRef] = set()

    def unique(self, iri: URIRef, group: Sequence[R]) -> URIRef:
        """``iri``, or, when something has it already, ``iri`` told apart by the group's
        first report (:func:`_first_report`): its content, not the order of arrival, decides.
        Two groups reported first by the same sentence take ``-2``, ``-3``, ... in coding
        order (one document's content again)."""
        candidate = iri
        if self._has(candidate):
            iri = candidate = iris.with_suffix(iri, iris.discriminator(*_first_report(group)))
        n = 1
        while self._has(candidate):
            n += 1
            candidate = iris.with_suffix(iri, str(n))
        self.iris.add(candidate)
        return candidate

    def _has(self, iri: URIRef) -> bool:
        return iri in self.iris or (self.known is not None and self.known.is_taken(iri))


def _first_report(group: Sequence[Event | Pledge | Demand | Statement]) -> tuple[str, ...]:
    """The first document reporting the group and where: its first evidence span (else its
    local id), the same whenever and with whatever else that document arrives."""
    spans = [(m.document_id, s.start, s.end) for m in group for s in m.evidence]
    if not spans:
        return min((m.document_id, m.key) for m in group)
    document_id, start, end = min(spans)
    return document_id, f"{start}-{end}"


def _resolve_pledges(
    ordered: Sequence[Coding],
    event_of: Callable[[str, str | None], URIRef | None],
    base: str,
    identity: _Identity,
    known: Known | None,
    retract: list[tuple[URIRef, URIRef]],
) -> list[PledgeNode]:
    nodes = []
    for group in _cluster(
        [p for c in ordered for p in c.pledges],
        lambda a, b: same_pledge(a, b, event_of),
    ):
        date = _best_date(group)
        makers = sorted({m for p in group for m in p.makers})
        existing = known.match_pledge(group, event_of) if known else None
        minted = iris.pledge_iri(base, date.value.iso if date else None, makers, group[0].topics[0])
        iri = identity.iri(existing, date, minted, group)
        node = PledgeNode(iri, group, date=date, existing=existing)
        made = [p for p in group if p.made_at is not None]
        made_at = event_of(made[0].document_id, made[0].made_at) if made else None
        if made and made_at is not None:
            node.made_at = Sourced(made_at, made[0].document_id)
        counters: dict[str, int] = {}
        steps = []
        for pledge in group:
            for step in pledge.steps:
                counters[step.document_id] = counters.get(step.document_id, 0) + 1
                step_iri = iris.status_step_iri(iri, step.document_id, counters[step.document_id])
                steps.append((step_iri, step, event_of(step.document_id, step.at)))
        steps.sort(key=lambda s: step_order(s[1]))
        node.steps = steps
        last = steps[-1][1]
        node.status = Sourced(last.status, last.document_id)
        newer = existing is not None and (
            existing.latest is None or step_order(last) >= existing.latest
        )
        _adopt(node, retract, DIP.status, newer)
        identity.lead(node, (RDFS.label, DIP.content, DIP.commitmentKind))
        nodes.append(node)
    return nodes


def _cluster(
    records: Iterable[R],
    same: Callable[[R, R], M],
    joined: dict[int, M] | None = None,
) -> list[list[R]]:
    """Greedy clustering in input order: a record joins the first group with a match. With
    ``joined``, the (true) answer of ``same`` that let each record join, by ``id(record)``."""
    groups: list[list[R]] = []
    for record in records:
        for group in groups:
            match = next(
                (
                    answer
                    for member in group
                    if member.document_id != record.document_id and (answer := same(member, record))
                ),
                None,
            )
            if match is not None:
                group.append(record)
                if joined is not None:
                    joined[id(record)] = match
                break
        else:
            groups.append([record])
    return groups


def _best_date(group: Sequence[R]) -> Sourced[DateValue] | None:
    dated = [(m.date.rank, i, m) for i, m in enumerate(group) if m.date is not None]
    if not dated:
        return None
    _, _, best = min(dated)
    assert best.date is not None  # for type checkers: filtered above
    return Sourced(best.date, best.document_id)


def _best_location(group: Sequence[Event], registry: Registry) -> Sourced[str] | None:
    located = [m for m in group if m.location is not None]
    best: Event | None = None
    for member in located:
        if best is None or place_within(member.location or "", best.location or "", registry):
            if best is None or member.location != best.location:
                best = member
    return Sourced(best.location, best.document_id) if best and best.location else None


def _first(values: Iterable[T]) -> T | None:
    return next(iter(values), None)
