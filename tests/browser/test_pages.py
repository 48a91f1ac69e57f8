"""The pages in a real headless Chromium (Debian's, driven by Playwright): a person follows
links from the home page to the November 2023 meeting, reads both documents' evidence, opens a
document with its highlights, a pledge with its history, and an actor's timeline picture.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import ARTIFACTS
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def test_home_to_the_meeting_with_both_documents_evidence(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    page.get_by_role("link", name="Meeting of Joe Biden and Xi Jinping, 2023-11-15").click()
    page.wait_for_url("**/id/event/2023-11-15-meeting-joe-biden-xi-jinping")
    sources = page.locator("ul.evidence a.source").all_inner_texts()
    assert any(s.startswith("000_6aee4f90ec08fcc7") for s in sources)
    assert any(s.startswith("001_8a1da5cde644e144") for s in sources)
    page.screenshot(path=str(ARTIFACTS / "meeting.png"), full_page=True)


def test_document_shows_highlights(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/id/document/000_6aee4f90ec08fcc7")
    marks = page.locator(".document mark")
    assert marks.count() >= 10
    assert marks.first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "document.png"), full_page=True)


def test_pledge_shows_its_history(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/id/pledge/2023-11-15-china-united-states-narcotics")
    steps = page.locator("ol.history li.step").all_inner_texts()
    assert [s.split()[0] for s in steps] == ["made", "reviewed"]
    page.screenshot(path=str(ARTIFACTS / "pledge.png"), full_page=True)


def test_timeline_svg_renders_its_marks(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    rows = requests.get(live_server.url + "/api/queries/timeline", params={"actor": "Xi"}).json()
    dated = {b["item"]["value"] for b in rows["results"]["bindings"] if "date" in b}
    page.goto(live_server.url + "/id/actor/xi-jinping")
    circles = page.locator("figure.timeline svg circle.mark")
    assert circles.count() == len(dated) > 0
    box = circles.first.bounding_box()
    assert box is not None and box["width"] > 0
    page.screenshot(path=str(ARTIFACTS / "actor.png"), full_page=True)


def test_saved_query_page_follows_next_and_previous(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/queries/events?run=1&pageSize=3")
    first = page.locator("table.results tbody tr").all_inner_texts()
    assert len(first) == 3 and page.get_by_text("page 1").count() == 1
    page.get_by_role("link", name="Next page").click()
    second = page.locator("table.results tbody tr").all_inner_texts()
    assert len(second) == 3 and not set(first) & set(second)
    page.get_by_role("link", name="Previous page").click()
    assert page.locator("table.results tbody tr").all_inner_texts() == first


def test_query_page_links_results_to_this_server(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/sparql")
    page.fill("#query", "SELECT ?event WHERE { ?event a <https://w3id.org/dipkg/def#Meeting> }")
    page.click("#run")
    page.wait_for_selector("#results table a")
    links = page.eval_on_selector_all(
        "#results a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert links and all(link.startswith("/id/event/") for link in links), links
    page.click("#results a >> nth=0")
    assert page.url.startswith(live_server.url + "/id/event/")
    assert page.locator("h1").count() == 1
