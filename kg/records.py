"""The one internal model: frozen dataclasses for documents, spans, actors, places and facts.

Curated codings (`kg.sources.coding`) and automatic extraction (`kg.extract`) both produce these;
resolution, mapping and export consume them. Nothing here does I/O.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.edtf import QUALIFIERS, is_extended, parse_interval

Vocabulary = Mapping[str, frozenset[str]]
"""Notations of each SKOS scheme, by scheme name (``topic`` -> {``narcotics``, ...}); loaded
by :func:`kg.rdf.ontology.scheme_notations`."""

PRECISIONS = ("day", "week", "month", "year")
BASES = ("stated", "inferred", "corrected")

_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})$"), "year"),
)


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date at the precision the text supports, with the interval it denotes.

    ``iso`` is ISO 8601 at that precision: ``2023-11-15``, ``2024-W14``, ``2024-01``, ``1985``.
    A date people write loosely ("mid-November", "in the spring", "around 2024") also has its
    ``edtf`` literal (:mod:`kg.edtf`: ``2023-11-11/2023-11-20``, ``2024-21``, ``2024~``); then
    ``earliest`` and ``latest`` are the EDTF interval, and ``iso`` and ``precision`` the
    smallest day, month or year that contains it (the year it starts in when it spans two).
    """

    iso: str
    precision: str
    earliest: dt.date
    latest: dt.date
    basis: str = "stated"
    note: str | None = None
    edtf: str | None = None

    @classmethod
    def parse(cls, text: str, basis: str = "stated", note: str | None = None) -> DateValue:
        """Parse an ISO 8601 date at day, week, month or year precision.

        >>> DateValue.parse("2024-02").latest
        datetime.date(2024, 2, 29)
        >>> DateValue.parse("2024-W14").earliest
        datetime.date(2024, 4, 1)

        Raises:
            ValueError: the text is not one of the four forms, or names no real date.
        """
        if basis not in BASES:
            raise ValueError(f"date basis {basis!r} is not one of {', '.join(BASES)}")
        text = text.strip()
        for pattern, precision in _DATE_FORMS:
            match = pattern.match(text)
            if not match:
                continue
            parts = [int(p) for p in match.groups()]
            try:
                if precision == "day":
                    earliest = latest = dt.date(*parts)
                elif precision == "week":
                    earliest = dt.date.fromisocalendar(parts[0], parts[1], 1)
                    latest = earliest + dt.timedelta(days=6)
                elif precision == "month":
                    year, month = parts
                    last = calendar.monthrange(year, month)[1]
                    earliest, latest = dt.date(year, month, 1), dt.date(year, month, last)
                else:
                    earliest, latest = dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a real date ({exc})") from exc
            return cls(text, precision, earliest, latest, basis, note)
        raise ValueError(
            f"{text!r} is not an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-Www)"
        )

    @classmethod
    def parse_edtf(cls, text: str, basis: str = "stated", note: str | None = None) -> DateValue:
        """Parse an ISO 8601 date as :meth:`parse` does, or an EDTF date of dipkg's profile
        (:mod:`kg.edtf`), which keeps its literal and denotes its interval.

        >>> spring = DateValue.parse_edtf("2024-21")
        >>> (spring.iso, spring.precision, str(spring.earliest), str(spring.latest))
        ('2024', 'year', '2024-03-01', '2024-05-31')
        >>> mid = DateValue.parse_edtf("2023-11-11/2023-11-20")
        >>> (mid.iso, mid.precision, mid.edtf)
        ('2023-11', 'month', '2023-11-11/2023-11-20')
        >>> DateValue.parse_edtf("2024-03").edtf is None
        True

        Raises:
            ValueError: the text is neither, or names no real date.
        """
        text = text.strip()
        if not is_extended(text):
            return cls.parse(text, basis, note)
        if basis not in BASES:
            raise ValueError(f"date basis {basis!r} is not one of {', '.join(BASES)}")
        interval = parse_interval(text)
        first, last = interval.earliest, interval.latest
        if first == last:
            iso, precision = first.isoformat(), "day"
        elif (first.year, first.month) == (last.year, last.month):
            iso, precision = f"{first.year:04d}-{first.month:02d}", "month"
        else:
            iso, precision = f"{first.year:04d}", "year"
        return cls(iso, precision, first, last, basis, note, text)

    @property
    def text(self) -> str:
        """The date as written in a coding: the EDTF literal if it has one, else ``iso``."""
        return self.edtf or self.iso

    def qualified(self, mark: str) -> DateValue:
        """The same date marked uncertain (``?``), approximate (``~``) or both (``%``), as an
        EDTF date; a week (which EDTF cannot say) stays as it is.

        >>> DateValue.parse("2024").qualified("~").edtf
        '2024~'
        >>> DateValue.parse_edtf("2024-03-01/2024-03-10").qualified("?").edtf
        '2024-03-01?/2024-03-10?'
        """
        if self.precision == "week" or (self.edtf and self.edtf[-1] in QUALIFIERS):
            return self
        ends = self.text.split("/")
        return DateValue.parse_edtf("/".join(end + mark for end in ends), self.basis, self.note)

    @property
    def rank(self) -> int:
        """Smaller is more precise: by precision (day, week, month, year: 1, 4, 7, 10), and
        within one an EDTF interval narrower than its day, month or year first (one less),
        a qualified one or one spanning years last (one more).

        >>> [DateValue.parse_edtf(t).rank for t in ("2024-03-15", "2023-11-1X", "2024-03")]
        [1, 6, 7]
        >>> [DateValue.parse_edtf(t).rank for t in ("2024-21", "2024", "2024~", "2023-24")]
        [9, 10, 11, 11]
        """
        rank = 3 * PRECISIONS.index(self.precision) + 1
        if self.edtf is None:
            return rank
        unit = DateValue.parse(self.iso)
        if any(mark in self.edtf for mark in QUALIFIERS) or not unit.contains(self):
            return rank + 1
        if (unit.earliest, unit.latest) != (self.earliest, self.latest):
            return rank - 1
        return rank

    def contains(self, other: DateValue) -> bool:
        """Whether ``other``'s interval lies inside this one's.

        >>> DateValue.parse("2023-11").contains(DateValue.parse("2023-11-15"))
        True
        """
        return self.earliest <= other.earliest and other.latest <= self.latest

    def is_compatible(self, other: DateValue) -> bool:
        """Whether one interval lies inside the other (the two may denote the same time)."""
        return self.contains(other) or other.contains(self)


