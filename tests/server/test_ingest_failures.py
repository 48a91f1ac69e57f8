"""POST /api/documents when extraction fails on the article: a 422 problem with the reason,
never a 500, and nothing written (issue 14)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from kg.extract import Extractor
from kg.records import Document
from tests.support import WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}


def test_a_fault_in_extraction_is_a_422_and_nothing_is_written(
    writable_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Extractor, document: Document) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(Extractor, "extract", broken)
    response = writable_client.post(
        "/api/documents", json={"id": "broken", "text": "Biden met Xi in Woodside."}, headers=AUTH
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["document"] == "broken"
    assert problem["reasons"][0].startswith(
        "extraction failed: RecursionError: maximum recursion depth exceeded"
    )
    monkeypatch.undo()
    described = writable_client.get("/id/document/broken", headers={"Accept": "application/json"})
    assert described.status_code == 404
