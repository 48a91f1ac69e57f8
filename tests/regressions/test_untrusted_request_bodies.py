"""POST /api/documents with hostile bodies: each is a 400 problem naming the field, never a
500, and nothing is written (the hardening round found 500s for all of them)."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.support import WRITE_TOKEN

AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}


def post(client: FlaskClient, body: str | dict[str, str]) -> tuple[int, dict[str, object]]:
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(
        "/api/documents", data=data, headers=AUTH, content_type="application/json"
    )
    return response.status_code, response.get_json()


def test_json_nested_ten_thousand_levels_is_refused(writable_client: FlaskClient) -> None:
    status, problem = post(writable_client, "[" * 10_000 + "]" * 10_000)
    assert status == 400 and "nested deeper than" in str(problem["detail"])


def test_a_lone_surrogate_in_the_text_is_refused(writable_client: FlaskClient) -> None:
    status, problem = post(writable_client, '{"id": "x", "text": "\\ud800 Biden met Xi."}')
    assert status == 400 and problem["field"] == "text"


@pytest.mark.parametrize("document_id", ["abc\n", "abc\r", ".hidden", "-x", "a/b", "x" * 101])
def test_ids_are_checked_whole(writable_client: FlaskClient, document_id: str) -> None:
    status, problem = post(writable_client, {"id": document_id, "text": "Biden met Xi."})
    assert status == 400 and problem["field"] == "id"


def test_an_id_with_a_dot_is_kept_whole(writable_client: FlaskClient) -> None:
    status, created = post(
        writable_client,
        {"id": "report.v2", "text": "Joe Biden met Xi Jinping in Woodside on 15 November 2023."},
    )
    assert status == 201, created
    assert created["document"] == "report.v2"


def test_control_characters_in_the_text_are_refused(writable_client: FlaskClient) -> None:
    status, problem = post(writable_client, {"id": "c0", "text": "Biden\x07 met Xi."})
    assert status == 422
    assert any("U+0007" in reason for reason in problem["reasons"])  # type: ignore[union-attr]
