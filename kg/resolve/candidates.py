"""What the store already knows, for resolving a new document against it (``dipkg ingest``).

Implements :class:`kg.resolve.Known`: for each group of new records, a few SPARQL lookups
that start from the group's actors (index lookups, so their cost depends on the actors'
histories, not on the store's size) fetch candidate nodes; each candidate is rebuilt as a
minimal record and compared with the very rules :mod:`kg.resolve` uses between documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rdflib import RDF, Literal, URIRef
from rdflib.term import Node

from kg import iris
from kg.query.internal import internal_query
from kg.records import DateValue, Demand, Event, Participation, Pledge, Statement, StatusStep
from kg.resolve import Existing
from kg.resolve.rules import (
    EventMatch,
    same_demand,
    same_event,
    same_pledge,
    same_statement,
    step_order,
)
from kg.sources.registry import Registry
from kg.store.base import Queryable
from kg.vocab import DIP, concept

_STORE = "\0store"  # the document id of rebuilt records: never a real document id
EventOf = Callable[[str, str | None], URIRef | None]


class StoreKnown:
    """The :class:`kg.resolve.Known` of a store (or query executor).

    Args:
        store: where the graph is.
        registry: the registry the new records use (for place containment).
        base: the deployment's base IRI (actor ids are the last segment of actor IRIs).
        exclude: a graph to disregard: the graph of the document being re-ingested, which
            its new version replaces (so re-ingesting keeps its IRIs and adds nothing twice).

    ``merged`` collects the existing nodes matched so far.
    """

    def __init__(
        self, store: Queryable, registry: Registry, base: str, exclude: URIRef | None = None
    ) -> None:
        self.store = store
        self.registry = registry
        self.base = base
        self.exclude = exclude
        self.merged: list[URIRef] = []

    # -- the Known protocol -------------------------------------------------------------

    def match_event(self, group: Sequence[Event]) -> Existing | None:
        """An existing event of the same type, participants and a compatible date."""
        actors = sorted({a for m in group for a in m.actor_ids})
        if not actors:
            return None
        nodes = self._candidates(
            [self._actor(actors[0])], [DIP.participant], [m.date for m in group]
        )
        if not nodes:
            return None
        event_type = concept("event-type", group[0].type)
        described = self._describe(nodes, "eventType", "participant", "eventStatus", "location")
        for node, values in described.items():
            if event_type not in values["eventType"]:
                continue
            candidate = Event(
                key=str(node),
                document_id=_STORE,
                type=group[0].type,
                status=_notation(values["eventStatus"]) or "held",
                participants=tuple(Participation(self._id(p)) for p in values["participant"]),
                evidence=(),
                date=_date(values),
                location=self._place_id(values["location"]),
            )
            match = next(
                (found for m in group if (found := same_event(candidate, m, self.registry))),
                None,
            )
            if match is not None:
                existing = self._existing(
                    node, status=candidate.status, match=match, date=candidate.date
                )
                if existing is not None:
                    return existing
        return None

    def match_pledge(self, group: Sequence[Pledge], event_of: EventOf) -> Existing | None:
        """An existing pledge by the same rule as between documents; with its latest step."""
        parties = sorted({a for m in group for a in (*m.makers, *m.on_behalf_of)})
        nodes = self._candidates(
            [self._actor(a) for a in parties],
            [DIP.maker, DIP.onBehalfOf],
            [m.date for m in group],
            [event_of(m.document_id, m.made_at) for m in group],
            DIP.madeAt,
            _topics(group),
        )
        if not nodes:
            return None
        described = self._describe(
            nodes, "type", "commitmentKind", "maker", "onBehalfOf", "topic", "madeAt", "status"
        )
        for node, values in described.items():
            if DIP.Pledge not in values["type"]:
                continue
            candidate = Pledge(
                key=str(node),
                document_id=_STORE,
                kind=_notation(values["commitmentKind"]) or "",
                makers=self._ids(values["maker"]),
                content="",
                topics=tuple(_notation(t) or "" for t in values["topic"]),
                steps=(),
                on_behalf_of=self._ids(values["onBehalfOf"]),
                made_at=_last(values["madeAt"]),
                date=_date(values),
            )
            if any(same_pledge(candidate, m, _with_store(event_of)) for m in group):
                existing = self._existing(
                    node,
                    status=_notation(values["status"]),
                    latest=self._latest_step(node),
                    date=candidate.date,
                )
                if existing is not None:
                    return existing
        return None

    def match_demand(self, group: Sequence[Demand], event_of: EventOf) -> Existing | None:
        """An existing demand with shared requesters and topic, same event or date."""
        requesters = sorted({a for m in group for a in m.requesters})
        nodes = self._candidates(
            [self._actor(a) for a in requesters],
            [DIP.requester],
            [m.date for m in group],
            [event_of(m.document_id, m.at) for m in group],
            DIP.atEvent,
            _topics(group),
        )
        if not nodes:
            return None
        described = self._describe(nodes, "type", "requester", "topic", "atEvent")
        for node, values in described.items():
            if DIP.Demand not in values["type"]:
                continue
            candidate = Demand(
                key=str(node),
                document_id=_STORE,
                kind="",
                requesters=self._ids(values["requester"]),
                content="",
                topics=tuple(_notation(t) or "" for t in values["topic"]),
                evidence=(),
                at=_last(values["atEvent"]),
                date=_date(values),
            )
            if any(same_demand(candidate, m, _with_store(event_of)) for m in group):
                existing = self._existing(node, event=_iri(values["atEvent"]), date=candidate.date)
                if existing is not None:
                    return existing
        return None

    def match_statement(self, group: Sequence[Statement]) -> Existing | None:
        """An existing statement of the same speaker and quote at a compatible date."""
        nodes = self._candidates(
            [self._actor(group[0].speaker)], [DIP.speaker], [m.date for m in group]
        )
        if not nodes:
            return None
        for node, values in self._describe(nodes, "quote", "atEvent").items():
            if not values["quote"]:
                continue
            candidate = Statement(
                key=str(node),
                document_id=_STORE,
                speaker=group[0].speaker,
                quote=_last(values["quote"]) or "",
                evidence=(),
                date=_date(values),
            )
            if any(same_statement(candidate, m) for m in group):
                existing = self._existing(node, event=_iri(values["atEvent"]), date=candidate.date)
                if existing is not None:
                    return existing
        return None

    def is_taken(self, iri: URIRef) -> bool:
        """Whether any triple has ``iri`` as subject, but in the excluded graph and in the
        graph of retired IRIs: a node may take a retired IRI again (a re-ingest undoing a
        change revives the IRI it retired)."""
        apart = [iris.retired_graph_iri(self.base), *([self.exclude] if self.exclude else [])]
        result = self.store.query(internal_query("taken", node=iri, excluded=apart))
        return bool(result.boolean)

    @property
    def _excluded(self) -> dict[str, URIRef]:
        """The ``excluded`` slot of a query: the graph being replaced, if any."""
        return {"excluded": self.exclude} if self.exclude is not None else {}

    # -- helpers ------------------------------------------------------------------------

    def _candidates(
        self,
        actors: Sequence[URIRef],
        roles: Sequence[URIRef],
        dates: Sequence[DateValue | None],
        events: Sequence[URIRef | None] = (),
        link: URIRef | None = None,
        topics: Sequence[URIRef] | None = None,
    ) -> list[URIRef]:
        """The nodes that can match a group: with one of ``actors`` in one of ``roles`` (and
        on one of ``topics``, unless None), kept if at one of the group's events (through
        ``link``), dated within the group's interval, or undated when a member is.

        When every member is dated to a month or less, the dates a match can start on
        (:func:`period_starts`) are one more list the engine joins; otherwise each
        candidate's dates are looked up (``kg/query/sparql/candidates-*.rq``)."""
        known_events = {e for e in events if e is not None}
        dated = [d for d in dates if d is not None]
        undated = any(d is None for d in dates)
        starts = None if undated else period_starts(dated)
        slots: dict[str, Any] = {
            "actor": actors,
            "role": roles,
            "link": [link] if link is not None else [],
        }
        if topics is not None:
            slots["topic"] = topics
        if starts is None:
            name = "candidates-open"
        else:
            name = "candidates-dated"
            slots["start"] = [Literal(d) for d in starts]
            slots["event"] = sorted(known_events) if link is not None else []
        on_topic = "-on-topic" if topics is not None else ""
        rows = self._select(internal_query(name + on_topic, **slots))
        found: dict[URIRef, None] = {}
        for row in rows:
            node = URIRef(str(row["n"]))
            if row.get("at") in known_events:
                found[node] = None
            elif "e0" not in row or "l0" not in row:
                if undated:
                    found[node] = None
            else:
                first = dt.date.fromisoformat(str(row["e0"]))
                last = dt.date.fromisoformat(str(row["l0"]))
                if any(d.earliest <= last and first <= d.latest for d in dated):
                    found[node] = None
        return list(found)

    def _describe(
        self, nodes: Sequence[URIRef], *names: str
    ) -> dict[URIRef, dict[str, list[Node]]]:
        """The values of the ``dip:`` properties ``names`` (``type`` is ``rdf:type``) and the
        dates of each node of ``nodes``; a value stated by many documents comes once, so the
        cost grows with the number of reports, not with its powers."""
        predicates = {
            (RDF.type if name == "type" else DIP[name]): name
            for name in (*names, "date", "edtfDate", "datePrecision", "earliest", "latest")
        }
        query = internal_query("node-values", node=nodes, predicate=list(predicates))
        rows = self._select(query)
        described: dict[URIRef, dict[str, list[Node]]] = {}
        for row in rows:
            values = described.setdefault(URIRef(str(row["n"])), defaultdict(list))
            name = predicates[URIRef(str(row["p"]))]
            values["precision" if name == "datePrecision" else name].append(row["o"])
        return described

    def _select(self, sparql: str) -> list[dict[str, Node]]:
        result = self.store.query(sparql)
        return [
            {v: value for v, value in zip(result.variables, row, strict=True) if value is not None}
            for row in result.rows
        ]

    def _existing(
        self,
        node: URIRef,
        status: str | None = None,
        latest: tuple[dt.date, int] | None = None,
        event: URIRef | None = None,
        match: EventMatch | None = None,
        date: DateValue | None = None,
    ) -> Existing | None:
        result = self.store.query(internal_query("node-predicates", node=node, **self._excluded))
        if not result.rows:
            return None  # only in the excluded graph: this document's own earlier node
        self.merged.append(node)
        predicates = frozenset(URIRef(str(row[0])) for row in result.rows)
        if DIP.atEvent not in predicates:
            event = None  # only the excluded graph placed it at that event
        return Existing(node, predicates, status, latest, event, match, date)

    def _latest_step(self, pledge: URIRef) -> tuple[dt.date, int] | None:
        """The place of a pledge's latest step in its history (:func:`step_order`), from the
        distinct (status, first day) pairs of its steps: a thousand reports of one step on one
        day are one row."""
        rows = self._select(internal_query("step-days", pledge=pledge, **self._excluded))
        steps = [
            StatusStep(
                _notation(row["status"]) or "made",
                _STORE,
                (),
                _day(row["earliest"]) if "earliest" in row else None,
            )
            for row in rows
        ]
        return max((step_order(s) for s in steps), default=None)

    def _actor(self, actor_id: str) -> URIRef:
        return iris.actor_iri(self.base, actor_id)

    def _id(self, node: Node) -> str:
        return str(node).removeprefix(f"{self.base}actor/")

    def _place_id(self, nodes: list[Node]) -> str | None:
        """The registry id of a stored place IRI (the rules compare ids, not IRIs)."""
        return str(nodes[0]).removeprefix(f"{self.base}place/") if nodes else None

    def _ids(self, nodes: Iterable[Node]) -> tuple[str, ...]:
        return tuple(sorted(self._id(n) for n in nodes))


