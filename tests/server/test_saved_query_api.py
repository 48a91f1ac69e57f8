"""The saved-query API, in process (Flask's test client): the catalogue, formats by Accept
and by ``_format``, errors that name the parameter, injection through parameters, the OpenAPI
document and the HTML forms. The byte-for-byte CLI comparison and the ``Link`` paging are in
``tests/e2e/test_api.py``, over real HTTP."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support import SAVED_QUERIES


def test_catalogue(client: FlaskClient) -> None:
    catalogue = client.get("/api/queries").json
    by_name = {q["name"]: q for q in catalogue}
    assert SAVED_QUERIES <= set(by_name)
    events = by_name["events"]
    assert events["params"]["type"]["kind"] == "concept"
    assert "phone_call" in events["params"]["type"]["allowed"]
    assert events["columns"][:2] == ["event", "type"] and events["example"]


@pytest.mark.parametrize(
    ("accept", "fmt", "media"),
    [
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("text/csv", None, "text/csv"),
        (None, "tsv", "text/tab-separated-values"),
        (None, "xml", "application/sparql-results+xml"),
    ],
    ids=["json", "csv", "tsv-override", "xml-override"],
)
def test_formats(client: FlaskClient, accept: str | None, fmt: str | None, media: str) -> None:
    params = {"maker": "China"} | ({"_format": fmt} if fmt else {})
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/queries/pledges", query_string=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media


def test_unknown_parameter_names_the_known_ones(client: FlaskClient) -> None:
    response = client.get("/api/queries/pledges", query_string={"makr": "China"})
    assert response.status_code == 400
    body = response.json
    assert body["type"] == "/problems/unknown-parameter" and body["parameter"] == "makr"
    assert "known: maker, recipient, topic, status" in body["detail"]


@pytest.mark.parametrize(
    ("query", "params", "parameter"),
    [
        ("events", {"type": "dinner"}, "type"),
        ("events", {"from": "last spring"}, "from"),
        ("events", {"actor": "Zhou Enlai"}, "actor"),
        ("provenance", {"resource": "http://a b"}, "resource"),
    ],
    ids=["concept", "date", "actor", "iri"],
)
def test_ill_typed_parameter(
    client: FlaskClient, query: str, params: dict[str, str], parameter: str
) -> None:
    response = client.get(f"/api/queries/{query}", query_string=params)
    assert response.status_code == 400 and response.json["parameter"] == parameter


@pytest.mark.parametrize(
    ("params", "parameter"), [({"page": "0"}, "page"), ({"pageSize": "x"}, "pageSize")]
)
def test_bad_page_is_a_problem(client: FlaskClient, params: dict[str, str], parameter: str) -> None:
    response = client.get("/api/queries/pledges", query_string=params)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["parameter"] == parameter


def test_unknown_query_is_404(client: FlaskClient) -> None:
    response = client.get("/api/queries/nope")
    assert response.status_code == 404 and "events" in response.json["hint"]


@pytest.mark.parametrize(
    "value",
    [
        'x" || "1" = "1',
        "Xi> } UNION { ?s ?p ?o",
        "a\\b",
        "line\nbreak",
        "DELETE WHERE { ?s ?p ?o }",
        "}" * 50,
        "x" * 400,
        "productive'",
    ],
    ids=["quote-or", "gt-brace", "backslash", "newline", "keyword", "braces", "long", "apostrophe"],
)
def test_injection_through_parameters(client: FlaskClient, value: str) -> None:
    everything = client.get("/api/queries/statements").json
    response = client.get("/api/queries/statements", query_string={"contains": value})
    assert response.status_code == 200, response.text
    rows = response.json["results"]["bindings"]
    assert len(rows) < len(everything["results"]["bindings"])
    for param in ("speaker",):
        probe = client.get("/api/queries/statements", query_string={param: value})
        assert probe.status_code == 400 and probe.json["parameter"] == param


def test_openapi_document(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/queries/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"actor", "counterpart", "type", "from", "to", "_format"} <= names
    assert "400" in operation["responses"]


def test_docs_and_pages(client: FlaskClient) -> None:
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/api/queries/events" in docs.text
    page = client.get(
        "/queries/events",
        query_string={"actor": "Biden", "counterpart": "Xi", "type": "meeting", "run": "1"},
    )
    assert page.status_code == 200 and "Filoli estate" in page.text
    home = client.get("/")
    assert home.status_code == 200 and "Saved queries" in home.text
