"""Automatic extraction: a :class:`~kg.records.Document` and the actor registry -> the same
records a curated coding produces (events, pledges, demands, statements, each with evidence
spans into the exact document text and a confidence), plus the provisional actors and places
it had to introduce for names the registry lacks.

Pipeline per document: :func:`kg.sources.cleaning.clean_text` (web noise blanked out in place) ->
spaCy parse (:mod:`.sentences`) -> mentions (:mod:`.entities`) and dates (:mod:`.dates`) ->
events (:mod:`.events`) -> pledges (:mod:`.pledges`) -> demands (:mod:`.demands`) ->
statements (:mod:`.statements`). Pure: no I/O, no store; ``dipkg ingest`` maps the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.extract.context import Context, UnresolvedDate
from kg.extract.demands import extract_demands
from kg.extract.entities import EntityIndex, entity_index
from kg.extract.events import extract_events
from kg.extract.pledges import extract_pledges
from kg.extract.statements import extract_statements
from kg.extract.syntax import parse, parse_many
from kg.records import Actor, Coding, Document, Place, Vocabulary
from kg.sources.cleaning import CleanText, Noise, clean_text
from kg.sources.registry import Registry

__all__ = ["Extraction", "Extractor", "UnresolvedDate", "extract", "registry_with"]


@dataclass(frozen=True, slots=True)
class Extraction:
    """What automatic extraction found in one document.

    Attributes:
        coding: the facts, as a :class:`Coding` with ``source="automatic"``; every actor id
            in it is a registry id or the id of one of ``actors``.
        actors: provisional actors (``is_provisional=True``) for people, states and anonymous
            sources the registry lacks; ids are slugs of their names.
        places: provisional places named as event locations that the registry lacks.
        unresolved_dates: date expressions that could not be read (e.g. "last Tuesday" with
            no publication date), with the reason; the facts they belong to stay undated.
        noise: the web-noise ranges that were left out of extraction.
    """

    coding: Coding
    actors: tuple[Actor, ...] = ()
    places: tuple[Place, ...] = ()
    unresolved_dates: tuple[UnresolvedDate, ...] = ()
    noise: tuple[Noise, ...] = ()


class Extractor:
    """Extraction against one registry and vocabulary; reuse it for many documents.

    Building the registry's phrase patterns costs a little; the spaCy model is loaded once
    per process whatever the number of extractors.
    """

    def __init__(self, registry: Registry, vocabulary: Vocabulary) -> None:
        self.registry = registry
        self.vocabulary = vocabulary
        self._index: EntityIndex = entity_index(registry)

    def extract(self, document: Document) -> Extraction:
        """Extract one document."""
        cleaned = clean_text(document)
        return self._extract(document, cleaned, parse(cleaned.masked))

    def extract_many(
        self, documents: Iterable[Document], batch_size: int = 16
    ) -> Iterator[Extraction]:
        """Extract many documents, parsing them in batches; results in input order."""
        pending = [(d, clean_text(d)) for d in documents]
        docs = parse_many((c.masked for _, c in pending), batch_size=batch_size)
        for (document, cleaned), doc in zip(pending, docs, strict=True):
            yield self._extract(document, cleaned, doc)

    def _extract(self, document: Document, cleaned: CleanText, doc: Doc) -> Extraction:
        index = self._index.for_document()
        context = Context.build(document, cleaned, doc, index, self.vocabulary)
        events = extract_events(context)
        pledges = extract_pledges(context)
        demands = extract_demands(context)
        statements = extract_statements(context)
        coding = Coding(
            document,
            tuple(events),
            tuple(pledges),
            tuple(demands),
            tuple(statements),
            source="automatic",
        )
        used = _actor_ids(coding)
        for actor_id in list(used):
            actor = index.provisional.get(actor_id)
            while actor is not None and actor.country and actor.country not in used:
                used.add(actor.country)
                actor = index.provisional.get(actor.country)
        return Extraction(
            coding,
            tuple(a for i, a in sorted(index.provisional.items()) if i in used),
            tuple(
                p
                for i, p in sorted(index.provisional_places.items())
                if i in {e.location for e in events}
            ),
            tuple(context.unresolved),
            cleaned.noise,
        )


def _actor_ids(coding: Coding) -> set[str]:
    ids: set[str] = set()
    for event in coding.events:
        for p in event.participants:
            ids.update(x for x in (p.actor, p.office, p.represents) if x)
    for pledge in coding.pledges:
        ids.update((*pledge.makers, *pledge.on_behalf_of, *pledge.recipients))
        for step in pledge.steps:
            ids.update(step.by)
    for demand in coding.demands:
        ids.update((*demand.requesters, *demand.on_behalf_of, *demand.addressees))
    ids.update(s.speaker for s in coding.statements)
    return ids


_EXTRACTORS: dict[tuple[int, int], Extractor] = {}


def extract(document: Document, registry: Registry, vocabulary: Vocabulary) -> Extraction:
    """Extract one document (an :class:`Extractor` per registry is kept for reuse)."""
    key = (id(registry), id(vocabulary))
    extractor = _EXTRACTORS.get(key)
    if extractor is None or extractor.registry is not registry:
        _EXTRACTORS.clear()
        extractor = _EXTRACTORS[key] = Extractor(registry, vocabulary)
    return extractor.extract(document)


def registry_with(registry: Registry, extraction: Extraction) -> Registry:
    """The registry plus an extraction's provisional actors and places (for mapping)."""
    return registry.extended(extraction.actors, extraction.places)
