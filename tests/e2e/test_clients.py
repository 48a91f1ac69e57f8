"""Real SPARQL clients against the served endpoint: SPARQLWrapper in every result format and
for CONSTRUCT, and rdflib's SPARQLStore used as a read-only Graph."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.support import LiveServer

pytestmark = pytest.mark.e2e
XI = "https://w3id.org/dipkg/id/actor/xi-jinping"
EVENTS_OF_XI = f"""PREFIX dip: <https://w3id.org/dipkg/def#>
SELECT DISTINCT ?event WHERE {{ ?event dip:participant <{XI}> }} ORDER BY ?event"""


def wrapper(server: LiveServer) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setTimeout(20)
    return client


def test_select_json(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setQuery(EVENTS_OF_XI)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) >= 5


def test_select_xml(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setQuery(EVENTS_OF_XI)
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert len(document.getElementsByTagName("result")) >= 5  # type: ignore[union-attr]


@pytest.mark.parametrize(("fmt", "separator"), [(CSV, b","), (TSV, b"\t")], ids=["csv", "tsv"])
def test_select_csv_tsv(live_server: LiveServer, fmt: str, separator: bytes) -> None:
    client = wrapper(live_server)
    client.setQuery("SELECT ?s ?o WHERE { ?s a ?o } LIMIT 3")
    client.setReturnFormat(fmt)
    body = client.query().convert()
    lines = body.splitlines()  # type: ignore[union-attr]
    assert len(lines) == 4 and separator in lines[0]


def test_ask(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setQuery(f"ASK {{ <{XI}> a <https://w3id.org/dipkg/def#Person> }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True  # type: ignore[index]


def test_construct(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setQuery(f"CONSTRUCT {{ <{XI}> ?p ?o }} WHERE {{ <{XI}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert (URIRef(XI), None, None) in graph


def test_post_method(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setMethod("POST")
    client.setQuery(EVENTS_OF_XI)
    client.setReturnFormat(JSON)
    assert client.query().convert()["results"]["bindings"]  # type: ignore[index]


def test_malformed_query_reaches_the_client_with_our_detail(live_server: LiveServer) -> None:
    client = wrapper(live_server)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    assert "does not parse" in str(info.value)


def test_sparqlstore_as_a_read_only_graph(live_server: LiveServer) -> None:
    store = SPARQLStore(live_server.url + "/sparql", returnFormat="json")
    graph = Graph(store=store)
    labels = list(graph.objects(URIRef(XI), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert [str(label) for label in labels] == ["Xi Jinping"]
    rows = list(graph.query(EVENTS_OF_XI))
    assert len(rows) >= 5
    with pytest.raises(TypeError):
        graph.add((URIRef(XI), URIRef("http://x/p"), URIRef("http://x/o")))
