"""The SPARQL 1.1 Protocol conformance cases that apply to a read-only endpoint, written from
the W3C protocol test descriptions (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/
protocol/manifest), plus the endpoint's own refusals and limits."""

from __future__ import annotations

import pytest
import requests

from tests.support import LiveServer

pytestmark = pytest.mark.e2e
DOC_000 = "https://w3id.org/dipkg/id/graph/000_6aee4f90ec08fcc7"
DOC_001 = "https://w3id.org/dipkg/id/graph/001_8a1da5cde644e144"
REGISTRY = "https://w3id.org/dipkg/id/graph/registry"
COUNT_DOCS = "PREFIX dip: <https://w3id.org/dipkg/def#> SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dip:SourceDocument }"
JSON = "application/sparql-results+json"


def count(response: requests.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- query_get, query_post_form, query_post_direct -------------------------------------------


def test_query_get(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(JSON)
    assert response.json()["boolean"] is True


def test_query_post_form(live_server: LiveServer) -> None:
    response = requests.post(live_server.url + "/sparql", data={"query": "ASK {}"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_query_post_direct(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql",
        data=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 200 and response.json()["boolean"] is True


# -- datasets ------------------------------------------------------------------------------


def test_query_default_is_the_union(live_server: LiveServer) -> None:
    assert count(requests.get(live_server.url + "/sparql", params={"query": COUNT_DOCS})) == 2


def test_query_dataset_default_graph(live_server: LiveServer) -> None:
    params = {"query": COUNT_DOCS, "default-graph-uri": DOC_000}
    assert count(requests.get(live_server.url + "/sparql", params=params)) == 1


def test_query_dataset_default_graphs_get(live_server: LiveServer) -> None:
    params = [("query", COUNT_DOCS), ("default-graph-uri", DOC_000), ("default-graph-uri", DOC_001)]
    assert count(requests.get(live_server.url + "/sparql", params=params)) == 2


def test_query_dataset_default_graphs_post(live_server: LiveServer) -> None:
    data = [("query", COUNT_DOCS), ("default-graph-uri", DOC_000), ("default-graph-uri", DOC_001)]
    assert count(requests.post(live_server.url + "/sparql", data=data)) == 2


def test_query_dataset_named_graphs(live_server: LiveServer) -> None:
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = [("query", query), ("named-graph-uri", DOC_000), ("named-graph-uri", REGISTRY)]
    assert count(requests.get(live_server.url + "/sparql", params=params)) == 2


def test_query_dataset_full(live_server: LiveServer) -> None:
    query = (
        "PREFIX dip: <https://w3id.org/dipkg/def#> SELECT (COUNT(*) AS ?n) WHERE { "
        "?d a dip:SourceDocument . GRAPH ?g { ?x a dip:SourceDocument } }"
    )
    params = [("query", query), ("default-graph-uri", DOC_000), ("named-graph-uri", DOC_001)]
    assert count(requests.get(live_server.url + "/sparql", params=params)) == 1


def test_query_multiple_dataset_with_post_direct(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql",
        params={"default-graph-uri": DOC_001},
        data=COUNT_DOCS.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert count(response) == 1


# -- content types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/csv", "text/csv"),
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "text/tab-separated-values",
            "text/tab-separated-values",
        ),
        ("ASK { ?s ?p ?o }", "application/sparql-results+json", JSON),
        ("DESCRIBE <https://w3id.org/dipkg/id/actor/xi-jinping>", "text/turtle", "text/turtle"),
        ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "application/rdf+xml", "application/rdf+xml"),
        ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "application/n-triples", "application/n-triples"),
        ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "application/ld+json", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "application/n-quads", "application/n-quads"),
        ("CONSTRUCT WHERE { ?s a ?o } LIMIT 3", "application/trig", "application/trig"),
    ],
    ids=[
        "select-xml",
        "select-csv",
        "select-tsv",
        "ask-json",
        "describe-turtle",
        "construct-rdfxml",
        "construct-nt",
        "construct-jsonld",
        "construct-nq",
        "construct-trig",
    ],
)
def test_query_content_type(
    live_server: LiveServer, query: str, accept: str, expected: str
) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert response.content


# -- errors --------------------------------------------------------------------------------


