"""Ingest fixtures: a private copy of the bundled store per test, and one ingester per session
(spaCy's pipeline loads once)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.rdf.ontology import load_vocabulary
from kg.rdf.validation import load_shapes, validate_graph
from kg.store import EmbeddedStore, writing
from kg.store.base import Store

ARTICLES = Path(__file__).parent / "articles"
CURATED = Path(__file__).parent / "curated"


@pytest.fixture()
def store_dir(built_store_dir: Path, tmp_path: Path) -> Path:
    """A copy of the bundled store this test may write to."""
    target = tmp_path / "store"
    shutil.copytree(built_store_dir, target)
    return target


@pytest.fixture()
def store(store_dir: Path) -> Iterator[EmbeddedStore]:
    """The copy, opened for writing."""
    with writing(store_dir) as opened:
        yield opened


@pytest.fixture(scope="session")
def ingester() -> Ingester:
    return Ingester(Settings())


def snapshot(store: EmbeddedStore) -> set[tuple[object, ...]]:
    """Every quad of the store, to compare before and after."""
    return set(store.quads())


def conforms(store: Store) -> bool:
    """Whether the whole store, with the vocabulary, conforms to the shapes."""
    graph = Graph()
    for s, p, o, _ in store.quads():
        graph.add((s, p, o))
    settings = Settings()
    return validate_graph(
        graph + load_vocabulary(settings.ontology_dir), load_shapes(settings.ontology_dir)
    ).conforms


def select(store: EmbeddedStore, sparql: str) -> list[tuple[object, ...]]:
    prefixes = (
        "PREFIX dip: <https://w3id.org/dipkg/def#>\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
        "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    )
    return store.query(prefixes + sparql).rows
