"""A result literal is the term the engine returned, lexical form included: dipkg's serialisers
wrote ``"3"^^xsd:double`` as ``"3.0"`` (rdflib normalised it on the way through), a different RDF
term, so W3C SPARQL tests that bare pyoxigraph passes failed through dipkg
(``sparql10/expr-ops/add-numbers-cast`` and its three siblings, ``unplus-2``, ``unminus-2``)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.query.results import render
from kg.store.embedded import EmbeddedStore

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("expression", "value", "datatype"),
    [
        ('"3"^^xsd:double', "3", "double"),
        ('"3"^^xsd:double + 3', "6", "double"),
        (
            '"1.0e6"^^xsd:double',
            "1000000",
            "double",
        ),  # Oxigraph's own form, not rdflib's "1000000.0"
        ('"3"^^xsd:float', "3", "float"),
        ('"3.50"^^xsd:decimal', "3.5", "decimal"),
    ],
)
def test_rendered_literal_is_the_engines_term(expression: str, value: str, datatype: str) -> None:
    store = EmbeddedStore(None)
    sparql = f"PREFIX xsd: <{XSD}> SELECT ?x {{ BIND({expression} AS ?x) }}"
    solutions = store.oxigraph.query(sparql)
    assert isinstance(solutions, ox.QuerySolutions)
    engine = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON) or b"")
    ours = json.loads(render(store.query(sparql), "json"))
    assert ours["results"]["bindings"] == engine["results"]["bindings"]
    assert ours["results"]["bindings"][0]["x"] == {
        "type": "literal",
        "value": value,
        "datatype": XSD + datatype,
    }
