"""Linked data over HTTP: every IRI the base owns dereferences, with content negotiation; the
dumps round-trip; VoID counts equal the store's; evidence shown equals the document text; an
IRI a re-ingest renamed answers 301 to the new one, and the graph says so."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from kg.config import Settings
from kg.rdf.files import parse_rdf_file
from kg.store import open_store
from tests.support import ARTICLES, KINDS, TOKEN, LiveServer, parse_graph, serving_copy

pytestmark = pytest.mark.e2e
BASE = Settings().base_iri
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@pytest.mark.parametrize("kind", sorted(KINDS), ids=sorted(KINDS))
@pytest.mark.parametrize("accept", sorted(RDF_TYPES), ids=sorted(RDF_TYPES))
def test_conneg_per_kind_and_format(live_server: LiveServer, kind: str, accept: str) -> None:
    response = requests.get(f"{live_server.url}/id/{KINDS[kind]}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    graph = parse_graph(response.content, accept)
    assert (URIRef(BASE + KINDS[kind]), None, None) in graph


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "text/html"),
        ("text/turtle;q=0.9, text/html;q=0.5", None, "text/turtle"),
        ("text/html", "jsonld", "application/ld+json"),
        ("*/*", None, "text/turtle"),
    ],
    ids=["browser", "q-values", "override", "wildcard"],
)
def test_conneg_variants(
    live_server: LiveServer, accept: str, fmt: str | None, expected: str
) -> None:
    params = {"format": fmt} if fmt else {}
    response = requests.get(
        f"{live_server.url}/id/{KINDS['event']}", params=params, headers={"Accept": accept}
    )
    assert response.headers["Content-Type"].split(";")[0] == expected


@pytest.mark.parametrize(
    "path",
    ["/id/event/nope", "/id/..%2F..%2Fetc%2Fpasswd", "/id/a%20b"],
    ids=["unknown", "traversal", "space"],
)
def test_unknown_resources_are_404_problems(live_server: LiveServer, path: str) -> None:
    response = requests.get(live_server.url + path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")


def _store_dataset(store_dir: Path) -> Dataset:
    dataset = Dataset()
    store = open_store(store_dir, read_only=True)
    try:
        for s, p, o, g in store.quads():
            (dataset.graph(g) if g is not None else dataset.default_graph).add((s, p, o))
    finally:
        store.close()
    return dataset


@pytest.mark.parametrize("ext", ["nq", "trig", "jsonld"])
def test_dumps_round_trip(
    live_server: LiveServer, built_store_dir: Path, tmp_path: Path, ext: str
) -> None:
    path = tmp_path / f"dump.{ext}"
    path.write_bytes(requests.get(f"{live_server.url}/dump.{ext}").content)
    back = Dataset()
    parse_rdf_file(path, back)
    for graph in _store_dataset(built_store_dir).graphs():
        if len(graph):
            assert isomorphic(graph, back.graph(graph.identifier)), graph.identifier


@pytest.mark.parametrize("ext", ["ttl", "nt", "jsonld"])
def test_triple_dumps_hold_the_union(
    live_server: LiveServer, built_store_dir: Path, ext: str
) -> None:
    response = requests.get(f"{live_server.url}/dump.{ext}")
    assert response.status_code == 200
    media = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json"}
    graph = parse_graph(response.content, media[ext])
    union = Graph()
    for g in _store_dataset(built_store_dir).graphs():
        union += g
    assert len(graph) == len(union)


@pytest.mark.parametrize(
    ("fmt", "path"),
    [("csv", "/dump.csv"), ("polecat", "/dump.polecat.csv"), ("cameo", "/dump.cameo.csv")],
)
def test_table_dumps_and_export_give_the_same_bytes(
    live_server: LiveServer, built_store_dir: Path, fmt: str, path: str
) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["export", "--format", fmt, "--store", str(built_store_dir)])
    response = requests.get(live_server.url + path)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.content == result.stdout_bytes


def test_void_counts_equal_the_store(live_server: LiveServer, built_store_dir: Path) -> None:
    void = Graph().parse(
        data=requests.get(live_server.url + "/.well-known/void").text, format="turtle"
    )
    triples = int(next(void.objects(None, URIRef("http://rdfs.org/ns/void#triples"))))
    store = open_store(built_store_dir, read_only=True)
    try:
        assert triples == store.triple_count() < len(store)  # distinct triples, not quads
    finally:
        store.close()
    dumps = {str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert f"{live_server.url}/dump.nq" in dumps


@pytest.mark.slow
def test_every_iri_the_base_owns_dereferences(
    live_server: LiveServer, built_store_dir: Path
) -> None:
    store = open_store(built_store_dir, read_only=True)
    try:
        subjects = {
            str(s)
            for s, _, _, g in store.quads()
            if isinstance(s, URIRef) and str(s).startswith(BASE) and "/graph/" not in str(s)
        }
    finally:
        store.close()
    assert len(subjects) > 100
    session = requests.Session()
    for iri in sorted(subjects):
        response = session.get(
            live_server.url + "/id/" + iri[len(BASE) :], headers={"Accept": "application/n-triples"}
        )
        assert response.status_code == 200, iri
        assert f"<{iri}>" in response.text, iri


@pytest.mark.slow
def test_an_iri_renamed_by_a_reingest_answers_301_to_the_new_one(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    with serving_copy(built_store_dir, store, write_token=TOKEN) as server:
        article = {"id": "undated_call", "text": (ARTICLES / "undated_call.txt").read_text()}
        outcomes = []
        for extra in ({}, {"published": "2024-07-04"}):  # the publication date, added later
            response = requests.post(
                f"{server.url}/api/documents",
                json={**article, **extra},
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=120,
            )
            assert response.status_code in (200, 201), response.text
            outcomes.append(response.json())
        old = "event/undated-phone-call-joe-biden-xi-jinping"
        new = "event/2024-07-02-phone-call-joe-biden-xi-jinping"  # "last Tuesday"
        assert outcomes[0]["created"] == [BASE + old]
        assert outcomes[1]["retired"][BASE + old] == BASE + new
        moved = requests.get(
            f"{server.url}/id/{old}",
            headers={"Accept": "text/turtle"},
            allow_redirects=False,
            timeout=30,
        )
        assert moved.status_code == 301
        assert moved.headers["Location"] == f"/id/{new}"
        followed = requests.get(
            f"{server.url}/id/{old}", headers={"Accept": "text/turtle"}, timeout=30
        )
        assert followed.status_code == 200 and followed.url == f"{server.url}/id/{new}"
        assert (URIRef(BASE + new), None, None) in parse_graph(followed.content, "text/turtle")
        ask = requests.get(
            f"{server.url}/sparql",
            params={
                "query": f"ASK {{ <{BASE}{old}> <http://purl.org/dc/terms/isReplacedBy> "
                f"<{BASE}{new}> }}"
            },
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert ask.status_code == 200 and ask.json()["boolean"] is True
