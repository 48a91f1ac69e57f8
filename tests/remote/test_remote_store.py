"""The remote store against a real Oxigraph server: the same ingest gives the same graph as
the embedded store, a rejected document changes nothing, a down server is a clear error (exit
2 in the CLI, 503 over HTTP), and two dipkg servers share one store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kg.config import Settings
from kg.errors import StoreError
from kg.flows.ingest import Ingester
from kg.store import RemoteStore, open_store, writing
from tests.support import (
    ARTICLES,
    CALL_TEXT,
    CURATED,
    LiveServer,
    call_coding,
    conforms,
    free_port,
    oxigraph_server,
    run_dipkg,
    write_article,
)

pytestmark = pytest.mark.slow

ID = "https://w3id.org/dipkg/id/"


@pytest.fixture()
def remote(built_store_dir: Path, tmp_path: Path) -> Iterator[str]:
    """A writable Oxigraph server with the bundled graph, for this test only."""
    with oxigraph_server(built_store_dir, tmp_path / "oxigraph") as url:
        yield url


@pytest.fixture(scope="module")
def ingester() -> Ingester:
    return Ingester(Settings())


CHANGES = "https://w3id.org/dipkg/id/graph/changes"


def quads(store: object) -> set[tuple[object, ...]]:
    """Every quad but the history of changes (each write's record has its own time)."""
    return {q for q in store.quads() if str(q[3]) != CHANGES}  # type: ignore[attr-defined]


def recorded(outcomes: list[dict[str, object]]) -> list[dict[str, object]]:
    """Outcomes without the IRIs of their change records (each has its own time)."""
    return [{k: v for k, v in o.items() if k != "change"} for o in outcomes]


def test_ingest_gives_the_same_graphs_on_both_backends(
    remote: str, built_store_dir: Path, tmp_path: Path, ingester: Ingester
) -> None:
    local = tmp_path / "store"
    shutil.copytree(built_store_dir, local)
    documents = [ARTICLES / "woodside_followup.txt", CURATED / "hotline_fulfilled.txt"]
    with writing(local) as store:
        embedded = [o.as_json() for o in ingester.ingest_many(store, documents)]
        expected = quads(store)
    with writing(remote) as store:
        assert isinstance(store, RemoteStore)
        served = [o.as_json() for o in ingester.ingest_many(store, documents)]
        assert quads(store) == expected
    assert recorded(served) == recorded(embedded)
    assert [o["status"] for o in served] == ["added", "added"]


def test_a_renaming_reingest_retires_alike_on_both_backends(
    remote: str, built_store_dir: Path, tmp_path: Path, ingester: Ingester
) -> None:
    local = tmp_path / "store"
    shutil.copytree(built_store_dir, local)
    results = []
    for target in (local, remote):
        with writing(target) as store:
            for date, pledge in ((None, True), ("2024-07-02", False), ("2024-07-09", False)):
                path = write_article(
                    tmp_path / "docs", "call", CALL_TEXT, call_coding(date, pledge)
                )
                assert ingester.ingest_file(store, path).status in ("added", "replaced")
            results.append(quads(store))
            assert conforms(store)
    assert results[0] == results[1]
    retired = ID + "graph/retired"
    replaced = {
        (str(s), str(o))
        for s, p, o, g in results[1]
        if str(g) == retired and "isReplacedBy" in str(p)
    }
    assert (
        ID + "event/undated-phone-call-joe-biden-xi-jinping",
        ID + "event/2024-07-09-phone-call-joe-biden-xi-jinping",
    ) in replaced


def test_a_rejected_document_leaves_the_remote_store_unchanged(
    remote: str, ingester: Ingester
) -> None:
    store = open_store(remote)
    before = quads(store)
    outcome = ingester.ingest_file(store, CURATED / "hotline_backdated.txt")
    assert outcome.status == "rejected"
    assert quads(store) == before


def test_cli_build_query_and_validate_on_a_remote_store(remote: str) -> None:
    result = run_dipkg("query", "events", "--param", "actor=Xi", "--store", remote)
    assert result.returncode == 0, result.stderr
    assert "2023-11-15-meeting-joe-biden-xi-jinping" in result.stdout
    assert run_dipkg("build", "--store", remote).returncode == 0
    validated = run_dipkg("validate", "--store", remote)
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_a_down_store_is_exit_2_in_the_cli_and_503_over_http(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    result = run_dipkg("query", "events", "--param", "actor=Xi", "--store", down)
    assert result.returncode == 2
    assert "did not answer" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(StoreError):
        open_store(down).query("ASK {}")
    server = LiveServer(down, log_dir=tmp_path)
    try:
        response = requests.get(
            f"{server.url}/api/queries/events",
            params={"actor": "https://w3id.org/dipkg/id/actor/xi-jinping"},
            timeout=30,
        )
        assert response.status_code == 503
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.headers["Retry-After"]
    finally:
        server.stop()


def test_two_dipkg_servers_serve_one_store_and_see_each_others_writes(
    remote: str, tmp_path: Path
) -> None:
    token = "replica-token"
    first = LiveServer(remote, log_dir=tmp_path, write_token=token)
    second = LiveServer(remote, log_dir=tmp_path, write_token=token)
    try:
        text = (ARTICLES / "widodo_beijing.txt").read_text(encoding="utf-8")
        posted = requests.post(
            f"{first.url}/api/documents",
            json={"id": "widodo_beijing", "text": text, "published": "2023-07-28"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert posted.status_code == 201, posted.text
        link = posted.json()["links"]["created"][0]
        seen = requests.get(second.url + link, headers={"Accept": "text/turtle"}, timeout=30)
        assert seen.status_code == 200, "the other replica serves what the first wrote"
    finally:
        first.stop()
        second.stop()
