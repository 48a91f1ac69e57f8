"""The review queue: what automatic ingest left for a person to decide, and the decisions.

The queue holds the provisional actors in the store (:func:`kg.sources.registry.read_provisional`
marks them, :func:`kg.rdf.mapping.map_registry` writes ``dip:isProvisional``), the facts of
automatic codings whose ``dip:confidence`` is below the ``review_confidence`` setting, and the
events with no date. A decision is one of: merge a provisional actor into a registry actor;
accept it as a new registry actor (with an optional Wikidata ID); accept, correct (date, event
type, participants) or reject a fact.

Every decision becomes a curated change kept in the review directory
(:attr:`kg.config.Settings.review_path`): the reviewed coding of each document it touches
(``codings/{id}.coding.yaml``, written by :func:`kg.sources.coding_writer.write_coding`, read
back with the curated loader next time) and, for an accepted actor, the registry additions
(``registry.yaml``, which every :class:`kg.flows.ingest.Ingester` reads after the corpus's
registry). The reviewed coding is then re-ingested through the ingest of the command line
(:meth:`kg.flows.ingest.Ingester.ingest`, its SHACL gate and its one write), recorded in the
graph of changes as a ``review`` made by the reviewer, with the decision as its note. The
document stays an automatic one, so the facts not yet reviewed keep their confidence (and
their place in the queue); a reviewed fact's confidence becomes 1. A decision the gate refuses
leaves the store and the review directory as they were.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, XSD

from kg import iris
from kg.config import Settings
from kg.errors import InputError, UsageError, ValidationError
from kg.extract import Extraction
from kg.flows.ingest import Ingester, Outcome
from kg.query.internal import internal_query
from kg.rdf.reading import GraphReadError, StoredCoding, read_coding
from kg.records import (
    Coding,
    DateValue,
    Document,
    Event,
    Fact,
    Participation,
    Pledge,
    StatusStep,
    Vocabulary,
)
from kg.sources.articles import read_document
from kg.sources.coding import CodingFile, parse_coding, read_coding_file
from kg.sources.coding_writer import write_coding, write_registry
from kg.sources.registry import Registry, load_registry
from kg.store.base import Queryable, Store
from kg.vocab import DIP

AGENT = "reviewer"
"""Who the graph of changes says made a review (a person behind the write token)."""
CODER = "dipkg review queue"
KINDS = {DIP.Event: "event", DIP.Pledge: "pledge", DIP.Demand: "demand", DIP.Statement: "statement"}
_SECTIONS = {"event": "events", "pledge": "pledges", "demand": "demands", "statement": "statements"}


@dataclass(frozen=True, slots=True)
class ProvisionalActor:
    """A provisional actor in the store and the documents that name it."""

    id: str
    iri: str
    label: str
    documents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueuedFact:
    """A fact to review: its kind, label, confidence (``None``: undated, not doubtful), date,
    and where one document reports it (``start``-``end``, one span of its evidence there)."""

    iri: str
    kind: str
    label: str
    confidence: float | None
    date: str | None
    document: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Queue:
    """What awaits review."""

    actors: tuple[ProvisionalActor, ...]
    facts: tuple[QueuedFact, ...]


def review_directory(settings: Settings) -> Path:
    """The review directory of ``settings`` (created if missing).

    Raises:
        UsageError: there is none (a remote store without ``review_dir``).
    """
    path = settings.review_path
    if path is None:
        raise UsageError(
            "The review queue needs a directory for its reviewed codings.",
            hint="Set DIPKG_REVIEW_DIR (a remote store has no directory beside it).",
        )
    (path / "codings").mkdir(parents=True, exist_ok=True)
    return path


def session_secret(settings: Settings) -> str:
    """The key that signs the review session: the ``session_secret`` setting, else one made
    once and kept (readable by its owner only) in the review directory.

    Raises:
        UsageError: there is no review directory.
    """
    if settings.session_secret:
        return settings.session_secret
    path = review_directory(settings) / "session-secret"
    try:  # made once: the first of several worker processes wins, the others read it
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another process may be between its create and its write
        secret = path.read_text(encoding="ascii").strip()
        if secret:
            return secret
        time.sleep(0.1)
    raise UsageError(
        f"{path}: the session secret is empty.",
        hint="Delete the file (a new one is made) or set DIPKG_SESSION_SECRET.",
    )


def review_queue(store: Queryable, settings: Settings) -> Queue:
    """The provisional actors and the facts awaiting review in ``store``.

    Queries: ``kg/query/sparql/review-provisional.rq``, ``review-facts.rq``."""
    named: dict[tuple[str, str], list[str]] = {}
    for actor, label, document in store.query(internal_query("review-provisional")).rows:
        named.setdefault((str(actor), str(label)), []).append(str(document))
    prefix = str(iris.actor_iri(settings.base_iri, ""))
    actors = tuple(
        ProvisionalActor(iri.removeprefix(prefix), iri, label, tuple(sorted(set(docs))))
        for (iri, label), docs in named.items()
    )
    threshold = Literal(str(settings.review_confidence), datatype=XSD.decimal)
    query = internal_query("review-facts", threshold=threshold)
    facts: dict[tuple[str, str], QueuedFact] = {}
    for fact, kind, label, confidence, date, document, start, end in store.query(query).rows:
        key = (str(fact), str(document))
        if key not in facts:
            facts[key] = QueuedFact(
                str(fact),
                KINDS[kind],  # type: ignore[index]
                str(label or fact),
                None if confidence is None else float(str(confidence)),
                None if date is None else str(date),
                str(document),
                int(str(start)),
                int(str(end)),
            )
    return Queue(actors, tuple(facts.values()))


@dataclass(frozen=True, slots=True)
class Correction:
    """A reviewer's correction of one fact; ``None`` leaves a field as it is."""

    date: str | None = None
    type: str | None = None
    participants: tuple[str, ...] | None = None


