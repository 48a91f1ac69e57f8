"""``/api/documents`` through Flask's client: the list (paged), one document with what it
contributed, and ``DELETE`` (the write token; an unknown document is a 404 that changes
nothing; after a removal its nodes answer 410 and the merged ones stay)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support import WRITE_TOKEN, store_quads

FIRST, SECOND = "000_6aee4f90ec08fcc7", "001_8a1da5cde644e144"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}


def test_the_list_is_paged(client: FlaskClient) -> None:
    whole = client.get("/api/documents").json
    assert whole["total"] == 2 and [d["id"] for d in whole["documents"]] == [FIRST, SECOND]
    assert whole["documents"][0]["link"] == f"/id/document/{FIRST}"
    first = client.get("/api/documents?_limit=1")
    assert [d["id"] for d in first.json["documents"]] == [FIRST]
    assert 'rel="next"' in first.headers["Link"] and "_offset=1" in first.headers["Link"]
    second = client.get("/api/documents?_limit=1&_offset=1")
    assert [d["id"] for d in second.json["documents"]] == [SECOND]
    assert 'rel="next"' not in second.headers["Link"]


@pytest.mark.parametrize("query", ["_limit=0", "_limit=x", "_offset=-1", "_limit=100001"])
def test_a_bad_page_is_a_400_naming_the_parameter(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/documents?{query}")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["parameter"] == query.split("=")[0]


def test_a_document_says_what_it_contributed(client: FlaskClient) -> None:
    body = client.get(f"/api/documents/{SECOND}").json
    assert body["id"] == SECOND and body["source"] == "curated" and body["published"]
    assert body["text"].startswith(body["title"].split()[0])
    assert body["counts"] == {k: len(v) for k, v in body["contributed"].items()}
    assert body["counts"]["events"] >= 2
    assert (
        "https://w3id.org/dipkg/id/event/2023-11-15-meeting-joe-biden-xi-jinping"
        in body["contributed"]["events"]
    )


def test_an_unknown_document_is_a_404_naming_it(client: FlaskClient) -> None:
    response = client.get("/api/documents/nope")
    assert response.status_code == 404 and response.json["document"] == "nope"
    assert response.json["type"] == "/problems/unknown-document"


def test_removal_needs_writes_on(client: FlaskClient) -> None:
    response = client.delete(f"/api/documents/{FIRST}", headers=AUTH)
    assert response.status_code == 403 and response.json["type"] == "/problems/writes-disabled"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_removal_needs_the_token(
    writable_client: FlaskClient, tmp_path: Path, token: str | None
) -> None:
    before = store_quads(tmp_path / "store")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = writable_client.delete(f"/api/documents/{FIRST}", headers=headers)
    assert response.status_code == 401 and response.json["type"] == "/problems/unauthorized"
    assert WRITE_TOKEN not in response.text
    assert store_quads(tmp_path / "store") == before


def test_removing_an_unknown_document_changes_nothing(
    writable_client: FlaskClient, tmp_path: Path
) -> None:
    before = store_quads(tmp_path / "store")
    response = writable_client.delete("/api/documents/nope", headers=AUTH)
    assert response.status_code == 404 and response.json["document"] == "nope"
    assert store_quads(tmp_path / "store") == before


@pytest.mark.slow
def test_a_removed_document_is_gone_and_its_merged_nodes_stay(
    writable_client: FlaskClient,
) -> None:
    response = writable_client.delete(f"/api/documents/{FIRST}", headers=AUTH)
    assert response.status_code == 200, response.text
    removal = response.json
    assert removal["documents"] == [FIRST]
    assert removal["links"]["change"].startswith("/id/change/")
    assert writable_client.get(removal["links"]["change"]).status_code == 200
    gone = writable_client.get("/id/demand/2023-11-15-joe-biden-taiwan")
    assert gone.status_code == 410 and gone.json["type"] == "/problems/gone"
    assert writable_client.get(f"/id/document/{FIRST}").status_code == 410
    kept = writable_client.get("/id/event/2023-11-15-meeting-joe-biden-xi-jinping")
    assert kept.status_code == 200
    assert writable_client.get("/api/documents").json["total"] == 1
    again = writable_client.delete(f"/api/documents/{FIRST}", headers=AUTH)
    assert again.status_code == 404
    [change, *_] = writable_client.get("/api/changes").json["changes"]
    assert (change["kind"], change["by"], change["removed"]) == ("remove", "write_token", [FIRST])
