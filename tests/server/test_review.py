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
from tests.support import ARTICLES, TOKEN, article

pytestmark = pytest.mark.slow  # automatic extraction of an article (spaCy) per module


@pytest.fixture(scope="module")
def review_app(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a copy of the bundled store holding two automatically ingested articles
    (provisional actors and a doubtful pledge in one, an undated call in the other)."""
    store = tmp_path_factory.mktemp("review") / "store"
    shutil.copytree(built_store_dir, store)
    app = create_app(Settings(store=str(store), write_token=TOKEN))
    undated = {"id": "undated_call", "text": (ARTICLES / "undated_call.txt").read_text()}
    for body in (article("widodo_beijing"), undated):
        response = app.test_client().post(
            "/api/documents", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
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


def queued(page: str, kind: str) -> dict[str, str]:
    """The form fields of the first fact of ``kind`` in the review page, and its IRI."""
    item = re.search(
        r'data-fact="([^"]+)".*?name="document" value="([^"]+)".*?name="kind" '
        rf'value="({kind})".*?name="start" value="(\d+)".*?name="end" value="(\d+)"',
        page,
        re.S,
    )
    assert item, page
    return dict(zip(("iri", "document", "kind", "start", "end"), item.groups(), strict=True))


def ask(app: Flask, sparql: str) -> bool:
    return bool(app.extensions["dipkg"].executor.query(sparql).boolean)


def select(app: Flask, sparql: str) -> list[tuple[object, ...]]:
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
    graph = f"<{base}graph/widodo_beijing>"
    assert not ask(
        review_app, f"ASK {{ GRAPH {graph} {{ {{ {old} ?p ?o }} UNION {{ ?s ?p {old} }} }} }}"
    )
    named = select(
        review_app,
        f"SELECT ?s WHERE {{ GRAPH <{base}graph/widodo_beijing> {{ ?s ?p <{base}actor/joe-biden> }} }}",
    )
    assert named
    changes = select(
        review_app,
        "PREFIX dip: <https://w3id.org/dipkg/def#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?who ?note WHERE { ?c dip:changeKind "
        "<https://w3id.org/dipkg/concept/change-kind/review> ; dip:changedBy ?who ; "
        "skos:editorialNote ?note }",
    )
    assert any(str(w) == "reviewer" and "joko-widodo" in str(n) for w, n in changes)
    assert 'data-actor="joko-widodo"' not in client.get("/review").get_data(as_text=True)


def test_accepting_a_provisional_actor_adds_it_to_the_registry(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    response = client.post(
        "/review/actors/indonesia",
        data={"action": "accept", "wikidata": "Q252", "csrf_token": token},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    actor = "<https://w3id.org/dipkg/id/actor/indonesia>"
    assert ask(review_app, f"ASK {{ {actor} <http://www.w3.org/2002/07/owl#sameAs> ?wd }}")
    assert not ask(review_app, f"ASK {{ {actor} <https://w3id.org/dipkg/def#isProvisional> true }}")
    settings: Settings = review_app.config["DIPKG_SETTINGS"]
    assert settings.review_path is not None
    additions = (settings.review_path / "registry.yaml").read_text(encoding="utf-8")
    assert "id: indonesia" in additions and "wikidata: Q252" in additions
    bad = client.post("/review/actors/nobody", data={"action": "accept", "csrf_token": token})
    assert bad.status_code == 400


def test_correcting_a_fact_sets_its_date_and_takes_it_off_the_queue(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    fact = queued(client.get("/review").get_data(as_text=True), "pledge")
    fields = {k: v for k, v in fact.items() if k != "iri"}
    wrong = client.post(
        "/review/facts", data={**fields, "action": "correct", "date": "May", "csrf_token": token}
    )
    assert wrong.status_code == 400 and "ISO 8601" in wrong.get_json()["detail"]
    response = client.post(
        "/review/facts",
        data={**fields, "action": "correct", "date": "2024-05", "csrf_token": token},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    graph = "<https://w3id.org/dipkg/id/graph/widodo_beijing>"
    assert ask(
        review_app,
        "PREFIX dip: <https://w3id.org/dipkg/def#> ASK { GRAPH "
        + graph
        + ' { ?p a dip:Pledge ; dip:date ?d } FILTER(STR(?d) = "2024-05") }',
    )
    assert "confidence 0.36" not in client.get("/review").get_data(as_text=True)


def test_rejecting_a_fact_removes_it_and_the_store_stays_valid(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    found = queued(client.get("/review").get_data(as_text=True), "[a-z]+")
    fact, document, kind, start, end = found.values()
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
    graph = f"<https://w3id.org/dipkg/id/graph/{document}>"
    assert not ask(review_app, f"ASK {{ GRAPH {graph} {{ <{fact}> ?p ?o }} }}")
    assert f'data-fact="{fact}"' not in client.get("/review").get_data(as_text=True)
    settings = review_app.config["DIPKG_SETTINGS"]
    assert validate_stored(settings).conforms


def test_signing_out_ends_the_session(review_app: Flask) -> None:
    client, token = signed_in(review_app)
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 303
    response = client.post("/review/facts", data={"action": "accept", "csrf_token": csrf(client)})
    assert response.status_code == 401
