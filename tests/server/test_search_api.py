"""Search over HTTP, in process (Flask's test client) over the bundled store and the index its
build made: ranked hits with marked snippets and local links, the type filter, paging, every
error a problem (user text that looks like FTS5 syntax included), the page and the search box on
every page, and an index that is missing or behind the store."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.query.search import index_path
from kg.store import writing
from server import create_app

HTML = {"Accept": "text/html"}


def test_hits_are_ranked_with_marked_snippets_and_local_links(client: FlaskClient) -> None:
    body = client.get("/api/search?q=fentanyl").get_json()
    assert body["current"] is True
    hits = body["hits"]
    assert hits[0]["iri"].endswith("/pledge/2023-11-15-china-united-states-narcotics")
    assert hits[0]["link"] == "/id/pledge/2023-11-15-china-united-states-narcotics"
    assert hits[0]["type"] == "pledge"
    assert "<mark>fentanyl</mark>" in hits[0]["snippet"]
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert client.get(hits[0]["link"], headers=HTML).status_code == 200


def test_a_name_finds_the_actor_first(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=Beijing").get_json()["hits"]
    assert hits[0]["iri"].endswith("/actor/china")  # a metonym is one of its names


def test_the_type_filter(client: FlaskClient) -> None:
    hits = client.get("/api/search?q=Xi&type=event").get_json()["hits"]
    assert hits and {h["type"] for h in hits} == {"event"}
    everything = client.get("/api/search?q=Xi&_limit=100").get_json()["hits"]
    assert len({h["type"] for h in everything}) > 1


def test_paging_follows_next(client: FlaskClient) -> None:
    everything = client.get("/api/search?q=Xi&_limit=100").get_json()["hits"]
    first = client.get("/api/search?q=Xi&_limit=2").get_json()
    second = client.get(first["next"]).get_json()
    assert [h["iri"] for h in first["hits"] + second["hits"]] == [h["iri"] for h in everything[:4]]
    assert "next" not in client.get("/api/search?q=Xi&_limit=100").get_json()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("q=", "q"),
        ("", "q"),
        ("q=%22", "q"),
        ("q=Xi&type=place", "type"),
        ("q=Xi&_limit=0", "_limit"),
        ("q=Xi&_limit=abc", "_limit"),
        ("q=Xi&_offset=-1", "_offset"),
        ("q=" + "x" * 501, "q"),
    ],
    ids=["empty", "missing", "quote-only", "type", "limit-0", "limit-text", "offset", "too-long"],
)
def test_bad_requests_are_problems(client: FlaskClient, query: str, parameter: str) -> None:
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["parameter"] == parameter


@pytest.mark.parametrize(
    "text", ['Xi"', "NEAR(Xi Biden)", "Xi OR", "AND", "label:Xi", "Xi*", "(Xi", "^Xi", "Xi -Biden"]
)
def test_fts_syntax_in_user_text_is_just_text(client: FlaskClient, text: str) -> None:
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert isinstance(response.get_json()["hits"], list)


def test_the_search_page_escapes_and_marks(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "fentanyl <b>x</b>"}, headers=HTML)
    assert page.status_code == 200
    assert "<b>x</b>" not in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text
    marked = client.get("/search?q=fentanyl", headers=HTML).text
    assert "<mark>fentanyl</mark>" in marked
    assert 'href="/id/pledge/2023-11-15-china-united-states-narcotics"' in marked


def test_the_search_page_shows_a_bad_query(client: FlaskClient) -> None:
    page = client.get("/search?q=%22", headers=HTML)
    assert page.status_code == 400
    assert "Nothing to search for" in page.text


@pytest.mark.parametrize("path", ["/", "/search", "/queries/events", "/id/actor/xi-jinping"])
def test_every_page_has_a_labelled_search_box(client: FlaskClient, path: str) -> None:
    page = client.get(path, headers=HTML).text
    assert '<form class="site-search" role="search" action="/search"' in page
    assert '<label for="site-search">Search</label>' in page
    assert '<input id="site-search" type="search" name="q"' in page


@pytest.fixture()
def copied_store(built_store_dir: Path, tmp_path: Path) -> Iterator[tuple[Settings, FlaskClient]]:
    """An app over a copy of the bundled store and of its index."""
    settings = Settings(store=str(tmp_path / "store"))
    shutil.copytree(built_store_dir, settings.store)
    index, target = index_path(Settings(store=str(built_store_dir))), index_path(settings)
    assert index is not None and target is not None
    shutil.copy(index, target)
    application = create_app(settings)
    yield settings, application.test_client()
    application.extensions["dipkg"].executor.close()


def test_an_index_behind_the_store_says_so(copied_store: tuple[Settings, FlaskClient]) -> None:
    settings, client = copied_store
    assert client.get("/api/search?q=Xi").get_json()["current"] is True
    with writing(settings.store):  # a write that did not go through the index
        pass
    assert client.get("/api/search?q=Xi").get_json()["current"] is False
    assert "behind the store" in client.get("/search?q=Xi", headers=HTML).text


def test_no_index_is_a_503_problem(copied_store: tuple[Settings, FlaskClient]) -> None:
    settings, client = copied_store
    target = index_path(settings)
    assert target is not None
    target.unlink()
    response = client.get("/api/search?q=Xi")
    assert response.status_code == 503
    assert response.get_json()["type"] == "/problems/no-search-index"
    assert "dipkg index" in response.get_json()["hint"]
