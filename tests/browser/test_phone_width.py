"""Every page type at a phone's width (375 px): the page body never scrolls sideways (tables
scroll inside their own box, the navigation wraps); a screenshot of each in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.support import TOKEN, LiveServer, reviewable_copy

pytestmark = pytest.mark.browser

WIDTH = 375
PAGES = {
    "home": "/",
    "events": "/events",
    "pledges": "/pledges",
    "statements": "/statements",
    "document": "/id/document/000_6aee4f90ec08fcc7",
    "event": "/id/event/2023-11-15-meeting-joe-biden-xi-jinping",
    "pledge": "/id/pledge/2023-11-15-china-united-states-narcotics",
    "actor": "/id/actor/xi-jinping",
    "concept": "/concept/topic/taiwan",
    "ontology": "/def",
    "saved-query": "/queries/events?run=1",
    "sparql": "/sparql",
    "network": "/network",
    "timeline": "/timeline/view?actor=Xi",
    "search": "/search?q=Xi",
    "api-docs": "/api/docs",
    "releases": "/releases/",
    "not-found": "/id/event/no-such-event",
    "review-sign-in": "/review",
}


@pytest.fixture(scope="module")
def server(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with reviewable_copy(built_store_dir, tmp_path_factory.mktemp("phone") / "store") as live:
        yield live


@pytest.fixture(scope="module")
def phone(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


SIZED = {"timeline", "network"}
"""Pages whose drawing follows the window's height: a full-page screenshot (which grows the
window to the page) would never settle, so these are shot as the phone shows them."""


def _fits(page, name: str) -> int:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    shot = ARTIFACTS / f"phone-{name}.png"
    page.screenshot(path=str(shot), full_page=name not in SIZED)
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_a_page_fits_a_phone(phone, server: LiveServer, path: str) -> None:  # type: ignore[no-untyped-def]
    phone.goto(server.url + path)
    name = next(k for k, v in PAGES.items() if v == path)
    assert _fits(phone, name) <= WIDTH


def test_the_review_queue_fits_a_phone(phone, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    phone.goto(server.url + "/review")
    phone.get_by_label("Write token").fill(TOKEN)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_selector("h2#provisional")
    assert _fits(phone, "review-queue") <= WIDTH


def test_a_wide_table_scrolls_in_its_own_box(phone, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    phone.goto(server.url + "/events")
    box = phone.locator(".table-scroll").first
    inner = box.evaluate("b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX]")
    assert inner[2] == "auto" and inner[1] <= WIDTH
    assert int(phone.evaluate("document.documentElement.scrollWidth")) <= WIDTH