class Reviewer:
    """Carries out review decisions against one store; reuse it for many (the registry,
    shapes and spaCy pipeline load once).

    Args:
        settings: the store's settings (review directory, base IRI, corpus).
        agent: who decides, for the graph of changes.
    """

    def __init__(self, settings: Settings, agent: str = AGENT) -> None:
        self.settings = settings
        self.agent = agent
        self.directory = review_directory(settings)
        self.ingester = Ingester(settings)

    # -- actors -------------------------------------------------------------------------

    def merge_actor(self, store: Store, actor_id: str, into: str) -> list[Outcome]:
        """Merge the provisional actor ``actor_id`` into the registry actor ``into``: every
        document naming it names ``into`` instead.

        Raises:
            InputError: an unknown actor, or a document the gate refused (nothing written).
        """
        if into not in self.ingester.registry.actors:
            raise InputError(
                f"{into!r} is not an actor of the registry.",
                hint="Pick the registry actor to merge into from the list.",
            )

        def merge(extraction: Extraction) -> Extraction:
            actors = tuple(
                dataclasses.replace(
                    a,
                    country=into if a.country == actor_id else a.country,
                    office_of=into if a.office_of == actor_id else a.office_of,
                )
                for a in extraction.actors
                if a.id != actor_id
            )
            coding = _renamed(extraction.coding, actor_id, into)
            return dataclasses.replace(extraction, coding=coding, actors=actors)

        label = self.ingester.registry.actors[into].label
        return self._each_naming(
            store, actor_id, merge, f"Provisional actor {actor_id} merged into {label}."
        )

    def accept_actor(self, store: Store, actor_id: str, wikidata: str | None) -> list[Outcome]:
        """Accept the provisional actor ``actor_id`` as a registry actor (with ``wikidata``,
        a Wikidata ID such as ``Q252``, if given), added to the registry additions.

        Raises:
            InputError: an unknown actor or malformed ID, or a document the gate refused.
        """
        documents = self._documents_naming(store, actor_id)
        provisional = self._extraction(store, documents[0]).actors
        found = next((a for a in provisional if a.id == actor_id), None)
        if found is None:
            raise InputError(f"{actor_id!r} is no provisional actor of {documents[0]}.")
        accepted = dataclasses.replace(found, is_provisional=False, wikidata=wikidata or None)
        additions = self.directory / "registry.yaml"
        earlier = list(load_registry(additions).actors.values()) if additions.exists() else []
        text = write_registry([*earlier, accepted])
        try:  # the additions must read as registry entries against the corpus's registry
            load_registry(self.settings.corpus_dir / "registry.yaml", (_draft(additions, text),))
        finally:
            _draft(additions, None)

        def accept(extraction: Extraction) -> Extraction:
            actors = tuple(a for a in extraction.actors if a.id != actor_id)
            return dataclasses.replace(extraction, actors=actors)

        note = f"Provisional actor {actor_id} accepted into the registry" + (
            f" as {wikidata}." if wikidata else "."
        )
        before = [self._extraction(store, document) for document in documents]
        ingester, registry, known = self.ingester, self.ingester.registry, self.ingester.additions
        ingester.registry, ingester.additions = registry.extended([accepted]), known | {actor_id}
        try:
            outcomes = [self._write(store, accept(extraction), note) for extraction in before]
        except (InputError, ValidationError):
            ingester.registry, ingester.additions = registry, known
            raise
        additions.write_text(text, encoding="utf-8")
        return outcomes

    # -- facts --------------------------------------------------------------------------

    def accept_fact(self, store: Store, document: str, kind: str, start: int, end: int) -> Outcome:
        """Accept a fact as extraction found it (its confidence becomes 1).

        Raises:
            InputError: the document reports no such fact, or the gate refused it.
        """
        return self._change_fact(
            store,
            document,
            kind,
            (start, end),
            lambda fact: dataclasses.replace(fact, confidence=1.0),
            "accepted",
        )

    def reject_fact(self, store: Store, document: str, kind: str, start: int, end: int) -> Outcome:
        """Reject a fact: the document's reviewed coding no longer has it.

        Raises:
            InputError: the document reports no such fact, or the gate refused the rest.
        """
        return self._change_fact(store, document, kind, (start, end), lambda fact: None, "rejected")

    def correct_fact(
        self, store: Store, document: str, kind: str, start: int, end: int, correction: Correction
    ) -> Outcome:
        """Correct a fact's date, event type or participants (its confidence becomes 1).

        Raises:
            InputError: a malformed correction, no such fact, or the gate refused it.
        """
        date = _date(correction.date) if correction.date else None
        registry = self.ingester.registry
        if correction.type is not None and correction.type not in self.ingester.notations.get(
            "event-type", frozenset()
        ):
            raise InputError(
                f"{correction.type!r} is no event type.",
                hint="Pick one from the list (the event-type scheme).",
            )

        def correct(fact: Fact) -> Fact:
            changes: dict[str, object] = {"confidence": 1.0}
            if date is not None:
                changes["date"] = date
            if date is not None and isinstance(fact, Pledge):
                # the steps dated as the pledge was (or undated) move with it
                changes["steps"] = tuple(
                    dataclasses.replace(s, date=date) if s.date in (None, fact.date) else s
                    for s in fact.steps
                )
            if isinstance(fact, Event):
                if correction.type is not None:
                    changes["type"] = correction.type
                if correction.participants is not None:
                    changes["participants"] = _participants(fact, correction.participants)
            elif correction.type is not None or correction.participants is not None:
                raise InputError("Only an event has a type and participants to correct.")
            return dataclasses.replace(fact, **changes)  # type: ignore[arg-type]

        if correction.participants is not None:
            unknown = [a for a in correction.participants if a not in registry.actors]
            if unknown:
                raise InputError(
                    f"{unknown[0]!r} is not an actor of the registry.",
                    hint="Name participants by their registry ids.",
                )
        return self._change_fact(store, document, kind, (start, end), correct, "corrected")

    # -- the one way a decision is written --------------------------------------------

    def _change_fact(
        self,
        store: Store,
        document: str,
        kind: str,
        span: tuple[int, int],
        change: Callable[[Fact], Fact | None],
        verb: str,
    ) -> Outcome:
        extraction = self._extraction(store, document)
        section = _SECTIONS.get(kind)
        if section is None:
            raise InputError(f"{kind!r} is no kind of fact; one of {', '.join(_SECTIONS)}.")
        facts: Sequence[Fact] = getattr(extraction.coding, section)
        found = [f for f in facts if span in {(s.start, s.end) for s in f.evidence}]
        if not found:
            raise InputError(
                f"{document} reports no {kind} with evidence at {span[0]}-{span[1]}.",
                hint="Reload the review queue: the fact may have been reviewed meanwhile.",
            )
        target = found[0]
        kept: list[Fact] = []
        for fact in facts:
            new = change(fact) if fact is target else fact
            if new is not None:
                kept.append(new)
        coding = dataclasses.replace(extraction.coding, **{section: tuple(kept)})  # type: ignore[arg-type]
        if verb == "rejected":
            coding = _unreferenced(coding, target.key)
        label = target.key
        note = f"{kind.capitalize()} {label} of {document} {verb}."
        return self._write(store, dataclasses.replace(extraction, coding=coding), note)

    def _each_naming(
        self, store: Store, actor_id: str, change: Callable[[Extraction], Extraction], note: str
    ) -> list[Outcome]:
        return [
            self._write(store, change(self._extraction(store, document)), note)
            for document in self._documents_naming(store, actor_id)
        ]

    def _write(self, store: Store, extraction: Extraction, note: str) -> Outcome:
        """Re-ingest a reviewed coding (kept as the document's reviewed coding once written).

        Raises:
            ValidationError: the gate refused it (the store and the directory unchanged).
        """
        coding = extraction.coding
        outcome = self.ingester.ingest(
            store,
            coding.document,
            extraction=extraction,
            agent=self.agent,
            kind="review",
            note=note,
        )
        if outcome.status == "rejected":
            raise ValidationError(
                f"The review of {coding.document.id} was refused by the shapes; the store is "
                "unchanged: " + "; ".join(outcome.reasons[:3]),
                hint="Correct the fact differently, or reject it.",
            )
        text = write_coding(
            coding,
            self.ingester.registry,
            actors=extraction.actors,
            places=extraction.places,
            coder=CODER,
            header=["Reviewed coding kept by the review queue; re-ingested on every decision."],
        )
        self._coding_path(coding.document.id).write_text(text, encoding="utf-8")
        _keep_document(self.directory, coding.document)
        return outcome

    # -- reading what is there ----------------------------------------------------------

    def _coding_path(self, document: str) -> Path:
        return self.directory / "codings" / f"{document}.coding.yaml"

    def _documents_naming(self, store: Store, actor_id: str) -> list[str]:
        queue = review_queue(store, self.settings)
        found = next((a for a in queue.actors if a.id == actor_id), None)
        if found is None:
            raise InputError(
                f"{actor_id!r} is not a provisional actor of the store.",
                hint="Reload the review queue: it may have been reviewed meanwhile.",
            )
        return list(found.documents)

    def _extraction(self, store: Store, document_id: str) -> Extraction:
        """The document's coding as last reviewed, else as its graph in the store states it
        (never extracted again: the reviewer decides on the facts the graph has)."""
        document = self._document(store, document_id)
        path = self._coding_path(document_id)
        if not path.exists():
            stored = stored_coding(store, document_id, self.ingester.registry, self.settings)
            coding = dataclasses.replace(stored.coding, document=document, source="automatic")
            return Extraction(coding, stored.actors, stored.places)
        curated = parse_coding(
            path.read_text(encoding="utf-8"),
            str(path),
            document,
            self.ingester.registry,
            self.ingester.notations,
        )
        coding = dataclasses.replace(curated.coding, source="automatic")
        return Extraction(coding, curated.actors, curated.places)

    def _document(self, store: Store, document_id: str) -> Document:
        base = self.settings.base_iri
        graph, node = (
            iris.document_graph_iri(base, document_id),
            iris.document_iri(base, document_id),
        )
        rows = store.query(internal_query("document-metadata", graph=graph, document=node)).rows
        values = {p: str(o) for p, o in rows}
        if DIP.text not in values:
            raise InputError(f"The store holds no document {document_id!r}.")
        issued = values.get(DCTERMS.issued)
        return Document(
            id=document_id,
            text=values[DIP.text],
            title=values.get(DCTERMS.title, document_id),
            published=DateValue.parse(issued) if issued else None,
            language=values.get(DCTERMS.language, "en"),
        )


