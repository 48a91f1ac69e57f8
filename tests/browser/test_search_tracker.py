"""The analyst's workbench in a real headless Chromium: a person searches from the home page's
search box (keyboard only) and reaches the meeting's page; in the pledge tracker, facet links
narrow the list and the filter is removed again. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
MEETING = "Meeting of Joe Biden and Xi Jinping, 2023-11-15"


def test_search_from_the_home_page_to_an_event(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    box = page.get_by_role("searchbox", name="Search")
    box.focus()
    page.keyboard.type("Filoli meeting")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Filoli+meeting")
    hits = page.locator("ol.hits li")
    assert hits.count() >= 1
    assert page.locator("ol.hits mark").first.inner_text().lower() in ("filoli", "meeting")
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.get_by_role("link", name=MEETING).first.click()
    page.wait_for_url("**/id/event/2023-11-15-meeting-joe-biden-xi-jinping")
    assert page.locator("h1").inner_text().startswith(MEETING)


def test_the_tracker_facets_narrow_the_list(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/pledges")
    rows = page.locator("table.tracker tbody tr")
    everything = rows.count()
    assert everything > 2
    page.screenshot(path=str(ARTIFACTS / "pledges.png"), full_page=True)
    status = page.locator("section.facet", has=page.get_by_role("heading", name="status"))
    status.get_by_role("link", name="made", exact=True).click()
    page.wait_for_url("**/pledges?status=made")
    made = rows.count()
    assert 0 < made < everything
    assert set(page.locator("table.tracker td.status").all_inner_texts()) == {"made"}
    maker = page.locator("section.facet", has=page.get_by_role("heading", name="maker"))
    maker.get_by_role("link", name="Xi Jinping", exact=True).click()
    page.wait_for_url("**/pledges?status=made&maker=Xi+Jinping")
    assert 0 < rows.count() < made
    page.screenshot(path=str(ARTIFACTS / "pledges-filtered.png"), full_page=True)
    page.get_by_role("link", name="Remove the status filter made").click()
    page.wait_for_url("**/pledges?maker=Xi+Jinping")
    makers = page.locator("table.tracker tbody td:nth-child(2)").all_inner_texts()
    assert len(makers) >= rows.count() > 0
    assert all("Xi Jinping" in m for m in makers)
