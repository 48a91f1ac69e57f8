"""Writing a coding: records -> ``{doc}.coding.yaml`` in the curated format that
:mod:`kg.sources.coding` reads (docs/model.md, "The curated coding").

``dipkg extract`` writes automatic extractions this way for an analyst to review. The output
is deterministic: items in the order given, keys in the order of docs/model.md, provisional
entries sorted by id, and a field left out wherever the reader's default gives the same value.
Actors and places are named by id (which the reader resolves to themselves).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import yaml

from kg.records import (
    Actor,
    Coding,
    DateValue,
    Demand,
    Event,
    Fact,
    Participation,
    Place,
    Pledge,
    Response,
    Span,
    Statement,
    StatusStep,
)
from kg.sources.registry import Registry

_SECTION_OF_KIND = {
    "state": "states",
    "organisation": "organisations",
    "person": "people",
    "office": "offices",
    "anonymous": "anonymous",
}


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key (as the bundled codings are written)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Flow(list[str]):
    """A short list of names or notations, written on one line: ``makers: [china]``."""


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def _date(value: DateValue) -> str | dict[str, str]:
    """A date as the reader takes it: bare when stated without a note.

    >>> _date(DateValue.parse("2024-04", "inferred"))
    {'value': '2024-04', 'basis': 'inferred'}
    >>> _date(DateValue.parse_edtf("2024-21"))
    '2024-21'
    """
    if value.basis == "stated" and value.note is None:
        return value.text
    entry = {"value": value.text, "basis": value.basis}
    if value.note is not None:
        entry["note"] = value.note
    return entry


def _quote(text: str, span: Span) -> str | dict[str, object]:
    """A span as a quote, with its occurrence when an earlier copy of the quote comes first
    (counted as the reader counts: every start, overlapping ones included).

    >>> _quote("a b a b", Span("d", 4, 7, "a b"))
    {'quote': 'a b', 'occurrence': 2}
    """
    occurrence, start = 1, text.find(span.text)
    while 0 <= start < span.start:
        occurrence += 1
        start = text.find(span.text, start + 1)
    return span.text if occurrence == 1 else {"quote": span.text, "occurrence": occurrence}


def _actor_entry(actor: Actor) -> dict[str, object]:
    entry: dict[str, object] = {"id": actor.id, "label": actor.label}
    for key, value in (
        ("aliases", _Flow(actor.aliases)),
        ("metonyms", _Flow(actor.metonyms)),
        ("wikidata", actor.wikidata),
        ("country", actor.country),
        ("of", actor.office_of),
    ):
        if value:
            entry[key] = value
    if actor.terms:
        entry["offices"] = [
            {
                k: v
                for k, v in (
                    ("office", t.office),
                    ("from", t.start.iso if t.start else None),
                    ("to", t.end.iso if t.end else None),
                )
                if v is not None
            }
            for t in actor.terms
        ]
    return entry


def _place_entry(place: Place) -> dict[str, object]:
    entry: dict[str, object] = {"id": place.id, "label": place.label}
    for key, value in (("in", place.parent), ("aliases", _Flow(place.aliases))):
        if value:
            entry[key] = value
    if place.wikidata:
        entry["wikidata"] = place.wikidata
    return entry


def _entries(
    actors: Sequence[Actor], places: Sequence[Place]
) -> dict[str, list[dict[str, object]]]:
    """Registry sections of ``actors`` and ``places``, each sorted by id."""
    root: dict[str, list[dict[str, object]]] = {}
    for kind, section in _SECTION_OF_KIND.items():
        entries = [_actor_entry(a) for a in sorted(actors, key=lambda a: a.id) if a.kind == kind]
        if entries:
            root[section] = entries
    if places:
        root["places"] = [_place_entry(p) for p in sorted(places, key=lambda p: p.id)]
    return root


class _CodingWriter:
    def __init__(self, coding: Coding, registry: Registry) -> None:
        self.text = coding.document.text
        self.registry = registry
        # the reader gives a fact at an event the event's date without its note
        self.event_dates = {
            e.key: dataclasses.replace(e.date, note=None) if e.date else None for e in coding.events
        }

    def quotes(self, spans: Sequence[Span]) -> list[str | dict[str, object]]:
        return [_quote(self.text, span) for span in spans]

    @staticmethod
    def optional(entry: dict[str, Any], **fields: object) -> None:
        """Add the fields that have a value (empty lists and ``None`` are left out)."""
        entry.update({k: v for k, v in fields.items() if v not in (None, [], ())})

    @staticmethod
    def rated(entry: dict[str, Any], fact: Fact | Response) -> None:
        """Add what extraction says of a fact: its confidence, and the rule that found it."""
        entry["confidence"] = round(fact.confidence, 2)
        if fact.rule:
            entry["rule"] = fact.rule

    def event(self, event: Event) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": event.key, "type": event.type}
        if event.status != "held":
            entry["status"] = event.status
        self.optional(
            entry,
            date=_date(event.date) if event.date else None,
            earliest=event.earliest.isoformat() if event.earliest else None,
            location=event.location,
            part_of=event.part_of,
            name=event.name,
        )
        when = event.date or (
            DateValue.parse(event.earliest.isoformat()) if event.earliest else None
        )
        entry["participants"] = [
            self.participant(p, when, event.evidence) for p in event.participants
        ]
        entry["evidence"] = self.quotes(event.evidence)
        self.optional(entry, note=event.note)
        self.rated(entry, event)
        return entry

    def participant(
        self, part: Participation, when: DateValue | None, evidence: tuple[Span, ...]
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"actor": part.actor}
        inferred = None  # the office the reader gives a person at the event's date
        if self.registry.actors[part.actor].kind == "person":
            inferred = self.registry.office_at(part.actor, when)
        if part.office is not None and part.office != inferred:
            entry["office"] = part.office
        if part.represents != self.registry.represented_by(part.actor, part.office):
            entry["represents"] = part.represents
        if part.role != "participant":
            entry["role"] = part.role
        if part.evidence != evidence:
            entry["evidence"] = self.quotes(part.evidence)
        return entry

    def pledge(self, pledge: Pledge) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": pledge.key, "kind": pledge.kind}
        entry["makers"] = _Flow(pledge.makers)
        self.optional(
            entry, on_behalf_of=_Flow(pledge.on_behalf_of), recipients=_Flow(pledge.recipients)
        )
        entry["content"] = pledge.content
        entry["topics"] = _Flow(pledge.topics)
        self.optional(entry, made_at=pledge.made_at)
        if pledge.date is not None and pledge.date != self.event_dates.get(pledge.made_at or ""):
            entry["date"] = _date(pledge.date)
        entry["steps"] = [self.step(s, pledge) for s in pledge.steps]
        self.optional(entry, note=pledge.note)
        self.rated(entry, pledge)
        return entry

    def step(self, step: StatusStep, pledge: Pledge) -> dict[str, Any]:
        entry: dict[str, Any] = {"status": step.status}
        # without a date of its own a step is at the pledge's event, dated as that event
        at_default = step.at or pledge.made_at
        default = self.event_dates.get(at_default or "") or pledge.date
        if step.date is not None and (step.date != default or step.at != at_default):
            entry["date"] = _date(step.date)
        # the pledge's event goes without saying unless a date of the step's own is given
        if step.at is not None and (step.at != pledge.made_at or "date" in entry):
            entry["at"] = step.at
        self.optional(entry, by=_Flow(step.by))
        entry["evidence"] = self.quotes(step.evidence)
        return entry

    def demand(self, demand: Demand) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": demand.key, "kind": demand.kind}
        entry["by"] = _Flow(demand.requesters)
        self.optional(entry, on_behalf_of=_Flow(demand.on_behalf_of), to=_Flow(demand.addressees))
        entry["content"] = demand.content
        entry["topics"] = _Flow(demand.topics)
        self.optional(entry, at=demand.at)
        if demand.date is not None and demand.date != self.event_dates.get(demand.at or ""):
            entry["date"] = _date(demand.date)
        entry["evidence"] = self.quotes(demand.evidence)
        self.optional(entry, note=demand.note)
        self.rated(entry, demand)
        return entry

    def statement(self, statement: Statement) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": statement.key, "speaker": statement.speaker}
        entry["quote"] = statement.quote
        self.optional(entry, at=statement.at)
        if statement.date is not None and statement.date != self.event_dates.get(
            statement.at or ""
        ):
            entry["date"] = _date(statement.date)
        self.optional(entry, topics=_Flow(statement.topics))
        entry["evidence"] = self.quotes(statement.evidence)
        self.optional(entry, note=statement.note)
        self.rated(entry, statement)
        return entry

    def response(self, response: Response) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": response.key, "demand": response.demand}
        entry["kind"] = response.kind
        entry["by"] = _Flow(response.responders)
        self.optional(entry, date=_date(response.date) if response.date else None)
        entry["evidence"] = self.quotes(response.evidence)
        self.optional(entry, note=response.note)
        self.rated(entry, response)
        return entry


def write_coding(
    coding: Coding,
    registry: Registry,
    *,
    actors: Sequence[Actor] = (),
    places: Sequence[Place] = (),
    coder: str | None = None,
    header: Sequence[str] = (),
) -> str:
    """A coding as YAML text in the curated format, ready to review and to read back.

    Args:
        coding: the facts (every actor id in the registry or in ``actors``).
        registry: the registry the facts were made against.
        actors: provisional actors the registry lacks, written under ``provisional``.
        places: provisional places the registry lacks, likewise.
        coder: who made it (the ``coder`` field).
        header: comment lines put before the YAML (without ``#``).

    Returns:
        The file's text.
    """
    full = registry.extended(actors, places)
    writer = _CodingWriter(coding, full)
    root: dict[str, Any] = {"document": coding.document.id}
    if coder:
        root["coder"] = coder
    if actors or places:
        root["provisional"] = _entries(actors, places)
    sections: dict[str, list[dict[str, Any]]] = {
        "events": [writer.event(e) for e in coding.events],
        "pledges": [writer.pledge(p) for p in coding.pledges],
        "demands": [writer.demand(d) for d in coding.demands],
        "statements": [writer.statement(s) for s in coding.statements],
        "responses": [writer.response(r) for r in coding.responses],
    }
    root.update({key: items for key, items in sections.items() if items})
    body = yaml.dump(root, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header)
    return comments + body


def write_registry(actors: Sequence[Actor], places: Sequence[Place] = ()) -> str:
    """Actors and places as YAML text in the registry format (docs/model.md), the form of
    the registry additions the review queue keeps.

    >>> print(write_registry([Actor("indonesia", "Indonesia", "state", wikidata="Q252")]), end="")
    states:
      - id: indonesia
        label: Indonesia
        wikidata: Q252
    """
    root = _entries(actors, places)
    return yaml.dump(root, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
