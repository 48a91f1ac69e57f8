"""Reading a document's named graph back into records (kg.rdf.reading): the bundled corpus
mapped, read back and mapped again is the same graph, shared nodes and all."""

from __future__ import annotations

from rdflib import Graph
from rdflib.compare import isomorphic

from kg import iris
from kg.config import Settings
from kg.flows.build import map_corpus
from kg.rdf.mapping import map_codings
from kg.rdf.reading import read_coding
from kg.resolve import resolve
from kg.sources.registry import load_registry


def _graph(triples: Graph) -> Graph:
    copy = Graph()
    for triple in triples:
        copy.add(triple)
    return copy


def test_the_corpus_round_trips_through_its_graphs() -> None:
    settings = Settings()
    dataset, ids = map_corpus(settings)
    registry = load_registry(settings.corpus_dir / "registry.yaml")
    base = settings.base_iri
    graphs = {i: _graph(dataset.graph(iris.document_graph_iri(base, i))) for i in ids}
    read = []
    for document_id in ids:
        context = Graph()
        for other in ids:
            if other != document_id:
                context += graphs[other]
        read.append(read_coding(graphs[document_id], document_id, registry, base, context))
    codings = [r.coding for r in read]
    assert sum(len(c.events) + len(c.pledges) for c in codings) > 0
    extended = registry.extended([a for r in read for a in r.actors])
    again = map_codings(codings, resolve(codings, extended, base), extended, base)
    for document_id in ids:
        mapped = _graph(again.graph(iris.document_graph_iri(base, document_id)))
        assert isomorphic(mapped, graphs[document_id]), document_id
