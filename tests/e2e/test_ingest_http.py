"""POST /api/documents over real HTTP: writes need the configured bearer token, the answer
links what was created, query workers see the new graph at once, and a rejected article
changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import TOKEN, LiveServer, article, serving_copy, store_quads


@pytest.fixture(scope="module")
def writable(
    built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with serving_copy(
        built_store_dir, tmp_path_factory.mktemp("writable") / "store", write_token=TOKEN
    ) as server:
        yield server


def post(server: LiveServer, body: object, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{server.url}/api/documents", json=body, headers=headers, timeout=120)


def test_without_a_configured_token_writes_are_off(live_server: LiveServer) -> None:
    response = post(live_server, article("widodo_beijing"))
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/writes-disabled"


@pytest.mark.parametrize("token", [None, "wrong", TOKEN + "x", TOKEN[:-1]])
def test_a_missing_or_wrong_token_is_401(writable: LiveServer, token: str | None) -> None:
    response = post(writable, article("widodo_beijing"), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/unauthorized"
    assert TOKEN not in response.text


@pytest.mark.slow
def test_ingest_answers_with_the_resources_and_readers_see_them(writable: LiveServer) -> None:
    response = post(writable, article("widodo_beijing"))
    assert response.status_code == 201, response.text
    outcome = response.json()
    assert outcome["status"] == "added" and outcome["created"]
    assert response.headers["Location"] == outcome["links"]["document"]
    for link in [outcome["links"]["document"], *outcome["links"]["created"]]:
        page = requests.get(writable.url + link, headers={"Accept": "text/turtle"}, timeout=30)
        assert page.status_code == 200, link
    rows = requests.get(
        f"{writable.url}/api/queries/events",
        params={"actor": outcome["provisional"][0]},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert rows.status_code == 200, rows.text
    assert rows.json()["results"]["bindings"], "the new provisional actor is queryable by name"
    again = post(writable, article("widodo_beijing"))
    assert again.status_code == 200 and again.json()["status"] == "replaced"


@pytest.mark.slow
def test_the_token_never_reaches_the_log(writable: LiveServer) -> None:
    post(writable, article("widodo_beijing"))
    post(writable, article("widodo_beijing"), token="wrong-" + TOKEN)
    log = Path(writable.log).read_text(encoding="utf-8")
    assert "POST /api/documents" in log, "the access log is on"
    assert TOKEN not in log


def test_bad_bodies_are_4xx_problems(writable: LiveServer) -> None:
    no_json = requests.post(
        f"{writable.url}/api/documents",
        data="Xi met Biden.",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
        timeout=30,
    )
    assert no_json.status_code == 415
    for body, field in [
        ({"text": "x"}, "id"),
        ({"id": "../etc/passwd", "text": "x"}, "id"),
        ({"id": "a", "text": "  "}, "text"),
        ({"id": "a", "text": "x", "format": "pdf"}, "format"),
        ({"id": "a", "text": "x", "colour": "red"}, "colour"),
        ({"id": "a", "text": 3}, "text"),
    ]:
        response = post(writable, body)
        assert response.status_code == 400, body
        assert response.json()["field"] == field


def test_a_rejected_article_is_422_and_changes_nothing(writable: LiveServer) -> None:
    store = Path(writable.log).parent / "store"
    before = store_quads(store)
    response = post(writable, article("woodside_followup", language="Klingon speech"))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/rejected"
    assert any("language" in reason for reason in problem["reasons"])
    assert store_quads(store) == before
