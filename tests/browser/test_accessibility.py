"""Accessibility of every kind of page, checked by axe-core in a real headless Chromium: the
vendored axe (tests/browser/vendor/axe-core/, written by scripts/vendor.py; the server never
serves it) is injected by Playwright into each page, and a serious or critical violation fails
the test, naming the rule and the elements. The query page is checked in each of its states:
the editor, a table of results, the chart view, the completion list and a refused query.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.browser.conftest import ARTIFACTS, VIEWPORT
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
ID = "/id/"
# page kind -> (path, what shows when its scripts have drawn it)
PAGES = {
    "home": ("/", "main h1"),
    "query": ("/sparql", ".CodeMirror"),
    "saved-query-form": ("/queries/events", "main form"),
    "saved-query-results": ("/queries/events?run=1&pageSize=5", "table.results"),
    "actor": (ID + "actor/xi-jinping", ".timeline-view[data-drawn]"),
    "event": (ID + "event/2023-11-15-meeting-joe-biden-xi-jinping", "main h1"),
    "pledge": (ID + "pledge/2023-11-15-china-united-states-narcotics", "ol.history"),
    "demand": (ID + "demand/2023-11-15-joe-biden-middle-east", "main h1"),
    "statement": (ID + "statement/2023-11-15-joe-biden-3d4cbf90", "main h1"),
    "document": (ID + "document/000_6aee4f90ec08fcc7", ".document mark"),
    "place": (ID + "place/hebei", "main h1"),
    "concept-scheme": ("/concept/topic", "main h1"),
    "concept": ("/concept/topic/strategic_coordination", "main h1"),
    "ontology": ("/def", "main h1"),
    "pledge-tracker": ("/pledges", "table.tracker"),
    "network": ("/network", "#network[data-drawn]"),
    "pair-timeline": ("/timeline/view?actor=Xi&counterpart=Biden", ".timeline-view[data-drawn]"),
    "search-form": ("/search", "main h1"),
    "search-hits": ("/search?q=Xi", "ol.hits"),
    "releases": ("/releases/", "main h1"),
    "api-docs": ("/api/docs", "main h1"),
    "not-found": (ID + "event/no-such-event", "main h1"),
}


@pytest.fixture(scope="module")
def checked(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A page whose every document gets axe before its own scripts run."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The page's serious and critical violations, one line each (rule, help, elements)."""
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {[n['target'] for n in v['nodes'][:5]]}"
        for v in found["violations"]
        if v["impact"] in FAILING
    ]


@pytest.mark.parametrize("kind", list(PAGES), ids=list(PAGES))
def test_every_kind_of_page_has_no_serious_violation(
    checked, live_server: LiveServer, kind: str
) -> None:  # type: ignore[no-untyped-def]
    path, ready = PAGES[kind]
    checked.goto(live_server.url + path)
    checked.locator(ready).first.wait_for()
    assert violations(checked) == [], path


def test_a_change_page_has_no_serious_violation(checked, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    change = requests.get(live_server.url + "/api/changes?_limit=1", timeout=30).json()
    checked.goto(live_server.url + change["changes"][0]["link"])
    checked.locator("main h1").wait_for()
    assert violations(checked) == []


def test_the_query_page_in_each_state_has_no_serious_violation(
    checked, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    checked.goto(live_server.url + "/sparql")
    checked.click(".yasqe_queryButton")
    checked.locator(".yasr table[data-labelled]").wait_for()
    assert violations(checked) == [], "a table of results"
    checked.get_by_role("link", name="Actor", exact=True).click()
    checked.click(".tabPanel.active .yasqe_queryButton")
    checked.locator(".tabPanel.active .yasr table[data-labelled]").wait_for()
    checked.click(".tabPanel.active .select_chart")
    checked.locator(".tabPanel.active .result-chart[data-points]").wait_for()
    assert violations(checked) == [], "the chart view"
    checked.screenshot(path=str(ARTIFACTS / "query-chart-axe.png"), full_page=True)
    checked.click(".tabPanel.active .CodeMirror")
    checked.keyboard.press("Control+Home")
    checked.keyboard.press("Enter")
    checked.keyboard.press("ArrowUp")
    checked.keyboard.type("PREFIX di")
    checked.locator(".CodeMirror-hints li").first.wait_for()
    assert violations(checked) == [], "the completion list"
    checked.keyboard.press("Escape")
    checked.evaluate(
        "q => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror.setValue(q)",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    )
    checked.click(".tabPanel.active .yasqe_queryButton")
    checked.locator(".tabPanel.active .yasr .problem").wait_for()
    assert violations(checked) == [], "a refused query"


def test_the_checker_finds_what_it_should(checked, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    """The check can fail: an unlabelled field and low-contrast text put into a page are found."""
    checked.goto(live_server.url + "/")
    checked.evaluate(
        """() => {
          const field = document.createElement('input');
          field.type = 'text';
          const faint = document.createElement('p');
          faint.textContent = 'faint words';
          faint.style.color = '#bbbbbb';
          document.querySelector('main').append(field, faint);
        }"""
    )
    found = " ".join(violations(checked))
    assert "critical label" in found and "serious color-contrast" in found, found
