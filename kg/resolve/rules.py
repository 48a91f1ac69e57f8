"""When two records are the same thing: the one set of rules that extraction (two mentions in
one article), resolution (two documents, or a document and the store) and evaluation (a gold
record and a predicted one) apply, and the order of a pledge's status steps.

Rules (docs/model.md, "Cross-document resolution"): events match on type, participants and
compatible dates; pledges on parties, a shared topic and the same event or compatible dates;
demands likewise; statements on speaker and quote. Pure functions of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from kg.records import DateValue, Demand, Event, Pledge, Statement, StatusStep
from kg.sources.registry import Registry, normalize_name

MEETING_TYPES = frozenset({"meeting", "talks"})
"""Types that one document may use for one event (talks and a meeting on the same day)."""


def dates_compatible(a: DateValue | None, b: DateValue | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.is_compatible(b)


@dataclass(frozen=True, slots=True)
class EventMatch:
    """The evidence of a same-event decision: what the two reports agree on, and how closely.

    True (as a bool) when the rule says they are one event. ``score`` is the mean agreement
    over the criteria both reports state (type 1 or 0, talks and a meeting in one document
    0.5; participants the share of all named that both name; dates 1 when the same, 0.5
    when one lies inside the other; places 1 when the same, 0.5 when one lies inside the
    other; 0 for a disagreement): how close the reports are, not a probability.

    Attributes:
        is_same: the rule's decision.
        type: the event type both reports give, if they give the same.
        participants: the actors both name.
        date: the date both agree on (the more precise of two compatible ones).
        place: the place both agree on (the more specific of two nested ones).
        score: from 0 to 1, two decimals.
    """

    is_same: bool
    type: str | None = None
    participants: frozenset[str] = frozenset()
    date: DateValue | None = None
    place: str | None = None
    score: float = 0.0

    def __bool__(self) -> bool:
        return self.is_same


def same_event(
    a: Event, b: Event, registry: Registry, *, within_document: bool = False
) -> EventMatch:
    """Whether two records denote one event, with what matched (:class:`EventMatch`).

    Across documents: the same type and participants, compatible dates (two undated ones
    too), and, without participants, places within one another. Within one document (two
    mentions in one article): a meeting and talks between the same people are one event, a
    mention without a date joins a dated one, two undated ones are one unless both are
    planned or held and differ, and two summits of different names are two.

    >>> from kg.records import Participation
    >>> def event(kind): return Event("k", "d", kind, "held", (Participation("a"),), ())
    >>> registry = Registry({}, {})
    >>> bool(same_event(event("meeting"), event("talks"), registry))
    False
    >>> same_event(event("meeting"), event("talks"), registry, within_document=True).score
    0.75
    """
    return _event_match(a, b, registry, _is_same_event(a, b, registry, within_document))


def _is_same_event(a: Event, b: Event, registry: Registry, within_document: bool) -> bool:
    if within_document:
        same_type = a.type == b.type or {a.type, b.type} <= MEETING_TYPES
        if not same_type or a.actor_ids != b.actor_ids:
            return False
        if a.type == "summit" and a.name and b.name and a.name != b.name:
            return False
        if a.date is not None and b.date is not None:
            return a.date.is_compatible(b.date)
        if a.date is None and b.date is None:
            return a.status == b.status or "planned" in (a.status, b.status)
        return True
    if a.type != b.type or a.actor_ids != b.actor_ids:
        return False
    if not dates_compatible(a.date, b.date):
        return False
    if a.actor_ids:
        return True
    return (
        a.location is not None
        and b.location is not None
        and (
            place_within(a.location, b.location, registry)
            or place_within(b.location, a.location, registry)
        )
    )


def _event_match(a: Event, b: Event, registry: Registry, is_same: bool) -> EventMatch:
    """What two event reports agree on, and the score of :class:`EventMatch`."""
    agreements = [1.0 if a.type == b.type else 0.5 if {a.type, b.type} <= MEETING_TYPES else 0.0]
    shared = a.actor_ids & b.actor_ids
    if a.actor_ids or b.actor_ids:
        agreements.append(len(shared) / len(a.actor_ids | b.actor_ids))
    date = None
    if a.date is not None and b.date is not None:
        if a.date.is_compatible(b.date):
            date = a.date if a.date.rank <= b.date.rank else b.date
            same = (a.date.earliest, a.date.latest) == (b.date.earliest, b.date.latest)
            agreements.append(1.0 if same else 0.5)
        else:
            agreements.append(0.0)
    place = None
    if a.location is not None and b.location is not None:
        if a.location == b.location:
            place = a.location
            agreements.append(1.0)
        elif place_within(a.location, b.location, registry):
            place = a.location
            agreements.append(0.5)
        elif place_within(b.location, a.location, registry):
            place = b.location
            agreements.append(0.5)
        else:
            agreements.append(0.0)
    return EventMatch(
        is_same,
        a.type if a.type == b.type else None,
        shared,
        date,
        place,
        round(sum(agreements) / len(agreements), 2),
    )


def _same_commitment(
    a: Pledge | Demand,
    b: Pledge | Demand,
    parties_a: Sequence[str],
    parties_b: Sequence[str],
    event_of: Callable[[str, str | None], URIRef | None],
) -> bool:
    if not set(parties_a) & set(parties_b) or not set(a.topics) & set(b.topics):
        return False
    event_a = event_of(a.document_id, a.made_at if isinstance(a, Pledge) else a.at)
    event_b = event_of(b.document_id, b.made_at if isinstance(b, Pledge) else b.at)
    if event_a is not None and event_b is not None:
        return event_a == event_b
    return dates_compatible(a.date, b.date)


def same_demand(a: Demand, b: Demand, event_of: Callable[[str, str | None], URIRef | None]) -> bool:
    """Shared requesters and topic, at the same event or compatible dates."""
    return _same_commitment(a, b, a.requesters, b.requesters, event_of)


def same_statement(a: Statement, b: Statement) -> bool:
    """Same speaker and (normalised) quote, compatible dates."""
    return (
        a.speaker == b.speaker
        and normalize_name(a.quote) == normalize_name(b.quote)
        and dates_compatible(a.date, b.date)
    )


def same_pledge(a: Pledge, b: Pledge, event_of: Callable[[str, str | None], URIRef | None]) -> bool:
    """Same parties (those acted for, else the makers), or overlapping parties making the
    same kind of commitment on a shared topic at the same event."""
    parties_a = set(a.on_behalf_of or a.makers)
    parties_b = set(b.on_behalf_of or b.makers)
    if parties_a == parties_b:
        return _same_commitment(
            a, b, a.makers + a.on_behalf_of, b.makers + b.on_behalf_of, event_of
        )
    made_a, made_b = event_of(a.document_id, a.made_at), event_of(b.document_id, b.made_at)
    return (
        a.kind == b.kind
        and made_a is not None
        and made_a == made_b
        and bool(parties_a & parties_b)
        and bool(set(a.topics) & set(b.topics))
    )


def place_within(inner: str, outer: str, registry: Registry) -> bool:
    return inner == outer or outer in registry.place_ancestors(inner)


def same_pledge_report(
    existing: Pledge, makers: tuple[str, ...], topics: tuple[str, ...], content: str
) -> bool:
    """Whether a new report in one document is of the pledge ``existing``: same makers, and
    a shared topic with much the same content, or one of them with no content of its own."""
    if set(existing.makers) != set(makers):
        return False
    if not content or not existing.content:
        return True
    shared = set(existing.topics) & set(topics)
    if not shared:
        return False
    return _overlap(existing.content, content) >= 0.4


def _overlap(first: str, second: str) -> float:
    a = {w for w in first.lower().split() if len(w) > 3}
    b = {w for w in second.lower().split() if len(w) > 3}
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


_STATUS_ORDER = ("made", "reaffirmed", "reviewed", "progressed", "fulfilled", "broken")


def step_order(step: StatusStep) -> tuple[dt.date, int]:
    """A status step's place in a pledge's history: by date, then by status."""
    day = step.date.earliest if step.date else dt.date.min
    return (day, status_rank(step.status))


def status_rank(status: str) -> int:
    """Which of two pledge statuses reported on one day is the later step.

    >>> status_rank("made") < status_rank("fulfilled")
    True
    """
    return _STATUS_ORDER.index(status) if status in _STATUS_ORDER else 0
