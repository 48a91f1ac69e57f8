"""dipkg's own SPARQL files (kg/query/sparql/*.rq): each says what it is for, parses and runs
as it is (slots left unbound), and refuses a slot it does not have."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.query.internal import DIRECTORY, internal_query, query_names


@pytest.mark.parametrize("name", query_names())
def test_each_query_runs_as_it_is(name: str) -> None:
    text = (DIRECTORY / f"{name}.rq").read_text(encoding="utf-8")
    assert text.startswith("# "), "the file opens with what the query is for"
    assert "PREFIX" not in text, "the namespaces come from kg.vocab"
    ox.Store().query(internal_query(name))  # parses and runs on an empty store


def test_a_slot_the_file_lacks_is_a_programming_error() -> None:
    from rdflib import URIRef

    with pytest.raises(ValueError, match="no slot"):
        internal_query("exists", nothing=URIRef("http://x/a"))