def _topics(group: Sequence[Pledge] | Sequence[Demand]) -> list[URIRef]:
    """The topics of the group (both rules for commitments require a shared one)."""
    return [concept("topic", t) for t in sorted({t for m in group for t in m.topics})]


def period_starts(dated: Sequence[DateValue], most: int = 128) -> list[dt.date] | None:
    """Every date on which a day, ISO week, month or year overlapping one of ``dated`` starts,
    and so does an EDTF interval (:mod:`kg.edtf`) of at most 31 days or one starting on the
    first of a month in the year before: the ``dip:earliest`` a node must have to be dated
    within the group's interval. None when a member spans more than a month or there would
    be more than ``most`` dates. (A longer EDTF interval from a coding that starts mid-month,
    or one reaching back more than a year, is found by the lookup of undated or long groups
    only: docs/model.md, "Ingest".)

    >>> starts = period_starts([DateValue.parse("2024-03-14")])
    >>> [str(d) for d in starts if d.day == 1][-4:], len(starts)
    (['2023-12-01', '2024-01-01', '2024-02-01', '2024-03-01'], 43)
    >>> dt.date(2024, 3, 11) in starts  # the Monday of its week, and "mid-March"
    True
    """
    starts: set[dt.date] = set()
    for value in dated:
        first, last = value.earliest, value.latest
        if (last - first).days > 31:
            return None
        day = first - dt.timedelta(days=30)
        while day <= last:  # the member's days and the 30 before: intervals of <= 31 days
            starts.add(day)
            day += dt.timedelta(days=1)
        month_index = first.year * 12 + first.month - 1
        for index in range(month_index - 12, last.year * 12 + last.month):
            starts.add(dt.date(index // 12, index % 12 + 1, 1))  # months, seasons, years
    return sorted(starts) if len(starts) <= most else None


def _last(values: list[Node]) -> str | None:
    return str(values[0]) if values else None


def _iri(values: list[Node]) -> URIRef | None:
    return URIRef(str(values[0])) if values else None


def _notation(values: list[Node] | Node) -> str | None:
    """The notation of a concept IRI (its last path segment)."""
    if isinstance(values, list):
        if not values:
            return None
        values = values[0]
    return str(values).rsplit("/", 1)[-1]


def _day(value: Node) -> DateValue:
    """A first day alone as a DateValue (enough to order steps)."""
    day = dt.date.fromisoformat(str(value))
    return DateValue(str(day), "day", day, day)


def _date(values: dict[str, list[Node]]) -> DateValue | None:
    """The stored date of a node, as a DateValue (its interval is what resolution needs)."""
    if not values.get("earliest") or not values.get("latest"):
        return None
    earliest = dt.date.fromisoformat(str(values["earliest"][0]))
    latest = dt.date.fromisoformat(str(values["latest"][0]))
    precision = _notation(values.get("precision", [])) or "day"
    iso = str(_last(values.get("date", [])) or earliest)
    return DateValue(iso, precision, earliest, latest, edtf=_last(values.get("edtfDate", [])))


def _with_store(event_of: EventOf) -> EventOf:
    """``event_of`` that also answers for rebuilt records (their event ids are IRIs)."""

    def lookup(document_id: str, key: str | None) -> URIRef | None:
        if document_id == _STORE:
            return None if key is None else URIRef(key)
        return event_of(document_id, key)

    return lookup
