"""The review queue (/review) in process: sign-in with the write token, CSRF on every POST,
and decisions that re-ingest through the SHACL gate and land in the graph of changes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kg.config import Settings
from kg.flows.validate import validate_stored
from server import create_app
from tests.support import TOKEN, article

pytestmark = pytest.mark.slow  # automatic extraction of an article (spaCy) per module


@pytest.fixture(scope="module")
def review_app(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a copy of the bundled store holding one automatically ingested article
    (with provisional actors and a doubtful pledge)."""
    store = tmp_path_factory.mktemp("review") / "store"
    shutil.copytree(built_store_dir, store)
    app = create_app(Settings(store=str(store), write_token=TOKEN))
    response = app.test_client().post(
        "/api/documents",
        json=article("widodo_beijing"),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 201, response.text
    yield app
    app.extensions["dipkg"].executor.close()


def csrf(client: FlaskClient) -> str:
    page = client.get("/review").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def signed_in(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    response = client.post("/review/login", data={"token": TOKEN, "csrf_token": csrf(client)})
    assert response.status_code == 303
    return client, csrf(client)


def ask(app: Flask, sparql: str) -> list[tuple[object, ...]]:
    return app.extensions["dipkg"].executor.query(sparql).rows


def test_a_wrong_token_is_401_and_no_token_shows(review_app: Flask) -> None:
    client = review_app.test_client()
    response = client.post("/review/login", data={"token": "wrong", "csrf_token": csrf(client)})
    assert response.status_code == 401
    assert TOKEN not in response.get_data(as_text=True)
    assert "review-login" in client.get("/review").get_data(as_text=True)  # still signed out


def test_a_post_without_the_csrf_token_is_403(review_app: Flask) -> None:
    client = review_app.test_client()
    response = client.post("/review/login", data={"token": TOKEN})
    assert response.status_code == 403
    assert response.get_json()["type"] == "/problems/csrf"
    signed, _ = signed_in(review_app)
    action = signed.post("/review/actors/indonesia", data={"action": "merge", "into": "china"})
    assert action.status_code == 403
    forged = signed.post(
        "/review/actors/indonesia",
        data={"action": "merge", "into": "china", "csrf_token": "forged"},
    )
    assert forged.status_code == 403


def test_the_queue_lists_provisional_actors_and_doubtful_facts(review_app: Flask) -> None:
    client, _ = signed_in(review_app)
    page = client.get("/review")
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'data-actor="indonesia"' in text and 'data-actor="joko-widodo"' in text
    assert "confidence 0.36" in text
    assert TOKEN not in text
    assert 'href="/review"' in text  # the Review link once signed in


def test_merging_a_provisional_actor_names_the_registry_actor(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    response = client.post(
        "/review/actors/joko-widodo",
        data={"action": "merge", "into": "joe-biden", "csrf_token": token},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    base = "https://w3id.org/dipkg/id/"
    old = f"<{base}actor/joko-widodo>"
    assert not ask(
        review_app, f"ASK {{ GRAPH ?g {{ {{ {old} ?p ?o }} UNION {{ ?s ?p {old} }} }} }}"
    )
    named = ask(
        review_app,
        f"SELECT ?s WHERE {{ GRAPH <{base}graph/widodo_beijing> {{ ?s ?p <{base}actor/joe-biden> }} }}",
    )
    assert named
    changes = ask(
        review_app,
        "PREFIX dip: <https://w3id.org/dipkg/def#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?who ?note WHERE { ?c dip:changeKind "
        "<https://w3id.org/dipkg/concept/change-kind/review> ; dip:changedBy ?who ; "
        "skos:editorialNote ?note }",
    )
    assert any(str(w) == "reviewer" and "joko-widodo" in str(n) for w, n in changes)
    assert 'data-actor="joko-widodo"' not in client.get("/review").get_data(as_text=True)


def test_rejecting_a_fact_removes_it_and_the_store_stays_valid(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    page = client.get("/review").get_data(as_text=True)
    item = re.search(
        r'data-fact="([^"]+)".*?name="document" value="([^"]+)".*?name="kind" '
        r'value="([^"]+)".*?name="start" value="(\d+)".*?name="end" value="(\d+)"',
        page,
        re.S,
    )
    assert item, page
    fact, document, kind, start, end = item.groups()
    response = client.post(
        "/review/facts",
        data={
            "action": "reject",
            "document": document,
            "kind": kind,
            "start": start,
            "end": end,
            "csrf_token": token,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert not ask(review_app, f"ASK {{ GRAPH ?g {{ <{fact}> ?p ?o }} }}")
    assert f'data-fact="{fact}"' not in client.get("/review").get_data(as_text=True)
    settings = review_app.config["DIPKG_SETTINGS"]
    assert validate_stored(settings).conforms


def test_signing_out_ends_the_session(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 303
    response = client.post("/review/facts", data={"action": "accept", "csrf_token": csrf(client)})
    assert response.status_code == 401