@dataclass(frozen=True, slots=True)
class Span:
    """A character span of a document: ``text == document.text[start:end]`` (code points)."""

    document_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """A source document: its exact text and metadata."""

    id: str
    text: str
    title: str
    published: DateValue | None
    language: str = "en"
    kind: str = "news article"
    notes: str | None = None
    url: str | None = None
    """Where the article was published (an absolute http or https URL), if known."""


@dataclass(frozen=True, slots=True)
class OfficeTerm:
    """A person's term in an office; open ends are ``None``."""

    office: str
    start: DateValue | None = None
    end: DateValue | None = None

    def covers(self, when: DateValue) -> bool:
        """Whether the term overlaps the interval of ``when``."""
        if self.start is not None and when.latest < self.start.earliest:
            return False
        return not (self.end is not None and when.earliest > self.end.latest)


ACTOR_KINDS = ("person", "state", "organisation", "office", "anonymous")


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, state, organisation, office or anonymous source from the registry."""

    id: str
    label: str
    kind: str
    aliases: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    wikidata: str | None = None
    country: str | None = None
    office_of: str | None = None
    terms: tuple[OfficeTerm, ...] = ()
    is_provisional: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """A named place and the next larger place it lies in."""

    id: str
    label: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True, slots=True)
class Participation:
    """An actor's part in an event, with office, represented party, role and evidence."""

    actor: str
    office: str | None = None
    represents: str | None = None
    role: str = "participant"
    evidence: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A meeting, summit, call, visit or talks, held or planned, as one document reports it."""

    key: str
    document_id: str
    type: str
    status: str
    participants: tuple[Participation, ...]
    evidence: tuple[Span, ...]
    date: DateValue | None = None
    earliest: dt.date | None = None
    location: str | None = None
    part_of: str | None = None
    name: str | None = None
    note: str | None = None
    confidence: float = 1.0
    rule: str = ""  # the extraction rule that found it (kg/extract/confidence.py); curated: ""

    @property
    def actor_ids(self) -> frozenset[str]:
        return frozenset(p.actor for p in self.participants)


@dataclass(frozen=True, slots=True)
class StatusStep:
    """One dated entry in a pledge's history (made, reaffirmed, reviewed, ...)."""

    status: str
    document_id: str
    evidence: tuple[Span, ...]
    date: DateValue | None = None
    at: str | None = None
    by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pledge:
    """A pledge, assurance or agreement, with the steps one document reports."""

    key: str
    document_id: str
    kind: str
    makers: tuple[str, ...]
    content: str
    topics: tuple[str, ...]
    steps: tuple[StatusStep, ...]
    on_behalf_of: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    made_at: str | None = None
    date: DateValue | None = None
    note: str | None = None
    confidence: float = 1.0
    rule: str = ""  # the extraction rule that found it (kg/extract/confidence.py); curated: ""

    @property
    def evidence(self) -> tuple[Span, ...]:
        return tuple(span for step in self.steps for span in step.evidence)


