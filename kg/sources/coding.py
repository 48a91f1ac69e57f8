"""Curated codings: ``{doc}.coding.yaml`` -> the same records extraction produces.

Every name goes through the actor registry (plus the ``provisional`` actors and places the file
declares, as ``dipkg extract`` writes them), every quote must be an exact substring of the
document (it becomes a :class:`Span`), every concept a notation of its SKOS scheme. Errors name
the file, the item and the field. Format: docs/model.md, "The curated coding". The writer is
:mod:`kg.sources.coding_writer`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DipkgError, InputError
from kg.records import (
    Actor,
    Coding,
    DateValue,
    Demand,
    Document,
    Event,
    Participation,
    Place,
    Pledge,
    Response,
    Span,
    Statement,
    StatusStep,
    Vocabulary,
)
from kg.sources.articles import document_id
from kg.sources.registry import Registry, read_provisional
from kg.sources.yamlfile import Fields, load_yaml, parse_yaml

CODING_KEYS = "document coder notes provisional events pledges demands statements responses".split()
_FROM_EXTRACTION = {"confidence", "rule"}  # what an automatic coding adds to each fact
"""The top-level keys of a coding file, in the order the writer puts them."""


@dataclass(frozen=True, slots=True)
class CodingFile:
    """What one coding file holds: the facts, and the provisional actors and places it declares
    for names the registry lacks (``is_provisional``; their ids may appear in the facts).

    Attributes:
        coding: the facts, ``source="curated"``.
        actors: provisional actors, sorted by id.
        places: provisional places, sorted by id.
    """

    coding: Coding
    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()

    def registry(self, registry: Registry) -> Registry:
        """``registry`` plus this file's provisional actors and places (for mapping)."""
        return registry.extended(self.actors, self.places)


def coding_path(document_path: Path) -> Path:
    """Where a document's curated coding lives: beside it, ``{document id}.coding.yaml``."""
    return document_path.with_name(document_id(document_path) + ".coding.yaml")


def read_coding(
    path: Path, document: Document, registry: Registry, vocabulary: Vocabulary
) -> Coding:
    """Read one curated coding's facts (:func:`read_coding_file` adds its provisional actors,
    which whoever maps the facts needs).

    Raises:
        InputError: naming file, item and field (unknown actor, quote not in text, bad date...).
    """
    return read_coding_file(path, document, registry, vocabulary).coding


def read_coding_file(
    path: Path, document: Document, registry: Registry, vocabulary: Vocabulary
) -> CodingFile:
    """Read one coding file: its facts and its provisional actors and places.

    Raises:
        InputError: naming file, item and field (unknown actor, quote not in text, bad date...).
    """
    root = Fields(load_yaml(path) or {}, str(path), "")
    return _CodingReader(root, document, registry, vocabulary).read()


def parse_coding(
    text: str, source: str, document: Document, registry: Registry, vocabulary: Vocabulary
) -> CodingFile:
    """Read a coding from YAML text (``source`` names it in errors), as :func:`read_coding_file`.

    Raises:
        InputError: as :func:`read_coding_file`.
    """
    root = Fields(parse_yaml(text, source) or {}, source, "")
    return _CodingReader(root, document, registry, vocabulary).read()


