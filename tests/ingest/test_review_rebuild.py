"""`dipkg build` applies the review directory: a document reviewed after an automatic ingest
comes back, with the reviewer's correction, in a store rebuilt from scratch."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg import iris
from kg.config import Settings
from kg.flows.build import build
from kg.flows.review import Correction, Reviewer, stored_coding
from kg.store import EmbeddedStore, open_store
from kg.vocab import DIP
from tests.support import ARTICLES

pytestmark = pytest.mark.slow  # one automatic extraction (spaCy)

DOCUMENT = "widodo_beijing"


def test_a_rebuild_keeps_a_reviewed_correction(
    store: EmbeddedStore, store_dir: Path, tmp_path: Path
) -> None:
    review_dir = tmp_path / "review"
    settings = Settings(store=str(store_dir), review_dir=str(review_dir))
    reviewer = Reviewer(settings)
    outcome = reviewer.ingester.ingest_file(store, ARTICLES / f"{DOCUMENT}.txt")
    assert outcome.status == "added", outcome.reasons
    stored = stored_coding(store, DOCUMENT, reviewer.ingester.registry, settings).coding
    pledge = next(p for p in stored.pledges if p.confidence < 1.0)
    span = pledge.evidence[0]
    correction = Correction(date="2024-04-21")
    reviewer.correct_fact(store, DOCUMENT, "pledge", span.start, span.end, correction)

    rebuilt = tmp_path / "rebuilt"
    build(Settings(store=str(rebuilt), review_dir=str(review_dir)))
    fresh = open_store(rebuilt, read_only=True)
    try:
        graph = iris.document_graph_iri(settings.base_iri, DOCUMENT)
        triples = list(fresh.graph_triples(graph))
    finally:
        fresh.close()
    assert triples, "the reviewed document is not in the rebuilt store"
    pledges = {s for s, p, o in triples if p == DIP.content and str(o) == pledge.content}
    assert len(pledges) == 1
    (node,) = pledges
    assert isinstance(node, URIRef)
    dates = {o for s, p, o in triples if s == node and p == DIP.date}
    assert dates == {Literal("2024-04-21", datatype=XSD.date)}
    confidences = {float(str(o)) for s, p, o in triples if s == node and p == DIP.confidence}
    assert confidences == {1.0}


def test_a_rebuild_without_a_review_directory_builds_the_corpus(tmp_path: Path) -> None:
    summary = build(Settings(store=str(tmp_path / "store"), review_dir=str(tmp_path / "none")))
    assert summary.documents == 2