@dataclass(frozen=True, slots=True)
class Demand:
    """A demand or request by one actor of another."""

    key: str
    document_id: str
    kind: str
    requesters: tuple[str, ...]
    content: str
    topics: tuple[str, ...]
    evidence: tuple[Span, ...]
    on_behalf_of: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()
    at: str | None = None
    date: DateValue | None = None
    note: str | None = None
    confidence: float = 1.0
    rule: str = ""  # the extraction rule that found it (kg/extract/confidence.py); curated: ""


@dataclass(frozen=True, slots=True)
class Statement:
    """A verbatim quote and its speaker."""

    key: str
    document_id: str
    speaker: str
    quote: str
    evidence: tuple[Span, ...]
    at: str | None = None
    date: DateValue | None = None
    topics: tuple[str, ...] = ()
    note: str | None = None
    confidence: float = 1.0
    rule: str = ""  # the extraction rule that found it (kg/extract/confidence.py); curated: ""


@dataclass(frozen=True, slots=True)
class Response:
    """An answer to a demand, as one document reports it: who responded, how, when.

    ``demand`` is the key of the demand it answers in the same coding; ``kind`` a notation of
    the response-kind scheme (accepted, rejected, deflected, partly_met, ignored).
    """

    key: str
    document_id: str
    demand: str
    kind: str
    responders: tuple[str, ...]
    evidence: tuple[Span, ...]
    date: DateValue | None = None
    note: str | None = None
    confidence: float = 1.0
    rule: str = ""  # the extraction rule that found it (kg/extract/confidence.py); curated: ""


Fact = Event | Pledge | Demand | Statement


@dataclass(frozen=True, slots=True)
class Coding:
    """Everything known about one document: the document and its facts."""

    document: Document
    events: tuple[Event, ...] = ()
    pledges: tuple[Pledge, ...] = ()
    demands: tuple[Demand, ...] = ()
    statements: tuple[Statement, ...] = ()
    source: str = field(default="curated")
    responses: tuple[Response, ...] = ()

    @property
    def actor_ids(self) -> frozenset[str]:
        """Every actor the facts name (participants and whom they represent, makers,
        recipients, requesters, addressees, speakers)."""
        ids: set[str] = set()
        for event in self.events:
            ids |= event.actor_ids | {p.represents for p in event.participants if p.represents}
        for pledge in self.pledges:
            ids.update(pledge.makers, pledge.on_behalf_of, pledge.recipients)
            ids.update(a for step in pledge.steps for a in step.by)
        for demand in self.demands:
            ids.update(demand.requesters, demand.on_behalf_of, demand.addressees)
        ids.update(statement.speaker for statement in self.statements)
        return frozenset(ids)


CHANGE_KINDS = ("build", "ingest", "replace", "load", "remove", "review")
"""The notations of the change-kind scheme (``ontology/schemes/change-kind.ttl``)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the store, as the graph of changes records it (a ``dip:Change``).

    Attributes:
        kind: one of :data:`CHANGE_KINDS`.
        started: when it started (UTC).
        ended: when its transaction was about to commit (UTC).
        agent: ``cli``, or the name of the write token of the request that made it
            (``reviewer`` for the review queue).
        added: ids of the documents it added.
        replaced: ids of the documents whose graphs it replaced.
        removed: ids of the documents it took out.
        graphs: IRIs of the named graphs a load wrote.
        triples_added: triples it added to the named graphs.
        triples_removed: triples it removed from them.
        version: the dipkg version that made it.
        note: what it did, in words, when its kind says too little (a review's decision).
    """

    kind: str
    started: dt.datetime
    ended: dt.datetime
    agent: str
    version: str
    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    graphs: tuple[str, ...] = ()
    triples_added: int = 0
    triples_removed: int = 0
    note: str = ""
