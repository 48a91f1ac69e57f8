"""The review queue starts from the facts the store has (kg.flows.review.stored_coding), not
from extracting the document again: an automatic document's graph reads back as records that
ingest to the same graph, and a review after the extractor changed keeps the stored facts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import iris
from kg.config import Settings
from kg.extract import Extraction
from kg.flows.ingest import Ingester
from kg.flows.review import Reviewer, stored_coding
from kg.store import EmbeddedStore
from tests.support import ARTICLES

pytestmark = pytest.mark.slow  # one automatic extraction (spaCy) per test

DOCUMENT = "widodo_beijing"


def _stored_graph(store: EmbeddedStore, settings: Settings) -> Graph:
    graph = Graph()
    for triple in store.graph_triples(iris.document_graph_iri(settings.base_iri, DOCUMENT)):
        graph.add(triple)  # type: ignore[arg-type]
    return graph


def _ingested(store: EmbeddedStore, store_dir: Path) -> tuple[Settings, Ingester]:
    settings = Settings(store=str(store_dir))
    ingester = Ingester(settings)
    outcome = ingester.ingest_file(store, ARTICLES / f"{DOCUMENT}.txt")
    assert outcome.status == "added", outcome.reasons
    return settings, ingester


def test_an_ingested_document_round_trips_through_its_graph(
    store: EmbeddedStore, store_dir: Path
) -> None:
    settings, ingester = _ingested(store, store_dir)
    first = _stored_graph(store, settings)
    read = stored_coding(store, DOCUMENT, ingester.registry, settings)
    assert read.coding.source == "automatic"
    assert read.coding.pledges and read.actors  # a pledge and provisional actors
    extraction = Extraction(read.coding, read.actors, read.places)
    outcome = ingester.ingest(store, read.coding.document, extraction=extraction)
    assert outcome.status == "replaced", outcome.reasons
    assert isomorphic(_stored_graph(store, settings), first)


def test_a_review_after_the_extractor_changed_keeps_the_stored_facts(
    store: EmbeddedStore, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = _ingested(store, store_dir)
    stored = stored_coding(store, DOCUMENT, Ingester(settings).registry, settings).coding
    reviewer = Reviewer(settings)

    def changed(document: object) -> Extraction:  # an extractor that now finds nothing
        return Extraction(dataclasses.replace(stored, pledges=(), events=(), statements=()))

    monkeypatch.setattr(reviewer.ingester, "extract", changed)
    pledge = stored.pledges[0]
    span = pledge.evidence[0]
    reviewer.accept_fact(store, DOCUMENT, "pledge", span.start, span.end)
    after = stored_coding(store, DOCUMENT, reviewer.ingester.registry, settings).coding
    assert len(after.events) == len(stored.events) > 0
    assert len(after.pledges) == len(stored.pledges)
    assert len(after.statements) == len(stored.statements)
    accepted = next(p for p in after.pledges if span in p.evidence)
    assert accepted.confidence == 1.0 and pledge.confidence < 1.0
    assert (reviewer.directory / "codings" / f"{DOCUMENT}.coding.yaml").exists()