def problem_of(response: requests.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"] and body["type"].startswith("/problems/")
    assert "Traceback" not in response.text
    return body  # type: ignore[no-any-return]


def test_bad_query_method(live_server: LiveServer) -> None:
    response = requests.put(live_server.url + "/sparql", data={"query": "ASK {}"})
    problem_of(response, 405)
    assert "GET" in response.headers["Allow"]


def test_bad_multiple_queries(live_server: LiveServer) -> None:
    params = [("query", "ASK {}"), ("query", "ASK {}")]
    problem_of(requests.get(live_server.url + "/sparql", params=params), 400)


def test_bad_query_wrong_media_type(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}
    )
    problem_of(response, 415)


def test_bad_query_missing_form_type(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql", data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""}
    )
    problem_of(response, 415)


def test_bad_query_missing_direct_type(live_server: LiveServer) -> None:
    response = requests.post(live_server.url + "/sparql", data=b"ASK {}")
    assert response.status_code in (400, 415)


def test_bad_query_non_utf8(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql",
        data="ASK { ?s ?p 'é' }".encode("latin-1"),
        headers={"Content-Type": "application/sparql-query"},
    )
    problem_of(response, 400)


def test_bad_query_syntax(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}
    )
    body = problem_of(response, 400)
    assert "1:" in str(body["detail"])  # the parser's line:column


def test_no_query_on_post(live_server: LiveServer) -> None:
    problem_of(requests.post(live_server.url + "/sparql", data={"default-graph-uri": DOC_000}), 400)


@pytest.mark.parametrize(
    "send",
    [
        lambda url: requests.get(url, params={"update": "CLEAR ALL"}),
        lambda url: requests.post(url, data={"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
        lambda url: requests.post(
            url, data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        ),
        lambda url: requests.get(url, params={"query": "DELETE WHERE { ?s ?p ?o }"}),
        lambda url: requests.get(url, params={"query": "LOAD <http://127.0.0.1:9/x.ttl>"}),
    ],
    ids=["get-update", "post-form-update", "post-direct-update", "update-as-query", "load"],
)
def test_updates_are_refused(live_server: LiveServer, send) -> None:  # type: ignore[no-untyped-def]
    problem_of(send(live_server.url + "/sparql"), 400)
    assert count(requests.get(live_server.url + "/sparql", params={"query": COUNT_DOCS})) == 2


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    ],
    ids=["iri", "silent", "variable"],
)
def test_service_is_refused(live_server: LiveServer, query: str) -> None:
    body = problem_of(requests.get(live_server.url + "/sparql", params={"query": query}), 400)
    assert "SERVICE" in str(body["detail"])


# -- negotiation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("*/*", JSON),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("application/json", "application/json"),
        ("text/html;q=1, text/tab-separated-values;q=0.4", "text/tab-separated-values"),
    ],
    ids=["missing", "wildcard", "q-values", "type-wildcard", "plain-json", "html-fallback"],
)
def test_accept_variants(live_server: LiveServer, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    if accept is None:
        headers = {"Accept": ""}
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected


def test_unsupported_accept_is_406(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"}
    )
    problem_of(response, 406)


def test_format_override(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "format": "csv"},
        headers={"Accept": "text/html"},
    )
    assert response.headers["Content-Type"].startswith("text/csv")


def test_service_description_and_query_page(live_server: LiveServer) -> None:
    description = requests.get(live_server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "sd:Service" in description.text
    assert "void:triples" in description.text
    page = requests.get(live_server.url + "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["Content-Type"].startswith("text/html") and "<textarea" in page.text
    assert "PREFIX dip:" in page.text


def test_cors_on_get(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": "ASK {}"},
        headers={"Origin": "https://example.org"},
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(
        live_server.url + "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert (
        preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    )


# -- limits --------------------------------------------------------------------------------


@pytest.mark.slow
def test_timeout_is_a_503_and_the_server_recovers(start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(query_timeout="1", workers="1")
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    response = requests.get(server.url + "/sparql", params={"query": cross}, timeout=30)
    body = problem_of(response, 503)
    assert body["type"] == "/problems/timeout" and response.headers["Retry-After"]
    response = requests.get(server.url + "/sparql", params={"query": COUNT_DOCS}, timeout=5)
    assert count(response) == 2


def test_row_cap_is_stated(start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(max_rows="5", workers="1")
    response = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["Dipkg-Truncated"] == "max-rows=5"
    body = response.json()
    assert len(body["results"]["bindings"]) == 5
    assert body["head"]["link"] == ["https://w3id.org/dipkg/def#truncatedResult"]
    small = requests.get(
        server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}
    )
    assert "Dipkg-Truncated" not in small.headers


def test_huge_body_is_413(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/sparql",
        data=b"x" * 2_000_000,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413


def test_health(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/health", timeout=2)
    assert response.status_code == 200 and response.json()["status"] == "ok"