def stored_coding(
    store: Queryable, document_id: str, registry: Registry, settings: Settings
) -> StoredCoding:
    """A document's coding as its named graph in ``store`` states it (:mod:`kg.rdf.reading`),
    with what the other graphs state once of the nodes it shares with them.

    Query: ``kg/query/sparql/document-context.rq``.

    Raises:
        InputError: the store holds no such document, or its graph is not one dipkg mapped.
    """
    graph_iri = iris.document_graph_iri(settings.base_iri, document_id)
    graph = store.query(internal_query("graph-triples", graph=graph_iri)).graph or Graph()
    context = store.query(internal_query("document-context", graph=graph_iri)).graph or Graph()
    try:
        return read_coding(graph, document_id, registry, settings.base_iri, context)
    except GraphReadError as exc:
        raise InputError(
            f"The store's graph of {document_id} cannot be read as a coding: {exc}",
            hint="Ingest the document again.",
        ) from None


def reviewed_codings(
    settings: Settings, registry: Registry, vocabulary: Vocabulary, skip: frozenset[str]
) -> list[CodingFile]:
    """The reviewed codings of the review directory (none without one), each with its
    document as the review kept it (``documents/{id}.txt`` and ``.meta.yaml``) and the
    accepted actors it names among its actors, as automatic codings; ``skip`` the ids of
    documents to leave out (the corpus's: a curated coding wins, as in ingest).

    Raises:
        InputError: a reviewed coding without its document, or one that no longer reads
            (naming the file).
    """
    directory = settings.review_path
    if directory is None or not (directory / "codings").is_dir():
        return []
    files = []
    accepted_ids = _additions(settings)
    for path in sorted((directory / "codings").glob("*.coding.yaml")):
        document_id = path.name.removesuffix(".coding.yaml")
        if document_id in skip:
            continue
        text = directory / "documents" / f"{document_id}.txt"
        if not text.exists():
            raise InputError(
                f"{path}: the review directory lacks its document ({text}).",
                hint="Ingest the document again and review it, or delete the reviewed coding.",
            )
        document = read_document(text, require_metadata=False)
        curated = read_coding_file(path, document, registry, vocabulary)
        named = curated.coding.actor_ids & accepted_ids - {a.id for a in curated.actors}
        additions = [registry.actors[i] for i in sorted(named) if i in registry.actors]
        files.append(
            CodingFile(
                dataclasses.replace(curated.coding, source="automatic"),
                (*curated.actors, *additions),
                curated.places,
            )
        )
    return files


