"""Automatic extraction: a :class:`~kg.records.Document` and the actor registry -> the same
records a curated coding produces (events, pledges, demands, statements, responses to the
demands, each with evidence
spans into the exact document text and a confidence), plus the provisional actors and places
it had to introduce for names the registry lacks.

Pipeline per document: :func:`kg.sources.cleaning.clean_text` (web noise blanked out in place) ->
spaCy parse (:mod:`.sentences`) -> mentions (:mod:`.entities`) and dates (:mod:`.dates`) ->
events (:mod:`.events`) -> pledges (:mod:`.pledges`) -> demands (:mod:`.demands`) -> their
responses (:mod:`.responses`) -> statements (:mod:`.statements`) -> each fact rated by the
record of its rule, and the facts of rules that lower F1 left out (:mod:`.confidence`), or
kept by the trained sentence classifier (:mod:`.detection`, the ``learned`` design). Pure: no
I/O, no store; ``dipkg ingest`` maps the result. Each document is extracted within its own
time limit (:mod:`.deadline`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.errors import ExtractionError, UsageError
from kg.extract.confidence import rate, rule_counts
from kg.extract.context import Context, UnresolvedDate
from kg.extract.deadline import Deadline
from kg.extract.demands import extract_demands
from kg.extract.detection import DEFAULT_DESIGN, DESIGNS, load_detector
from kg.extract.entities import EntityIndex, entity_index
from kg.extract.events import extract_events
from kg.extract.pledges import extract_pledges
from kg.extract.responses import extract_responses
from kg.extract.statements import extract_statements
from kg.extract.syntax import load_nlp, parse
from kg.records import (
    Actor,
    Coding,
    Demand,
    Document,
    Event,
    Place,
    Pledge,
    Statement,
    Vocabulary,
)
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

    Args:
        registry: the actor registry.
        vocabulary: scheme notations.
        timeout: seconds one document's extraction may take (``None`` or 0: no limit).
        keep_all: keep the facts of every rule, also those the rule counts leave out (to
            count every rule, ``dipkg eval --by-rule``).
        detection: ``rules`` (facts kept by their rule's record) or ``learned`` (and by the
            trained sentence classifier, :mod:`.detection`); default
            :data:`~kg.extract.detection.DEFAULT_DESIGN`.

    Raises:
        UsageError: ``detection`` is not one of :data:`~kg.extract.detection.DESIGNS`.
    """

    def __init__(
        self,
        registry: Registry,
        vocabulary: Vocabulary,
        timeout: float | None = None,
        keep_all: bool = False,
        detection: str = DEFAULT_DESIGN,
    ) -> None:
        if detection not in DESIGNS:
            raise UsageError(
                f"detection {detection!r} is not a design of extraction.",
                hint=f"Use one of: {', '.join(DESIGNS)}.",
            )
        self.registry = registry
        self.vocabulary = vocabulary
        self.timeout = timeout
        self.keep_all = keep_all
        self.detection = detection
        self._index: EntityIndex = entity_index(registry)

    def extract(self, document: Document) -> Extraction:
        """Extract one document, within the time limit (cleaning and parsing included).

        Each document is parsed on its own, so that its time is its own (slower than spaCy's
        batches: 0.73x their rate in bench/RESULTS.md, against 0.84x when extraction batched).

        Raises:
            ExtractionTimeoutError: it took longer than ``timeout``.
            ExtractionError: its text is longer than the parser takes.
        """
        longest = load_nlp().max_length  # the model loads outside any document's time
        deadline = Deadline(self.timeout)
        cleaned = clean_text(document)
        if len(cleaned.masked) > longest:
            raise ExtractionError(
                f"extraction failed: the text has {len(cleaned.masked):,} characters, "
                f"more than the parser takes ({longest:,}).",
                hint="Split the document.",
            )
        deadline.check()
        doc = parse(cleaned.masked, deadline)
        return self._extract(document, cleaned, doc, deadline)

    def extract_many(self, documents: Iterable[Document]) -> Iterator[Extraction]:
        """Extract many documents one by one, each within the time limit; in input order.

        Raises:
            ExtractionError: as :meth:`extract`, for the first document that fails.
        """
        for document in documents:
            yield self.extract(document)

    def _extract(
        self, document: Document, cleaned: CleanText, doc: Doc, deadline: Deadline
    ) -> Extraction:
        index = self._index.for_document()
        context = Context.build(document, cleaned, doc, index, self.vocabulary, deadline)
        events = extract_events(context)
        pledges = extract_pledges(context)
        demands = extract_demands(context)
        responses = extract_responses(context, demands)
        statements = extract_statements(context)
        found = Coding(
            document,
            tuple(events),
            tuple(pledges),
            tuple(demands),
            tuple(statements),
            source="automatic",
            responses=tuple(responses),
        )
        counts = rule_counts()
        keep = None
        if self.detection == "learned" and not self.keep_all:
            detector = load_detector()
            scores = detector.score_document(doc)
            deadline.check()

            def keep(fact: Event | Pledge | Demand | Statement) -> bool:
                return detector.keeps(fact, scores, counts)

        coding = rate(found, counts, keep_all=self.keep_all, keep=keep)
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
                if i in {e.location for e in coding.events}
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
    for response in coding.responses:
        ids.update(response.responders)
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
