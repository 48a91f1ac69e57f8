"""The saved-query API over HTTP: catalogue, runs in every format, errors that name the
parameter, the OpenAPI document, and byte-identical CSV with `dipkg query`."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kg.cli import cli
from tests.support import LiveServer

pytestmark = pytest.mark.e2e

COMPETENCY = [
    ("events", {"actor": "Biden", "counterpart": "Xi", "type": "meeting"}),
    ("events", {"actor": "Biden", "counterpart": "Xi", "type": "phone_call"}),
    ("events", {"actor": "Xi", "counterpart": "Trump"}),
    ("timeline", {"actor": "Xi"}),
    ("events", {"actor": "Sullivan"}),
    ("events", {"actor": "Blinken"}),
    ("events", {"status": "planned"}),
    ("events", {"actor": "Xi", "type": "phone_call"}),
    ("events", {"actor": "Pelosi"}),
    ("pledges", {"maker": "China"}),
    ("pledges", {"topic": "military_communication"}),
    ("pledges", {"topic": "climate"}),
    ("pledges", {"maker": "Biden"}),
    ("pledge-history", {"topic": "narcotics"}),
    ("pledge-history", {"topic": "military_communication"}),
    ("demands", {"by": "Xi"}),
    ("demands", {"by": "Biden"}),
    ("statements", {"speaker": "Xi"}),
    ("statements", {"contains": "productive"}),
    ("statements", {"contains": "verify"}),
    ("actor", {"name": "Yellen"}),
    ("actor", {"name": "Xi"}),
    ("actor", {"name": "Biden"}),
    ("provenance", {"resource": "event/2023-11-15-meeting-joe-biden-xi-jinping"}),
]


@pytest.mark.parametrize(
    ("name", "params"), COMPETENCY, ids=[f"{n}-{'-'.join(p.values())}" for n, p in COMPETENCY]
)
def test_http_csv_equals_cli_csv(
    live_server: LiveServer, built_store_dir: Path, name: str, params: dict[str, str]
) -> None:
    response = requests.get(
        f"{live_server.url}/api/queries/{name}", params={**params, "_format": "csv"}
    )
    assert response.status_code == 200, response.text
    args = ["query", name, "--store", str(built_store_dir), "--format", "csv"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert response.content == result.stdout_bytes
    assert response.content.count(b"\n") >= 2, "every competency question has an answer"


def test_catalogue(live_server: LiveServer) -> None:
    catalogue = requests.get(live_server.url + "/api/queries").json()
    by_name = {q["name"]: q for q in catalogue}
    assert {
        "events",
        "pledges",
        "demands",
        "statements",
        "timeline",
        "pledge-history",
        "actor",
        "provenance",
    } <= set(by_name)
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
def test_formats(live_server: LiveServer, accept: str | None, fmt: str | None, media: str) -> None:
    params = {"maker": "China"} | ({"_format": fmt} if fmt else {})
    headers = {"Accept": accept} if accept else {}
    response = requests.get(
        live_server.url + "/api/queries/pledges", params=params, headers=headers
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media


def test_unknown_parameter_names_the_known_ones(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/api/queries/pledges", params={"makr": "China"})
    assert response.status_code == 400
    body = response.json()
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
    live_server: LiveServer, query: str, params: dict[str, str], parameter: str
) -> None:
    response = requests.get(f"{live_server.url}/api/queries/{query}", params=params)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


def test_pages_link_to_each_other(live_server: LiveServer) -> None:
    url = f"{live_server.url}/api/queries/events"
    whole = requests.get(url, params={"_format": "csv", "pageSize": "1000"}, timeout=10)
    rows = whole.text.splitlines()[1:]
    assert "next" not in whole.links and len(rows) > 4
    seen, link = [], f"{url}?pageSize=2&_format=csv"
    while link:
        response = requests.get(link, timeout=10)
        assert response.status_code == 200
        seen += response.text.splitlines()[1:]
        assert response.links["first"]["url"].endswith(
            "/api/queries/events?page=1&pageSize=2&_format=csv"
        )
        link = (
            response.links.get("next", {}).get("url")
            and live_server.url + response.links["next"]["url"]
        )
    assert seen == rows
    assert "prev" in response.links


@pytest.mark.parametrize(
    ("params", "parameter"), [({"page": "0"}, "page"), ({"pageSize": "x"}, "pageSize")]
)
def test_bad_page_is_a_problem(
    live_server: LiveServer, params: dict[str, str], parameter: str
) -> None:
    response = requests.get(f"{live_server.url}/api/queries/pledges", params=params, timeout=10)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["parameter"] == parameter


def test_unknown_query_is_404(live_server: LiveServer) -> None:
    response = requests.get(live_server.url + "/api/queries/nope")
    assert response.status_code == 404 and "events" in response.json()["hint"]


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
def test_injection_through_parameters(live_server: LiveServer, value: str) -> None:
    everything = requests.get(live_server.url + "/api/queries/statements").json()
    response = requests.get(live_server.url + "/api/queries/statements", params={"contains": value})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert len(rows) < len(everything["results"]["bindings"])
    for param in ("speaker",):
        probe = requests.get(live_server.url + "/api/queries/statements", params={param: value})
        assert probe.status_code == 400 and probe.json()["parameter"] == param


def test_openapi_document(live_server: LiveServer) -> None:
    document = requests.get(live_server.url + "/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/queries/events"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"actor", "counterpart", "type", "from", "to", "_format"} <= names
    assert "400" in operation["responses"]


def test_docs_and_pages(live_server: LiveServer) -> None:
    docs = requests.get(live_server.url + "/api/docs")
    assert docs.status_code == 200 and "/api/queries/events" in docs.text
    page = requests.get(
        live_server.url + "/queries/events",
        params={"actor": "Biden", "counterpart": "Xi", "type": "meeting", "run": "1"},
    )
    assert page.status_code == 200 and "Filoli estate" in page.text
    home = requests.get(live_server.url + "/")
    assert home.status_code == 200 and "Saved queries" in home.text
