"""Paths that cannot make an IRI name no resource: 404 unknown-resource, never a 500 or the
parser's message (the hardening round found 500s for /concept/a%20b and relatives, and 400s
with Oxigraph's message for bad bytes under /id/)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(
    "path",
    [
        "/concept/a%20b",
        "/concept/%3E",
        "/concept/%22",
        "/concept/%7B%7D",
        "/id/%ff%fe",
        "/id/event/%00",
        "/id/a%20b",
        "/id/%3E",
        "/id/a%0ab",
        "/no/such/page",
    ],
)
def test_a_path_that_is_no_iri_is_404(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["type"] == "/problems/unknown-resource"
