"""Saved-query headers and parameter binding: values become RDF terms, never query text."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from kg.config import Settings
from kg.errors import InputError, QueryError
from kg.query.saved import (
    SavedQuery,
    TermResolver,
    bind,
    load_queries,
    page_of,
    parse_query_file,
    run_saved_query,
)
from kg.rdf.ontology import load_vocabulary
from kg.store import EmbeddedStore, open_store
from kg.vocab import DIPC
from tests.support import ROOT, SAVED_QUERIES

ECHO = """#+ summary: Echo
#+ description: "Returns its parameter."
#+ row: value
#+ columns: [value]
#+ params:
#+   text: {kind: text}
#+   when: {kind: date, bound: end}
#+   thing: {kind: resource}
SELECT ?value ?when ?thing WHERE {
  BIND(?__text AS ?value) BIND(?__when_xsd_date AS ?when) BIND(?__thing_iri AS ?thing)
}
"""


@pytest.fixture()
def echo(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    return parse_query_file(path)


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return EmbeddedStore(None)


def test_every_bundled_query_parses_and_declares_its_projection() -> None:
    queries = load_queries(ROOT / "queries")
    assert set(queries) >= SAVED_QUERIES
    for query in queries.values():
        select = query.text[query.text.index("SELECT") :].split("WHERE")[0]
        projected = [w[1:] for w in select.split() if w.startswith("?")]
        assert projected == list(query.columns), query.name
        assert set(query.multi) <= set(query.columns)


@pytest.mark.parametrize(
    "value",
    [
        'x" || "1" = "1',
        "a > b",
        "} } SELECT * WHERE { ?s ?p ?o",
        "back\\slash",
        "line\nbreak",
        "DELETE WHERE { ?s ?p ?o }",
        '’curly’ and "straight"',
        "x" * 400,
    ],
    ids=["quote-or", "gt", "braces", "backslash", "newline", "keyword", "quotes", "long"],
)
def test_text_is_bound_as_one_literal(echo, store: EmbeddedStore, value: str) -> None:  # type: ignore[no-untyped-def]
    result = run_saved_query(store, echo, {"text": value}, TermResolver(store, "http://x/"))
    assert result.rows == [(Literal(value), None, None)]


def _echo_query() -> SavedQuery:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "echo.rq"
        path.write_text(ECHO, encoding="utf-8")
        return parse_query_file(path)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200).filter(lambda s: "\x00" not in s and s))
def test_any_text_round_trips(value: str) -> None:
    store = EmbeddedStore(None)
    query = _echo_query()
    result = run_saved_query(store, query, {"text": value}, TermResolver(store, "http://x/"))
    assert result.rows == [(Literal(value), None, None)]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"txt": "a"}, "has no parameter 'txt'; known: text, when, thing"),
        ({"when": "April 2024"}, "Parameter 'when'"),
        ({"thing": "http://a b"}, "is not a valid IRI"),
        ({"thing": "http://a>b"}, "is not a valid IRI"),
        ({"text": "y" * 501}, "longer than 500"),
    ],
    ids=["unknown", "bad-date", "iri-space", "iri-gt", "too-long"],
)
def test_bad_parameters_name_themselves(
    echo, store: EmbeddedStore, params: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(QueryError) as info:
        bind(echo, params, TermResolver(store, "http://x/"))
    assert message in info.value.message
    assert info.value.parameter == next(iter(params))


def test_date_bound_end_takes_the_last_day(echo, store: EmbeddedStore) -> None:  # type: ignore[no-untyped-def]
    result = run_saved_query(store, echo, {"when": "2024-02"}, TermResolver(store, "http://x/"))
    assert str(result.rows[0][1]) == "2024-02-29"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ summary: T\n#+ colour: red\n", "unknown header key 'colour'"),
        ("#+ title: [\n", "broken header"),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n#+ params:\n#+   p: {kind: actor}\n",
            "parameter 'p' has no ?__p_iri in the query",
        ),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n#+ params:\n#+   p: {kind: colour}\n",
            "has kind 'colour'",
        ),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n#+ pagination: 10\n",
            "needs exactly one '# PAGE' line (it has 0)",
        ),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n#+ pagination: 0\n",
            "pagination must be a page size",
        ),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n#+ pagination: 5\n"
            "#+ params:\n#+   page: {kind: text}\n# PAGE\nBIND(?__page AS ?p)\n",
            "parameter 'page' is reserved for paging",
        ),
        (
            "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n# PAGE\n",
            "a '# PAGE' line but no 'pagination' header key",
        ),
    ],
    ids=[
        "unknown-key",
        "broken-yaml",
        "no-values-line",
        "bad-kind",
        "no-page-line",
        "bad-page-size",
        "reserved-name",
        "page-line-unpaged",
    ],
)
def test_header_errors_name_file_and_line(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(header + "SELECT ?a WHERE { }\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_query_file(path)
    assert message in info.value.message and "bad.rq:" in info.value.message


PAGED = """#+ summary: Numbers
#+ description: "The numbers from 1 to 7."
#+ row: number
#+ columns: [n]
#+ pagination: 3
SELECT ?n WHERE {
  { SELECT ?n WHERE { VALUES ?n { 7 3 1 5 2 6 4 } } ORDER BY ?n
    # PAGE
  }
} ORDER BY ?n
"""


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["1", "2", "3"]),
        ({"page": "2"}, ["4", "5", "6"]),
        ({"page": "3"}, ["7"]),
        ({"page": "4"}, []),
        ({"pageSize": "5", "page": "2"}, ["6", "7"]),
    ],
)
def test_a_page_is_cut_where_the_query_says(
    tmp_path: Path, store: EmbeddedStore, params: dict[str, str], expected: list[str]
) -> None:
    path = tmp_path / "numbers.rq"
    path.write_text(PAGED, encoding="utf-8")
    query = parse_query_file(path)
    assert query.page_size == 3 and query.accepted == ("page", "pageSize")
    result = run_saved_query(store, query, params, TermResolver(store, "https://example.org/"))
    assert [str(row[0]) for row in result.rows] == expected


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "-1"}, "page"),
        ({"pageSize": "10001"}, "pageSize"),
        ({"pageSize": "1 OFFSET 0"}, "pageSize"),
    ],
)
def test_bad_page_parameters_name_themselves(params: dict[str, str], parameter: str) -> None:
    query = parse_query_file(ROOT / "queries" / "events.rq")
    with pytest.raises(QueryError) as info:
        page_of(query, params, max_rows=10_000)
    assert info.value.parameter == parameter


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("BIND(?__p_iri AS ?a) BIND(?_p AS ?b)", "6: ?_p is no declared parameter's variable"),
        ("BIND(?__p_iri AS ?a) BIND(?__q AS ?b)", "6: ?__q is no declared parameter's variable"),
        ("BIND(?__p AS ?a)", "parameter 'p' has no ?__p_iri in the query"),
    ],
    ids=["required-variable", "undeclared", "untyped"],
)
def test_a_variable_grlc_reads_as_a_parameter_is_declared(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "bad.rq"
    header = "#+ summary: T\n#+ description: D\n#+ row: r\n#+ columns: [a]\n"
    path.write_text(f"{header}#+ params: {{p: {{kind: actor}}}}\nSELECT ?a WHERE {{ {body} }}\n")
    with pytest.raises(InputError) as info:
        parse_query_file(path)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("#+ defaults: {text: a}\n", "defaults must be a list"),
        ("#+ defaults: [{text: a, when: b}]\n", "each defaults entry is one mapping"),
        ("#+ defaults:\n#+   - colour: red\n", "defaults names 'colour', which is no parameter"),
        ("#+ enumerate:\n#+   - text: [a, b]\n", "enumerate lists a concept parameter's concept"),
    ],
    ids=["not-a-list", "two-keys", "unknown-parameter", "enumerate-text"],
)
def test_grlc_lists_are_checked(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(ECHO.replace("SELECT", extra + "SELECT", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        parse_query_file(path)
    assert message in info.value.message and "bad.rq:" in info.value.message


def test_a_default_from_grlcs_defaults_list_is_bound(tmp_path: Path, store: EmbeddedStore) -> None:
    path = tmp_path / "echo.rq"
    path.write_text(ECHO.replace("SELECT", "#+ defaults:\n#+   - text: hello\nSELECT", 1))
    query = parse_query_file(path)
    resolver = TermResolver(store, "http://x/")
    assert run_saved_query(store, query, {}, resolver).rows == [(Literal("hello"), None, None)]
    given = run_saved_query(store, query, {"text": "bye"}, resolver)
    assert given.rows == [(Literal("bye"), None, None)]


def test_a_concept_parameters_enumeration_is_its_scheme() -> None:
    """grlc offers the ``enumerate`` lists as the parameter's values; they are the concepts of
    the scheme dipkg checks the value against."""
    vocabulary = load_vocabulary(ROOT / "ontology")
    for query in load_queries(ROOT / "queries").values():
        for param in query.params.values():
            if param.kind != "concept":
                assert not param.enumerate
                continue
            scheme = URIRef(DIPC[param.scheme or ""])
            members = sorted(str(c) for c in vocabulary.subjects(SKOS.inScheme, scheme))
            assert list(param.enumerate) == members, (query.name, param.name)


def test_every_parameter_given_is_a_term_in_the_variables_place(settings: Settings) -> None:
    """With every parameter given, no parameter variable is left and the query runs: each is
    used only where a term is valid too (what grlc's pasting needs)."""
    store = open_store(settings.store, read_only=True)
    resolver = TermResolver(store, settings.base_iri)
    samples = {
        "actor": "https://w3id.org/dipkg/id/actor/xi-jinping",
        "date": "2023-11-15",
        "text": 'say "when"',
        "resource": "pledge/2023-11-15-china-united-states-narcotics",
    }
    for query in load_queries(ROOT / "queries").values():
        params = {
            name: param.enumerate[0] if param.kind == "concept" else samples[param.kind]
            for name, param in query.params.items()
        }
        text = bind(query, params, resolver)
        assert "?_" not in text, query.name
        run_saved_query(store, query, params, resolver)
