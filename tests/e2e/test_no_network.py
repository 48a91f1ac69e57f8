"""The no-network guarantee: a loopback canary server records every request; hostile queries
and inputs that would make dipkg fetch something leave it untouched, and the guard itself makes
any outbound connection fail loudly."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import DipkgError
from kg.store.executor import QueryExecutor
from tests.support import Canary, LiveServer, run_dipkg

pytestmark = pytest.mark.e2e


@pytest.fixture()
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def cheap_query_answers(server: LiveServer) -> None:
    """The server still answers. (No worker is left waiting on an outbound request: the
    canary's empty log proves none was made; a bound on the time here failed on a busy
    machine without telling anything more.)"""
    response = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=60)
    assert response.status_code == 200 and response.json()["boolean"] is True


def python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (the guard cannot be removed once installed)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_guard_refuses_outbound_connections(canary: Canary) -> None:
    code = (
        "from kg.netguard import forbid_network\n"
        "import urllib.request\n"
        "forbid_network()\n"
        f"urllib.request.urlopen('{canary.url}/guard', timeout=5)\n"
    )
    result = python(code)
    assert result.returncode != 0
    assert "dipkg makes no outbound connections" in result.stderr
    assert canary.hits == []


def test_an_allowance_lets_one_host_through_and_no_other(canary: Canary) -> None:
    # a local cluster's allowance: loopback on any port (its workers'); a scheduler's: one port
    code = (
        "import socket, urllib.request\n"
        "from kg.netguard import NetworkRefusedError, allow, forbid_network\n"
        "forbid_network()\n"
        "allow('192.0.2.1', 8786)\n"
        "for target in [('192.0.2.1', 80), ('192.0.2.2', 8786), ('127.0.0.1', 9)]:\n"
        "    try:\n"
        "        socket.create_connection(target, timeout=1)\n"
        "    except NetworkRefusedError:\n"
        "        print('refused', target)\n"
        "allow('127.0.0.1', None)\n"
        f"print(urllib.request.urlopen('{canary.url}/allowed', timeout=5).status)\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "refused ('192.0.2.1', 80)",
        "refused ('192.0.2.2', 8786)",
        "refused ('127.0.0.1', 9)",
        "200",
    ]
    assert canary.hits == ["/allowed"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }} LIMIT 1",
        "SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
        "DESCRIBE <{url}/thing>",
        "SELECT * WHERE {{ BIND(IRI('{url}/x') AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ],
    ids=["service", "service-silent", "from", "from-named", "describe", "service-variable"],
)
def test_hostile_queries_contact_nothing(
    live_server: LiveServer, canary: Canary, query: str
) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": query.format(url=canary.url)}
    )
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.headers["Content-Type"].startswith("application/problem+json")
    assert canary.hits == []
    cheap_query_answers(live_server)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "remote.jsonld",
            '{{"@context": "{url}/context.jsonld", "@id": "http://x/a", "http://x/p": "v"}}',
        ),
        (
            "nested.jsonld",
            '{{"@context": [{{"a": "http://x/"}}, "{url}/c.jsonld"], "@id": "http://x/a"}}',
        ),
        (
            "entity.rdf",
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}/e">]><r>&e;</r>',
        ),
    ],
    ids=["jsonld-context", "jsonld-context-in-list", "xml-external-entity"],
)
def test_hostile_files_contact_nothing(
    canary: Canary, tmp_path: Path, built_store_dir: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content.format(url=canary.url), encoding="utf-8")
    result = run_dipkg("validate", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert canary.hits == []


def test_query_processes_cannot_connect_even_past_the_gate(
    canary: Canary, built_store_dir: Path
) -> None:
    """The executor runs whatever it is given (the gate is the server's); the kernel refuses
    the query process's socket, so SERVICE reaches nothing, and the process answers on."""
    executor = QueryExecutor(built_store_dir, timeout=20)
    try:
        for form in ("SERVICE", "SERVICE SILENT"):
            query = f"SELECT * WHERE {{ {form} <{canary.url}/direct> {{ ?s ?p ?o }} }}"
            try:
                executor.query(query)
            except DipkgError:
                pass  # an error answer (SILENT may answer with no rows)
        assert canary.hits == []
        assert executor.query("ASK { ?s ?p ?o }").boolean is True
    finally:
        executor.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {{ # x\rSERVICE <{url}/cr> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p ?o FILTER(1<2)SERVICE#>\n<{url}/lt> {{?s ?p ?o}} }}",
        "SELECT * WHERE {{ ?x rdf:type?o.SERVICE<{url}/pname>{{?s ?p ?q}} }}",
        "PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    ],
    ids=["comment-ended-by-cr", "less-than-as-iri", "prefixed-name-run-in", "service-colon"],
)
def test_the_bypasses_of_the_hardening_round_contact_nothing(
    live_server: LiveServer, canary: Canary, query: str
) -> None:
    response = requests.get(
        live_server.url + "/sparql", params={"query": query.format(url=canary.url)}, timeout=30
    )
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/bad-query"
    assert canary.hits == []


_FRAGMENTS = st.sampled_from(
    [
        "SERVICE", "service", "SERVICE SILENT", "SERVICESILENT", "SERVICE:x", "\\u0053ERVICE",
        "SERV\\u0049CE", "<{url}/a>", "<{url}/b#>", "?u", "# c\r", "# c\n", "#>\n", "\r", "\t",
        " ", "{{", "}}", "(", ")", "1<2", "?a<?b", "FILTER(", "rdf:type?o.", ":p", "'x'", '"y"',
        "'''z'''", ".", ";", ",", "[", "]", "BIND(", " AS ?v)", "VALUES ?u {{", "a",
    ]
)  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(_FRAGMENTS, min_size=1, max_size=14))
def test_generated_hiding_places_contact_nothing(
    live_server: LiveServer, canary: Canary, fragments: list[str]
) -> None:
    """SERVICE hidden in generated comments, whitespace, IRIs, prefixed names and escapes:
    whatever the gate lets through, the canary sees nothing and nothing is a 500."""
    body = "".join(fragments).format(url=canary.url)
    query = f"PREFIX : <{canary.url}/> SELECT * WHERE {{ ?s ?p ?o {body} }}"
    response = requests.post(live_server.url + "/sparql", data={"query": query}, timeout=30)
    assert response.status_code in (200, 400, 503), response.text
    assert canary.hits == []
