"""Browsing with facets in a real headless Chromium: a person clicks a facet count on the home
page, lands on the narrowed list (as many rows as the count said, each of that value),
narrows it again, sorts it by a column and downloads its CSV. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]


def test_a_home_page_facet_count_opens_the_narrowed_list(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    by_type = page.locator("section.facet", has=page.get_by_role("heading", name="Events by type"))
    meeting = by_type.get_by_role("link", name="meeting")
    count = int(meeting.locator(".count").inner_text())
    assert count > 0
    page.screenshot(path=str(ARTIFACTS / "home-browse.png"), full_page=True)
    meeting.click()
    page.wait_for_url("**/events?type=meeting")
    rows = page.locator("table.listing tbody tr")
    assert rows.count() == count
    assert set(page.locator("table.listing td.type").all_inner_texts()) == {"meeting"}
    assert page.get_by_role("status").first.inner_text().startswith(f"{count} event(s)")
    page.screenshot(path=str(ARTIFACTS / "events-meeting.png"), full_page=True)

    year = page.locator("section.facet", has=page.get_by_role("heading", name="year"))
    first = year.locator("li").first
    value, narrower = (
        first.get_by_role("link").inner_text(),
        int(first.locator(".count").inner_text()),
    )
    first.get_by_role("link").click()
    page.wait_for_url(f"**/events?type=meeting&year={value}")
    assert rows.count() == narrower
    assert all(d.startswith(value) for d in page.locator("table.listing td.date").all_inner_texts())

    page.get_by_role("link", name="Remove the year filter").click()
    page.wait_for_url("**/events?type=meeting")
    page.locator("thead").get_by_role("link", name="label").click()
    page.wait_for_url("**/events?type=meeting&_sort=label")
    labels = page.locator("table.listing td.label").all_inner_texts()
    assert labels == sorted(labels) and len(labels) == count

    href = page.get_by_role("link", name="csv").get_attribute("href")
    download = page.request.get(live_server.url + href)
    table = list(csv.DictReader(io.StringIO(download.text())))
    assert [r["label"] for r in table] == labels
    assert {r["type"] for r in table} == {"meeting"}
