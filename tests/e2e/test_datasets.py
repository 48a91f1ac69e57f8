"""The dataset a query sees, as SPARQL 1.1 Query 13 and the Protocol say, on both backends (the
embedded store and a real Oxigraph server as the remote store): the default graph is the RDF
merge of the named graphs, a set (a triple several documents state is there once: in results,
COUNT, CONSTRUCT, ``/dump.nt`` and VoID), ``FROM`` / ``FROM NAMED`` choose the dataset (an unknown
graph is empty), and the protocol's ``default-graph-uri`` / ``named-graph-uri`` override them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests
from rdflib import Graph, URIRef

from tests.support import LiveServer

pytestmark = pytest.mark.e2e

REGISTRY = "https://w3id.org/dipkg/id/graph/registry"
DOC_000 = "https://w3id.org/dipkg/id/graph/000_6aee4f90ec08fcc7"
EVENT = "https://w3id.org/dipkg/id/event/2023-11-15-meeting-joe-biden-xi-jinping"
VOID_TRIPLES = URIRef("http://rdfs.org/ns/void#triples")


@pytest.fixture(scope="module", params=["embedded", pytest.param("remote", marks=pytest.mark.slow)])
def server(
    request: pytest.FixtureRequest,
    start_server: Callable[..., LiveServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """A dipkg server over the bundled graph: in the embedded store, or on an Oxigraph server."""
    if request.param == "embedded":
        yield start_server()
        return
    url = request.getfixturevalue("oxigraph_url")
    remote = LiveServer(url, log_dir=tmp_path_factory.mktemp("remote-datasets"))
    yield remote
    remote.stop()


def select(server: LiveServer, query: str, **protocol: list[str]) -> list[dict[str, str]]:
    params = [("query", query)] + [
        (name.replace("_", "-"), value) for name, values in protocol.items() for value in values
    ]
    response = requests.get(
        server.url + "/sparql",
        params=params,
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    return [
        {k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]
    ]


def number(server: LiveServer, query: str, **protocol: list[str]) -> int:
    return int(select(server, query, **protocol)[0]["n"])


ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DISTINCT_QUADS = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_the_default_graph_is_a_set(server: LiveServer) -> None:
    distinct = number(server, DISTINCT_QUADS)
    assert number(server, QUADS) > distinct, "some triple is stated in several graphs"
    assert number(server, ALL) == distinct
    types = [row["t"] for row in select(server, f"SELECT ?t WHERE {{ <{EVENT}> a ?t }}")]
    assert types and len(types) == len(set(types))
    constructed = requests.get(
        server.url + "/sparql",
        params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    ).text.splitlines()
    assert len(constructed) == len(set(constructed)) == distinct


def test_dump_and_void_count_each_triple_once(server: LiveServer) -> None:
    lines = requests.get(server.url + "/dump.nt", timeout=60).text.splitlines()
    distinct = number(server, DISTINCT_QUADS)
    assert len(lines) == len(set(lines)) == distinct
    void = Graph().parse(
        data=requests.get(server.url + "/.well-known/void", timeout=60).text, format="turtle"
    )
    assert int(next(void.objects(None, VOID_TRIPLES))) == distinct


def test_from_chooses_the_default_graph(server: LiveServer) -> None:
    registry = number(
        server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REGISTRY}> {{ ?s ?p ?o }} }}"
    )
    assert 0 < registry < number(server, ALL)
    assert (
        number(server, f"SELECT (COUNT(*) AS ?n) FROM <{REGISTRY}> WHERE {{ ?s ?p ?o }}")
        == registry
    )
    unknown = "SELECT (COUNT(*) AS ?n) FROM <http://nonexistent.example/g> WHERE { ?s ?p ?o }"
    assert number(server, unknown) == 0


def test_from_named_chooses_the_named_graphs(server: LiveServer) -> None:
    query = (
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{DOC_000}> FROM NAMED <http://nonexistent.example/g> "
        "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert [row["g"] for row in select(server, query)] == [DOC_000]
    # FROM NAMED alone leaves the default graph empty (SPARQL 1.1 Query 13.2).
    assert (
        number(server, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{DOC_000}> WHERE {{ ?s ?p ?o }}") == 0
    )


def test_the_protocol_overrides_from(server: LiveServer) -> None:
    registry = number(
        server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REGISTRY}> {{ ?s ?p ?o }} }}"
    )
    query = "SELECT (COUNT(*) AS ?n) FROM <http://nonexistent.example/g> WHERE { ?s ?p ?o }"
    assert number(server, query, default_graph_uri=[REGISTRY]) == registry
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <http://nonexistent.example/g> WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(server, named, named_graph_uri=[DOC_000, REGISTRY]) == 2
