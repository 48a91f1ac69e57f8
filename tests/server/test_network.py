"""/network/items: actors as nodes, an edge per pair who took part in the same events weighted by
how many, filtered by event type and date range; checked against a SPARQL query of the test's
own over /sparql."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

PAIRS = """PREFIX dip: <https://w3id.org/dipkg/def#>
SELECT ?a ?b (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a dip:Event ; dip:participant ?a , ?b . FILTER(STR(?a) < STR(?b)) %s
} GROUP BY ?a ?b"""


def pairs(client: FlaskClient, restriction: str = "") -> dict[tuple[str, str], int]:
    body = client.post(
        "/sparql",
        data={"query": PAIRS % restriction},
        headers={"Accept": "application/sparql-results+json"},
    ).json
    base = "https://w3id.org/dipkg/id/"
    return {
        (
            "/id/" + b["a"]["value"].removeprefix(base),
            "/id/" + b["b"]["value"].removeprefix(base),
        ): int(b["n"]["value"])
        for b in body["results"]["bindings"]
    }


@pytest.mark.parametrize(
    ("params", "restriction"),
    [
        ({}, ""),
        (
            {"type": "meeting"},
            "?e dip:eventType <https://w3id.org/dipkg/concept/event-type/meeting>",
        ),
        (
            {"from": "2023"},  # may have taken place then: its latest day, or its only one
            "FILTER EXISTS { ?e dip:latest|dip:earliest ?d "
            "FILTER(?d >= '2023-01-01'^^<http://www.w3.org/2001/XMLSchema#date>) }",
        ),
    ],
    ids=["all", "meetings", "from-2023"],
)
def test_edges_are_the_pairs_who_shared_events(
    client: FlaskClient, params: dict[str, str], restriction: str
) -> None:
    body = client.get("/network/items", query_string=params).json
    edges = {(e["source"], e["target"]): e["weight"] for e in body["edges"]}
    assert edges == pairs(client, restriction) and edges
    assert {n["id"] for n in body["nodes"]} == {a for pair in edges for a in pair}
    for edge in body["edges"]:
        assert len(edge["events"]) == edge["weight"]
        assert all(e["link"].startswith("/id/event/") for e in edge["events"])
    assert body["truncated"] is False


def test_a_type_outside_the_scheme_is_a_problem(client: FlaskClient) -> None:
    response = client.get("/network/items", query_string={"type": "dinner"})
    assert response.status_code == 400 and response.json["parameter"] == "type"
    assert "meeting" in response.json["hint"]


def test_the_page_offers_the_event_types(client: FlaskClient) -> None:
    page = client.get("/network?type=meeting").text
    assert '<option value="meeting" selected>' in page
    assert 'data-items="/network/items?type=meeting"' in page