class _CodingReader:
    def __init__(
        self, root: Fields, document: Document, registry: Registry, vocabulary: Vocabulary
    ) -> None:
        self.root = root
        self.document = document
        self.registry = registry
        self.vocabulary = vocabulary
        self.event_dates: dict[str, DateValue | None] = {}

    def read(self) -> CodingFile:
        root = self.root
        root.check_keys(set(CODING_KEYS))
        named = root.text("document", required=True)
        if named != self.document.id:
            raise root.error(
                "document", f"names {named!r} but the coding belongs to {self.document.id!r}."
            )
        actors, places = self._provisional()
        event_items = root.items("events")
        for item in event_items:
            key = item.text("id", required=True) or ""
            if key in self.event_dates:
                raise item.error("id", f"{key!r} is used by two events.")
            self.event_dates[key] = self._date(item, "date")
        events = tuple(self._event(item) for item in event_items)
        for event in events:
            if event.part_of is not None:
                self._event_ref_check(event.part_of, "part_of", event.key)
        keys: set[str] = set(self.event_dates)
        pledges = tuple(self._pledge(item) for item in root.items("pledges"))
        demands = tuple(self._demand(item) for item in root.items("demands"))
        statements = tuple(self._statement(item) for item in root.items("statements"))
        answered = {d.key for d in demands}
        responses = tuple(self._response(item, answered) for item in root.items("responses"))
        facts: tuple[Pledge | Demand | Statement | Response, ...] = (
            *pledges,
            *demands,
            *statements,
            *responses,
        )
        for fact in facts:
            if fact.key in keys:
                raise root.error("id", f"{fact.key!r} is used by two items; ids must be unique.")
            keys.add(fact.key)
        coding = Coding(self.document, events, pledges, demands, statements, responses=responses)
        return CodingFile(coding, actors, places)

    def _provisional(self) -> tuple[tuple[Actor, ...], tuple[Place, ...]]:
        """The ``provisional`` entries, added to the registry for this file."""
        if self.root.data.get("provisional") is None:
            return (), ()
        section = Fields(self.root.data["provisional"], self.root.file, "provisional")
        self.registry, actors, places = read_provisional(section, self.registry)
        return actors, places

    # -- fields -------------------------------------------------------------------------

    def _event_ref_check(self, key: str, field: str, owner: str) -> None:
        if key not in self.event_dates:
            raise InputError(
                f"{self.root.file}: item {owner!r}.{field}: no event has id {key!r}.",
                hint=f"Known event ids: {', '.join(sorted(self.event_dates)) or 'none'}.",
            )

    def _event_date(self, key: str | None) -> DateValue | None:
        """An event's date for a fact at that event: value and basis, not the event's note."""
        date = self.event_dates.get(key) if key else None
        return dataclasses.replace(date, note=None) if date else None

    def _event_ref(self, item: Fields, field: str) -> str | None:
        key = item.text(field)
        if key is not None and key not in self.event_dates:
            raise item.error(
                field,
                f"no event has id {key!r}.",
                hint=f"Known event ids: {', '.join(sorted(self.event_dates)) or 'none'}.",
            )
        return key

    def _concept(self, item: Fields, field: str, scheme: str, default: str | None = None) -> str:
        value = item.text(field, default, required=default is None) or ""
        return self._check_concept(item, field, scheme, value)

    def _concepts(self, item: Fields, field: str, scheme: str) -> tuple[str, ...]:
        values = item.texts(field)
        if not values:
            raise item.error(field, f"needs at least one {scheme} notation.")
        return tuple(self._check_concept(item, field, scheme, v) for v in values)

    def _check_concept(self, item: Fields, field: str, scheme: str, value: str) -> str:
        known = self.vocabulary.get(scheme, frozenset())
        if value not in known:
            raise item.error(
                field,
                f"{value!r} is not in the {scheme} scheme.",
                hint=f"Use one of: {', '.join(sorted(known))}.",
            )
        return value

    def _date(self, item: Fields, field: str) -> DateValue | None:
        raw = item.data.get(field)
        if raw is None:
            return None
        if isinstance(raw, dict):
            sub = Fields(raw, item.file, f"{item.where}.{field}")
            sub.check_keys({"value", "basis", "note"})
            value = sub.text("value", required=True) or ""
            basis = sub.text("basis", "stated") or "stated"
            note = sub.text("note")
            if basis == "corrected" and not note:
                raise sub.error("note", "a corrected date needs a note saying why.")
        else:
            value, basis, note = str(raw), "stated", None
        try:
            return DateValue.parse_edtf(value, basis, note)
        except ValueError as exc:
            raise item.error(
                field,
                f"{exc}.",
                hint="Write 2024-04-02, 2024-W14, 2024-04 or 2024, or an EDTF date: 2024~ "
                "(around), 2024-03?, 2024-21 (spring; 22-24 summer to winter), 2023-11-1X, "
                "2023-11-11/2023-11-20 (docs/model.md, Dates).",
            ) from exc

    def _day(self, item: Fields, field: str) -> dt.date | None:
        value = item.data.get(field)
        if value is None:
            return None
        try:
            return DateValue.parse(str(value)).earliest
        except ValueError as exc:
            raise item.error(field, f"{exc}.") from exc

    def _confidence(self, item: Fields) -> float:
        """The optional ``confidence`` (0 to 1) extraction gave a fact; 1 when absent."""
        raw = item.data.get("confidence")
        if raw is None:
            return 1.0
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
            raise item.error("confidence", f"{raw!r} is not a number from 0 to 1.")
        return float(raw)

    def _actor(self, item: Fields, field: str, name: str, when: DateValue | None) -> str:
        try:
            return self.registry.resolve_actor(name, when).id
        except DipkgError as exc:
            raise item.error(field, exc.message, hint=exc.hint) from exc

    def _actors(self, item: Fields, field: str, when: DateValue | None) -> tuple[str, ...]:
        return tuple(self._actor(item, field, name, when) for name in item.texts(field))

    def _evidence(self, item: Fields, field: str = "evidence") -> tuple[Span, ...]:
        raw = item.data.get(field)
        if not raw:
            raise item.error(field, "needs at least one quote from the document.")
        if not isinstance(raw, list):
            raise item.error(field, "must be a list of quotes.")
        return tuple(self._span(item, f"{field}[{i}]", entry) for i, entry in enumerate(raw))

    def _span(self, item: Fields, field: str, entry: object) -> Span:
        occurrence = 1
        if isinstance(entry, dict):
            sub = Fields(entry, item.file, f"{item.where}.{field}")
            sub.check_keys({"quote", "occurrence"})
            quote = sub.text("quote", required=True) or ""
            occurrence = int(sub.text("occurrence", "1") or 1)
        elif isinstance(entry, str):
            quote = entry
        else:
            raise item.error(field, "must be a quote or {quote, occurrence}.")
        text = self.document.text
        start = -1
        for _ in range(occurrence):
            start = text.find(quote, start + 1)
            if start < 0:
                break
        if start < 0 or not quote:
            raise item.error(
                field,
                f"quote not found in {self.document.id} (occurrence {occurrence}): {quote!r}",
                hint="Copy the quote exactly from the text, curly quotes (’ “ ”) included.",
            )
        return Span(self.document.id, start, start + len(quote), quote)

    # -- items --------------------------------------------------------------------------

    def _event(self, item: Fields) -> Event:
        item.check_keys(
            {
                "id",
                "type",
                "name",
                "status",
                "date",
                "earliest",
                "location",
                "part_of",
                "participants",
                "evidence",
                "note",
            }
            | _FROM_EXTRACTION
        )
        key = item.text("id", required=True) or ""
        date = self.event_dates[key]
        earliest = self._day(item, "earliest")
        when = date or (DateValue.parse(earliest.isoformat()) if earliest else None)
        evidence = self._evidence(item)
        location = item.text("location")
        if location is not None:
            try:
                location = self.registry.resolve_place(location).id
            except DipkgError as exc:
                raise item.error("location", exc.message, hint=exc.hint) from exc
        participants = tuple(
            self._participation(p, when, evidence) for p in item.items("participants")
        )
        return Event(
            key=key,
            document_id=self.document.id,
            type=self._concept(item, "type", "event-type"),
            status=self._concept(item, "status", "event-status", "held"),
            participants=participants,
            evidence=evidence,
            date=date,
            earliest=earliest,
            location=location,
            part_of=item.text("part_of"),
            name=item.text("name"),
            note=item.text("note"),
            confidence=self._confidence(item),
            rule=item.text("rule") or "",
        )

    def _participation(
        self, item: Fields, when: DateValue | None, default_evidence: tuple[Span, ...]
    ) -> Participation:
        item.check_keys({"actor", "office", "represents", "role", "evidence"})
        office_name = item.text("office")
        actor_name = item.text("actor")
        if actor_name is None and office_name is None:
            raise item.error("actor", "a participant needs an actor or an office.")
        office = None
        if office_name is not None:
            office = self._actor(item, "office", office_name, None)
            if self.registry.actors[office].kind != "office":
                raise item.error("office", f"{office_name!r} is not an office in the registry.")
        if actor_name is not None:
            actor = self._actor(item, "actor", actor_name, when)
        else:
            holder = self.registry.office_holder(office or "", when)
            actor = holder.id if holder else office or ""
        if office is None and self.registry.actors[actor].kind == "person":
            office = self.registry.office_at(actor, when)
        if actor == office:
            office = None
        represents_name = item.text("represents")
        represents = (
            self._actor(item, "represents", represents_name, None)
            if represents_name
            else self.registry.represented_by(actor, office)
        )
        evidence = self._evidence(item) if item.data.get("evidence") else default_evidence
        return Participation(
            actor=actor,
            office=office,
            represents=represents,
            role=self._concept(item, "role", "participant-role", "participant"),
            evidence=evidence,
        )

    def _pledge(self, item: Fields) -> Pledge:
        item.check_keys(
            {
                "id",
                "kind",
                "makers",
                "on_behalf_of",
                "recipients",
                "content",
                "topics",
                "made_at",
                "date",
                "steps",
                "note",
            }
            | _FROM_EXTRACTION
        )
        made_at = self._event_ref(item, "made_at")
        date = self._date(item, "date") or self._event_date(made_at)
        makers = self._actors(item, "makers", date)
        if not makers:
            raise item.error("makers", "a pledge needs at least one maker.")
        steps = tuple(self._step(s, date, made_at) for s in item.items("steps"))
        if not steps:
            raise item.error("steps", "a pledge needs at least one step (made, reaffirmed, ...).")
        return Pledge(
            key=item.text("id", required=True) or "",
            document_id=self.document.id,
            kind=self._concept(item, "kind", "commitment-kind", "pledge"),
            makers=makers,
            content=item.text("content", required=True) or "",
            topics=self._concepts(item, "topics", "topic"),
            steps=steps,
            on_behalf_of=self._actors(item, "on_behalf_of", date),
            recipients=self._actors(item, "recipients", date),
            made_at=made_at,
            date=date,
            note=item.text("note"),
            confidence=self._confidence(item),
            rule=item.text("rule") or "",
        )

    def _step(self, item: Fields, pledge_date: DateValue | None, made_at: str | None) -> StatusStep:
        item.check_keys({"status", "date", "at", "by", "evidence"})
        at = self._event_ref(item, "at") or (made_at if item.data.get("date") is None else None)
        date = self._date(item, "date") or self._event_date(at)
        return StatusStep(
            status=self._concept(item, "status", "pledge-status"),
            document_id=self.document.id,
            evidence=self._evidence(item),
            date=date or pledge_date,
            at=at,
            by=self._actors(item, "by", date or pledge_date),
        )

    def _demand(self, item: Fields) -> Demand:
        item.check_keys(
            {
                "id",
                "kind",
                "by",
                "on_behalf_of",
                "to",
                "content",
                "topics",
                "at",
                "date",
                "evidence",
                "note",
            }
            | _FROM_EXTRACTION
        )
        at = self._event_ref(item, "at")
        date = self._date(item, "date") or self._event_date(at)
        requesters = self._actors(item, "by", date)
        if not requesters:
            raise item.error("by", "a demand needs at least one actor making it.")
        return Demand(
            key=item.text("id", required=True) or "",
            document_id=self.document.id,
            kind=self._concept(item, "kind", "demand-kind", "demand"),
            requesters=requesters,
            content=item.text("content", required=True) or "",
            topics=self._concepts(item, "topics", "topic"),
            evidence=self._evidence(item),
            on_behalf_of=self._actors(item, "on_behalf_of", date),
            addressees=self._actors(item, "to", date),
            at=at,
            date=date,
            note=item.text("note"),
            confidence=self._confidence(item),
            rule=item.text("rule") or "",
        )

    def _statement(self, item: Fields) -> Statement:
        item.check_keys(
            {
                "id",
                "speaker",
                "quote",
                "at",
                "date",
                "topics",
                "evidence",
                "note",
            }
            | _FROM_EXTRACTION
        )
        at = self._event_ref(item, "at")
        date = self._date(item, "date") or self._event_date(at)
        quote = item.text("quote", required=True) or ""
        evidence = self._evidence(item)
        if not any(quote in span.text for span in evidence):
            raise item.error(
                "quote",
                f"{quote!r} is not inside any of the statement's evidence quotes.",
                hint="The evidence must contain the verbatim quote.",
            )
        return Statement(
            key=item.text("id", required=True) or "",
            document_id=self.document.id,
            speaker=self._actor(item, "speaker", item.text("speaker", required=True) or "", date),
            quote=quote,
            evidence=evidence,
            at=at,
            date=date,
            topics=tuple(
                self._check_concept(item, "topics", "topic", t) for t in item.texts("topics")
            ),
            note=item.text("note"),
            confidence=self._confidence(item),
            rule=item.text("rule") or "",
        )

    def _response(self, item: Fields, demands: set[str]) -> Response:
        item.check_keys(
            {"id", "demand", "kind", "by", "date", "evidence", "note"} | _FROM_EXTRACTION
        )
        demand = item.text("demand", required=True) or ""
        if demand not in demands:
            raise item.error(
                "demand",
                f"no demand has id {demand!r}.",
                hint=f"Known demand ids: {', '.join(sorted(demands)) or 'none'}.",
            )
        date = self._date(item, "date")
        responders = self._actors(item, "by", date)
        if not responders:
            raise item.error("by", "a response needs at least one actor who responded.")
        return Response(
            key=item.text("id", required=True) or "",
            document_id=self.document.id,
            demand=demand,
            kind=self._concept(item, "kind", "response-kind"),
            responders=responders,
            evidence=self._evidence(item),
            date=date,
            note=item.text("note"),
            confidence=self._confidence(item),
            rule=item.text("rule") or "",
        )