def _additions(settings: Settings) -> frozenset[str]:
    """Ids of the actors the review queue accepted into the registry additions."""
    if not settings.registry_additions:
        return frozenset()
    return frozenset(load_registry(settings.registry_additions[0]).actors)


def _keep_document(directory: Path, document: Document) -> None:
    """Keep a reviewed document's text and metadata beside its coding, for rebuilds."""
    folder = directory / "documents"
    folder.mkdir(exist_ok=True)
    (folder / f"{document.id}.txt").write_text(document.text, encoding="utf-8")
    meta = {"title": document.title, "language": document.language, "kind": document.kind}
    if document.published is not None:
        meta["published"] = document.published.iso
    if document.url is not None:
        meta["url"] = document.url
    text = "".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in meta.items()
    )
    (folder / f"{document.id}.meta.yaml").write_text(text, encoding="utf-8")


def _draft(path: Path, text: str | None) -> Path:
    """A scratch copy of ``path`` holding ``text`` (``None``: remove it)."""
    draft = path.with_name(path.name + ".draft")
    if text is None:
        draft.unlink(missing_ok=True)
    else:
        draft.write_text(text, encoding="utf-8")
    return draft


def _date(text: str) -> DateValue:
    try:
        return DateValue.parse(text.strip())
    except ValueError:
        raise InputError(
            f"Date {text!r} is not ISO 8601 at day, week, month or year precision.",
            hint="Write it like 2024-03-05, 2024-W10, 2024-03 or 2024.",
        ) from None


