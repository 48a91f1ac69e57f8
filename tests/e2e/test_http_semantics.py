"""HTTP as RFC 9110 and RFC 9111 say, over real HTTP: media-type parameters in ``Accept``,
XML results under ``application/xml``, ``Vary: Accept`` on negotiated answers, validators and
304 on conditional GETs (and fresh ones after a write), ``HEAD`` wherever ``GET`` is, TSV and CSV
cells that keep their tabs, quotes and line breaks, the protocol's 400 cases, and no link in
served HTML that leaves for the base IRI's host."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from rdflib import Literal
from rdflib.plugins.sparql.results.tsvresults import TSVResultParser

from tests.support import LiveServer, run_dipkg, serving_copy

pytestmark = pytest.mark.e2e

SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"
EVENT = "/id/event/2023-11-15-meeting-joe-biden-xi-jinping"
XML_RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def _get(server: LiveServer, path: str, **headers: str) -> requests.Response:
    return requests.get(server.url + path, headers=headers, timeout=60)


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (SELECT, "text/csv; charset=utf-8", "text/csv"),
        (
            SELECT,
            "application/sparql-results+json; charset=UTF-8",
            "application/sparql-results+json",
        ),
        (SELECT, "text/tab-separated-values;charset=utf-8;q=0.9", "text/tab-separated-values"),
        (SELECT, "application/xml", "application/xml"),
        (SELECT, "text/xml", "text/xml"),
        (CONSTRUCT, "text/turtle; charset=utf-8", "text/turtle"),
        (
            CONSTRUCT,
            'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"',
            "application/ld+json",
        ),
        (CONSTRUCT, "text/csv, text/turtle;charset=utf-8;q=0.5", "text/turtle"),
    ],
)
def test_accept_with_parameters(
    live_server: LiveServer, query: str, accept: str, expected: str
) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == expected
    if expected.endswith("xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == XML_RESULTS + "sparql"
        assert root.find(f"{XML_RESULTS}results/{XML_RESULTS}result") is not None


def test_a_charset_other_than_utf8_is_not_acceptable(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql",
        params={"query": SELECT},
        headers={"Accept": "text/csv; charset=iso-8859-1"},
        timeout=60,
    )
    assert response.status_code == 406
    assert response.headers["Content-Type"] == "application/problem+json"


def test_a_more_specific_range_overrides_a_wildcard(live_server: LiveServer) -> None:
    def chosen(accept: str) -> str:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": SELECT},
            headers={"Accept": accept},
            timeout=60,
        )
        return response.headers["Content-Type"].split(";")[0]

    # CSV is refused outright, so of the other text types (0.5 by the wildcard) the first that
    # dipkg offers wins: TSV's own media type before text/xml, an alias.
    assert chosen("text/*;q=0.5, text/csv;q=0") == "text/tab-separated-values"
    # TSV named at 0.1 weighs 0.1 (the specific range wins), so text/xml at 0.5 beats it.
    assert chosen("text/*;q=0.5, text/csv;q=0, text/tab-separated-values;q=0.1") == "text/xml"


def test_resources_accept_media_type_parameters(live_server: LiveServer) -> None:
    response = _get(live_server, EVENT, Accept="text/turtle; charset=utf-8")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "meeting-joe-biden-xi-jinping" in response.text


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        (f"/sparql?query={SELECT}", "application/sparql-results+json"),
        (EVENT, "text/turtle"),
        (EVENT, "text/html"),
        ("/api/queries/events", "text/csv"),
        ("/.well-known/void", "text/turtle"),
        ("/def", "text/turtle"),
        (f"/sparql?query={SELECT}", "image/png"),  # the 406 is negotiated too
    ],
)
def test_negotiated_answers_vary_with_accept(
    live_server: LiveServer, path: str, accept: str
) -> None:
    response = _get(live_server, path, Accept=accept)
    vary = {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}
    assert "accept" in vary, (path, response.status_code, response.headers)


def test_an_answer_that_is_not_negotiated_does_not_vary(live_server: LiveServer) -> None:
    response = _get(live_server, "/dump.nt")
    assert response.status_code == 200
    assert "accept" not in response.headers.get("Vary", "").lower()


CACHED = [
    "/",
    EVENT,
    "/api/queries/events?actor=Xi",
    "/queries/events?run=1",
    f"/sparql?query={SELECT}",
    "/dump.nt",
    "/.well-known/void",
]


@pytest.mark.parametrize("path", CACHED)
def test_conditional_get_is_answered_304(live_server: LiveServer, path: str) -> None:
    first = _get(live_server, path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    again = _get(live_server, path, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag
    by_date = _get(live_server, path, **{"If-Modified-Since": modified})
    assert by_date.status_code == 304
    other = _get(live_server, path, **{"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_each_representation_has_its_own_validator(live_server: LiveServer) -> None:
    turtle = _get(live_server, EVENT, Accept="text/turtle")
    html = _get(live_server, EVENT, Accept="text/html")
    assert turtle.headers["ETag"] != html.headers["ETag"]
    crossed = _get(
        live_server, EVENT, Accept="text/html", **{"If-None-Match": turtle.headers["ETag"]}
    )
    assert crossed.status_code == 200 and crossed.headers["Content-Type"].startswith("text/html")


def test_errors_are_not_stored_and_health_has_no_validator(live_server: LiveServer) -> None:
    missing = _get(live_server, "/id/event/no-such-event")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    health = _get(live_server, "/health")
    assert health.status_code == 200 and "ETag" not in health.headers


@pytest.mark.slow
def test_a_write_changes_the_validators(built_store_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    with serving_copy(built_store_dir, store) as server:
        first = _get(server, "/api/queries/events")
        extra = tmp_path / "extra.ttl"
        extra.write_text(
            '<https://w3id.org/dipkg/id/actor/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n'
        )
        loaded = run_dipkg(
            "load", str(extra), "--graph", "https://w3id.org/dipkg/id/graph/extra", store=store
        )
        assert loaded.returncode == 0, loaded.stderr
        after = _get(server, "/api/queries/events", **{"If-None-Match": first.headers["ETag"]})
        assert after.status_code == 200
        assert after.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        *CACHED,
        "/api/queries",
        "/api/openapi.json",
        "/api/docs",
        "/sparql",
        "/timeline?actor=Xi",
        "/concept/topic",
        "/health",
    ],
)
def test_head_wherever_get_is(live_server: LiveServer, path: str) -> None:
    got = _get(live_server, path)
    head = requests.head(live_server.url + path, timeout=60)
    assert head.status_code == got.status_code == 200, path
    assert head.content == b""
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.headers.get("ETag") == got.headers.get("ETag")


TRICKY = 'has "quotes"\tand a tab,\na line break and a \\ backslash'
TRICKY_QUERY = (
    'SELECT ?x ?n WHERE { BIND("has \\"quotes\\"\\tand a tab,\\na line break and a \\\\ '
    'backslash" AS ?x) BIND(7 AS ?n) }'
)


@pytest.mark.parametrize("limit", ["", " LIMIT 1"], ids=["dipkg-serialiser", "engine-serialiser"])
def test_tsv_and_csv_cells_keep_their_characters(live_server: LiveServer, limit: str) -> None:
    def fetch(accept: str) -> str:
        response = requests.get(
            live_server.url + "/sparql",
            params={"query": TRICKY_QUERY + limit},
            headers={"Accept": accept},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.content.decode("utf-8")

    tsv = fetch("text/tab-separated-values")
    lines = tsv.rstrip("\n").split("\n")
    assert len(lines) == 2 and all(line.count("\t") == 1 for line in lines), tsv
    parsed = TSVResultParser().parse(io.StringIO(tsv))
    row = next(iter(parsed))
    assert row[0] == Literal(TRICKY) and int(row[1]) == 7
    table = list(csv.reader(io.StringIO(fetch("text/csv"))))
    assert table == [["x", "n"], [TRICKY, "7"]]


@pytest.mark.parametrize(
    ("url_params", "form"),
    [
        ({"query": "ASK {}"}, {"query": "ASK {}"}),
        ({"default-graph-uri": "https://w3id.org/dipkg/id/graph/registry"}, {"query": "ASK {}"}),
        ({}, {"query": "ASK {}", "update": "CLEAR ALL"}),
    ],
    ids=["query-in-url-and-body", "dataset-in-url-of-a-form", "query-and-update"],
)
def test_protocol_400_cases(
    live_server: LiveServer, url_params: dict[str, str], form: dict[str, str]
) -> None:
    response = requests.post(live_server.url + "/sparql", params=url_params, data=form, timeout=60)
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"


def test_two_query_parameters_are_400(live_server: LiveServer) -> None:
    response = requests.get(
        live_server.url + "/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")], timeout=60
    )
    assert response.status_code == 400


HTML_PAGES = [
    "/",
    "/sparql",
    EVENT,
    "/queries/events?run=1",
    "/queries/pledges?run=1",
    "/queries/statements?run=1",
    "/id/document/000_6aee4f90ec08fcc7",
    "/def",
    "/api/docs",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_served_html_links_resources_here(live_server: LiveServer, path: str) -> None:
    response = _get(live_server, path, Accept="text/html")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    links = re.findall(r'href="([^"]+)"', response.text)
    assert links
    leaving = [link for link in links if link.startswith("https://w3id.org/")]
    assert not leaving, leaving[:5]
