"""The query gate: SERVICE, updates and deep nesting are refused on the text."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.gate import MAX_NESTING, check_query


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("PREFIX ex: <http://x/> ASK { ex:a ex:b ex:c }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://x/a>", "describe"),
        ("SELECT ?service WHERE { ?service <http://x/SERVICE> 'SERVICE' }", "select"),
        ('# SERVICE in a comment\nSELECT * WHERE { ?s ?p """INSERT\nDELETE""" }', "select"),
        ("PREFIX service: <http://x/> SELECT * WHERE { service:load ?p ?o }", "select"),
        ("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o)", "select"),
    ],
    ids=[
        "select",
        "ask",
        "construct",
        "describe",
        "service-as-names",
        "in-strings",
        "prefixed-names",
        "desc",
    ],
)
def test_allowed(query: str, form: str) -> None:
    assert check_query(query).form == form


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { service silent <http://x/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("LOAD <http://example.org/data.ttl>", "read-only"),
        ("CLEAR ALL", "read-only"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "read-only"),
        ("SELECT * WHERE " + "{ " * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1), "nests"),
        ("SELECT * WHERE { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }", "nests"),
        ("PREFIX ex: <http://x/>", "No query form"),
        ("SELECT * WHERE { ?s ?p '" + "x" * 200_000 + "' }", "characters long"),
    ],
    ids=[
        "service",
        "service-silent-lowercase",
        "service-variable",
        "insert",
        "delete",
        "load",
        "clear",
        "with",
        "deep-braces",
        "deep-parens",
        "no-form",
        "too-long",
    ],
)
def test_refused(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        check_query(query)
