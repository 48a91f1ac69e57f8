"""DELETE /api/documents/ID and the change feed over real HTTP: a removal needs the write
token (problem+json 401/403), a removed document's own nodes answer 410 Gone to any client
while the merged ones stay, and /changes.atom is served as Atom with the removal first."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import TOKEN, LiveServer, serving_copy

FIRST = "000_6aee4f90ec08fcc7"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def writable(
    built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with serving_copy(
        built_store_dir, tmp_path_factory.mktemp("removable") / "store", write_token=TOKEN
    ) as server:
        yield server


def delete(server: LiveServer, name: str, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.delete(f"{server.url}/api/documents/{name}", headers=headers, timeout=60)


def test_without_a_configured_token_removal_is_off(live_server: LiveServer) -> None:
    response = delete(live_server, FIRST)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/writes-disabled"


@pytest.mark.slow  # a server of its own (Flask's client checks the same in the fast run)
@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_missing_or_wrong_token_is_401(writable: LiveServer, token: str | None) -> None:
    response = delete(writable, FIRST, token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/unauthorized"
    listed = requests.get(f"{writable.url}/api/documents", timeout=30).json()
    assert FIRST in [d["id"] for d in listed["documents"]], "nothing was removed"


@pytest.mark.slow
def test_a_removed_document_is_gone_for_every_client(writable: LiveServer) -> None:
    response = delete(writable, FIRST)
    assert response.status_code == 200, response.text
    assert response.json()["documents"] == [FIRST]
    for path in ("/id/demand/2023-11-15-joe-biden-taiwan", f"/id/document/{FIRST}"):
        for accept in ("text/turtle", "application/json", "text/html"):
            gone = requests.get(writable.url + path, headers={"Accept": accept}, timeout=30)
            assert gone.status_code == 410, (path, accept)
    kept = requests.get(
        f"{writable.url}/id/event/2023-11-15-meeting-joe-biden-xi-jinping",
        headers={"Accept": "text/turtle"},
        timeout=30,
    )
    assert kept.status_code == 200 and "001_8a1da5cde644e144" in kept.text
    assert f"document/{FIRST}/span" not in kept.text, "its mentions by the removed one went"
    missing = delete(writable, FIRST)
    assert missing.status_code == 404 and missing.json()["document"] == FIRST
    feed = requests.get(f"{writable.url}/changes.atom", timeout=30)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][0] == f"Remove of {FIRST}"
    [related] = entries[0].findall(f"{ATOM}link[@rel='related']")
    assert related.get("href") == f"{writable.url}/id/document/{FIRST}"
