"""The review queue's sign-in over real HTTP: the session cookie's flags, the CSRF token bound
to its session, and the write token kept out of every URL, page and cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import TOKEN, LiveServer, reviewable_copy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with reviewable_copy(built_store_dir, tmp_path_factory.mktemp("review") / "store") as live:
        yield live


def form_token(session: requests.Session, server: LiveServer) -> str:
    page = session.get(f"{server.url}/review", timeout=30)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_the_session_cookie_is_http_only_and_same_site(server: LiveServer) -> None:
    response = requests.get(f"{server.url}/review", timeout=30)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert response.headers["Cache-Control"] == "no-store"


def test_sign_in_needs_the_csrf_token_of_its_own_session(server: LiveServer) -> None:
    other = requests.Session()
    stolen = form_token(other, server)
    session = requests.Session()
    form_token(session, server)
    url = f"{server.url}/review/login"
    for data in ({"token": TOKEN}, {"token": TOKEN, "csrf_token": stolen}):
        response = session.post(url, data=data, allow_redirects=False, timeout=30)
        assert response.status_code == 403
        assert response.json()["type"] == "/problems/csrf"


def test_a_wrong_token_is_401_and_the_right_one_signs_in(server: LiveServer) -> None:
    session = requests.Session()
    url = f"{server.url}/review/login"
    wrong = session.post(
        url, data={"token": "wrong", "csrf_token": form_token(session, server)}, timeout=30
    )
    assert wrong.status_code == 401 and "not the write token" in wrong.text
    signed = session.post(
        url,
        data={"token": TOKEN, "csrf_token": form_token(session, server)},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 303 and signed.headers["Location"] == "/review"
    queue = session.get(f"{server.url}/review", timeout=30)
    assert 'data-actor="indonesia"' in queue.text
    for seen in (signed.headers["Location"], queue.url, queue.text, str(session.cookies)):
        assert TOKEN not in seen
    # the write token itself opens no session: only the form does
    bare = requests.get(
        f"{server.url}/review", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert 'data-actor="indonesia"' not in bare.text
