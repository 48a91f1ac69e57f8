"""The query gate: SERVICE, updates, deep nesting and long operator chains are refused on the
text, read with the grammar's terminals (and both readings of an ambiguous ``<``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.store.gate import MAX_NESTING, MAX_OPERATORS, check_query, lex

CANARY = "http://127.0.0.1:9/canary"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("PREFIX ex: <http://x/> ASK { ex:a ex:b ex:c }", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://x/a>", "describe"),
        ("SELECT ?service WHERE { ?service <http://x/SERVICE> 'SERVICE' }", "select"),
        ('# SERVICE in a comment\nSELECT * WHERE { ?s ?p """INSERT\nDELETE""" }', "select"),
        ("PREFIX s: <http://x/> SELECT * WHERE { ?x s:service ?o }", "select"),
        ("SELECT * WHERE { ?s <http://schema.org/serviceType> ?o }", "select"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://x/service>) }", "select"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o<10&&?o>2) }", "select"),
        ("SELECT * WHERE { ?s ?p ?o } ORDER BY DESC(?o)", "select"),
    ],
    ids=[
        "select",
        "ask",
        "construct",
        "describe",
        "service-as-names",
        "in-strings",
        "local-name",
        "iri-in-pattern",
        "iri-in-expression",
        "comparisons",
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
        # The three bypass classes of the hardening round, and their relatives:
        (f"SELECT * WHERE {{ # x\rSERVICE <{CANARY}> {{ ?s ?p ?o }} }}", "SERVICE"),
        (f"SELECT * WHERE {{ FILTER(1<2)SERVICE#>\n<{CANARY}> {{?s ?p ?o}} }}", "SERVICE"),
        (f"SELECT * WHERE {{ ?x rdf:type?o.SERVICE<{CANARY}>{{?s ?p ?q}} }}", "SERVICE"),
        (f"SELECT * WHERE {{ FILTER <http://fn>(1<2)SERVICE#>\n<{CANARY}>{{}} }}", "SERVICE"),
        (
            f"SELECT * {{ {{ SELECT ?x WHERE {{}} ORDER BY ?x (1<2)SERVICE#>\n<{CANARY}>{{}} }} }}",
            "SERVICE",
        ),
        # Oxigraph reads these as SERVICE (no word boundary after its keywords):
        (f"PREFIX : <{CANARY}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}", "SERVICE"),
        (f"SELECT * WHERE {{ SERVICESILENT<{CANARY}>{{?s ?p ?o}} }}", "SERVICE"),
        ("PREFIX service: <http://x/> SELECT * WHERE { service:load {?s ?p ?o} }", "SERVICE"),
        # A conforming parser applies the codepoint escapes (Query 19.2) first:
        (f"SELECT * WHERE {{ \\u0053ERVICE <{CANARY}> {{ ?s ?p ?o }} }}", "SERVICE"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("LOAD <http://example.org/data.ttl>", "read-only"),
        ("CLEAR ALL", "read-only"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "read-only"),
        ("SELECT * WHERE " + "{ " * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1), "nests"),
        ("SELECT * WHERE { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }", "nests"),
        ("SELECT * WHERE { # x\r" + "{" * 100 + "}" * 100 + " }", "nests"),
        ("SELECT * WHERE { ?s ?p " + "[ <p> " * 50 + "1" + " ]" * 50 + " }", "nests"),
        ("SELECT * WHERE { " + " UNION ".join(["{}"] * (MAX_OPERATORS + 1)) + " }", "operators"),
        ("SELECT * WHERE { FILTER(" + "!" * (MAX_OPERATORS + 1) + "true) }", "operators"),
        ("PREFIX ex: <http://x/>", "No query form"),
        ("SELECT * WHERE { ?s ?p '" + "x" * 200_000 + "' }", "characters long"),
    ],
    ids=[
        "service",
        "service-silent-lowercase",
        "service-variable",
        "comment-ended-by-carriage-return",
        "less-than-read-as-iri",
        "prefixed-name-run-in",
        "function-call-filter",
        "order-by-condition",
        "keyword-then-prefixed-name",
        "keywords-run-together",
        "prefix-named-service",
        "codepoint-escape",
        "insert",
        "delete",
        "load",
        "clear",
        "with",
        "deep-braces",
        "deep-parens",
        "braces-behind-a-comment",
        "deep-brackets",
        "union-chain",
        "negation-chain",
        "no-form",
        "too-long",
    ],
)
def test_refused(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        check_query(query)


@pytest.mark.parametrize(
    ("text", "kind", "token"),
    [
        ("rdf:type?o", "pname", "rdf:type"),
        ("a:b.c ", "pname", "a:b.c"),
        ("a:b. ", "pname", "a:b"),
        ("# x\rSERVICE", "comment", "# x"),
        ("'''a''''", "string", "'''a'''"),
        ('"a\\"b" x', "string", '"a\\"b"'),
        ("?o.SERVICE", "var", "?o"),
        ("@en.SERVICE", "langtag", "@en"),
        ("1.SERVICE", "number", "1."),
        ("( )", "nil", "( )"),
    ],
)
def test_terminals_follow_the_grammar(text: str, kind: str, token: str) -> None:
    found = lex(text, 0)
    assert (found.kind, found.text) == (kind, token)


def test_limit_is_known_only_when_the_text_has_one_reading() -> None:
    assert check_query("SELECT * WHERE { ?s ?p ?o } LIMIT 10").limit == 10
    assert check_query("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }").limit is None
    assert check_query("SELECT * WHERE { ?s ?p ?o FILTER(?o<3&&?o>1) } LIMIT 10").limit is None


_HIDERS = [
    "# note\r{x}",
    "# note\r\n{x}",
    "#\r{x} # >",
    "FILTER(1<2){x}#>\n",
    "FILTER(?a<?b){x}#>\n",
    "?s rdf:type?o.{x}",
    "?s ?p 1.{x}",
    "?s ?p 'a'@en.{x}",
    "{x}",
]
_SPELLINGS = ["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "SERVICESILENT", "SERVICE:a"]
_ESCAPED = ["\\u0053ERVICE", "SERV\\u0049CE", "\\U00000053ERVICE"]


@settings(max_examples=300, deadline=None)
@given(
    hider=st.sampled_from(_HIDERS),
    spelling=st.sampled_from(_SPELLINGS + _ESCAPED),
    space=st.sampled_from(["", " ", "\t", "\n", "\r", "  \r\n "]),
    target=st.sampled_from([f"<{CANARY}>", "?u", ":x"]),
)
def test_hidden_service_is_always_refused(
    hider: str, spelling: str, space: str, target: str
) -> None:
    body = hider.format(x=f"{spelling}{space}{target}{space}{{ ?s ?p ?o }}")
    query = f"PREFIX : <{CANARY}/> SELECT * WHERE {{ {body} }}"
    with pytest.raises(QueryError):
        check_query(query)
