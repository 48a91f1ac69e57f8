"""Validation a batch of graphs at a time (`dipkg validate` on a store) finds exactly what
validating the whole graph at once finds: the same focus nodes and shapes, on the valid graph
and on broken ones (every SPARQL rule's case, every check on a value node, a sample of the
others)."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef

from kg.rdf.validation import validate_batch, validate_graph
from kg.store import EmbeddedStore
from tests.shapes.test_shapes import ALL_CASES, minimal, sampled, shapes, vocabulary

GRAPH = URIRef("https://w3id.org/dipkg/id/graph/d1")
# every SPARQL rule, every check on a value node (in-scheme, class), a sixth of the others
SAMPLE = [
    c
    for i, c in enumerate(ALL_CASES)
    if ":" not in c.name or c.name.endswith((":inScheme", ":class")) or i % 6 == 0
]


def found(results: list) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    """Results of named shapes (a nested sh:node check's detail has a blank-node shape)."""
    return {(r.focus, r.shape, r.severity) for r in results if r.shape.startswith("https://")}


@pytest.mark.parametrize("case", [pytest.param(None, id="valid"), *sampled(SAMPLE)])
def test_batched_store_validation_agrees_with_whole_graph_validation(case) -> None:  # type: ignore[no-untyped-def]
    data = minimal()
    if case is not None:
        case.mutate(data)
    whole = validate_graph(data + vocabulary(), shapes())
    store = EmbeddedStore(None)
    dataset = Dataset()
    target: Graph = dataset.graph(GRAPH)
    for triple in data:
        target.add(triple)
    store.bulk_add(dataset)
    batched = validate_batch(store, [GRAPH], shapes(), vocabulary())
    assert found(batched.results) == found(whole.results)
    assert batched.conforms == whole.conforms