def _participants(event: Event, actors: Sequence[str]) -> tuple[Participation, ...]:
    """The event's participations for ``actors``: kept as they were where the actor took
    part already, new ones with the event's evidence otherwise."""
    existing = {p.actor: p for p in event.participants}
    return tuple(existing.get(a, Participation(a)) for a in dict.fromkeys(actors))


def _renamed(coding: Coding, old: str, new: str) -> Coding:
    """``coding`` with every mention of actor ``old`` naming ``new`` (each actor once)."""

    def ids(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(new if v == old else v for v in values))

    def one(value: str | None) -> str | None:
        return new if value == old else value

    def participants(event: Event) -> tuple[Participation, ...]:
        seen: dict[str, Participation] = {}
        for p in event.participants:
            moved = dataclasses.replace(p, actor=one(p.actor) or "", represents=one(p.represents))
            seen.setdefault(moved.actor, moved)
        return tuple(seen.values())

    def steps(pledge: Pledge) -> tuple[StatusStep, ...]:
        return tuple(dataclasses.replace(s, by=ids(s.by)) for s in pledge.steps)

    return dataclasses.replace(
        coding,
        events=tuple(dataclasses.replace(e, participants=participants(e)) for e in coding.events),
        pledges=tuple(
            dataclasses.replace(
                p,
                makers=ids(p.makers),
                on_behalf_of=ids(p.on_behalf_of),
                recipients=ids(p.recipients),
                steps=steps(p),
            )
            for p in coding.pledges
        ),
        demands=tuple(
            dataclasses.replace(
                d,
                requesters=ids(d.requesters),
                on_behalf_of=ids(d.on_behalf_of),
                addressees=ids(d.addressees),
            )
            for d in coding.demands
        ),
        statements=tuple(
            dataclasses.replace(s, speaker=one(s.speaker) or "") for s in coding.statements
        ),
    )


def _unreferenced(coding: Coding, key: str) -> Coding:
    """``coding`` with references to the removed fact ``key`` (an event that other facts
    were made at or part of) dropped."""

    def at(value: str | None) -> str | None:
        return None if value == key else value

    def pledge(p: Pledge) -> Pledge:
        return dataclasses.replace(
            p,
            made_at=at(p.made_at),
            steps=tuple(dataclasses.replace(s, at=at(s.at)) for s in p.steps),
        )

    return dataclasses.replace(
        coding,
        events=tuple(dataclasses.replace(e, part_of=at(e.part_of)) for e in coding.events),
        pledges=tuple(pledge(p) for p in coding.pledges),
        demands=tuple(dataclasses.replace(d, at=at(d.at)) for d in coding.demands),
        statements=tuple(dataclasses.replace(s, at=at(s.at)) for s in coding.statements),
    )
