"""The review queue in a real headless Chromium: a reviewer signs in with the write token and
merges a provisional actor into a registry actor; the graph then names the registry actor.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.browser.conftest import ARTIFACTS
from tests.support import TOKEN, LiveServer, reviewable_copy

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with reviewable_copy(built_store_dir, tmp_path_factory.mktemp("review") / "store") as live:
        yield live


def names(server: LiveServer, actor: str) -> bool:
    query = (
        "ASK { GRAPH <https://w3id.org/dipkg/id/graph/widodo_beijing> "
        f"{{ ?s ?p <https://w3id.org/dipkg/id/actor/{actor}> }} }}"
    )
    response = requests.get(
        f"{server.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    return bool(response.json()["boolean"])


def test_a_reviewer_signs_in_and_merges_a_provisional_actor(page, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    assert names(server, "indonesia") and not names(server, "russia")
    page.goto(server.url + "/review")
    page.get_by_label("Write token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("h2#provisional")
    assert TOKEN not in page.url and TOKEN not in page.content()
    assert page.get_by_role("link", name="Review").count() == 1
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    item = page.locator('li.review-actor[data-actor="indonesia"]')
    item.get_by_label("Same as").select_option("russia")
    item.get_by_role("button", name="Merge").click()
    page.wait_for_selector("p.done", timeout=180_000)  # the first extraction loads spaCy
    assert "indonesia: merge" in page.locator("p.done").inner_text()
    assert page.locator('li.review-actor[data-actor="indonesia"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "review-merged.png"), full_page=True)
    assert names(server, "russia") and not names(server, "indonesia")
