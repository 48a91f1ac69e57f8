"""The analyst's workbench in a real headless Chromium: the query editor (YASGUI) reopens a
shared query URL with its results, completes this server's prefixes and sends nothing off the
origin, and shows a refused query's problem; the actor and pair timelines (vis-timeline) draw
one item per dated row of the saved query, stacked, with a far outlier outside the first view.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from tests.browser.conftest import ARTIFACTS, VIEWPORT
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
MEETINGS = (
    "PREFIX dip: <https://w3id.org/dipkg/def#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?event ?label WHERE { ?event a dip:Meeting ; rdfs:label ?label } ORDER BY ?event"
)
ITEMS = ".timeline-canvas .vis-item.vis-box, .timeline-canvas .vis-item.vis-range"


def set_query(page, query: str) -> None:  # type: ignore[no-untyped-def]
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)


def result_rows(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(".yasr table[data-labelled] tbody tr td a.iri")  # labels in
    return page.locator(".yasr tbody tr").all_inner_texts()


def test_a_shared_query_url_reopens_with_its_results(
    browser, page, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/sparql")
    set_query(page, MEETINGS)
    page.click(".yasqe_queryButton")
    rows = result_rows(page)
    assert len(rows) >= 2
    shared = page.url
    assert urlsplit(shared).fragment.startswith("query=")
    assert (
        page.get_attribute("#share", "href")
        == urlsplit(shared).path + "#" + urlsplit(shared).fragment
    )
    other = browser.new_context(viewport=VIEWPORT)  # someone else opens the link
    try:
        reopened = other.new_page()
        reopened.set_default_timeout(15_000)
        reopened.goto(shared)
        assert result_rows(reopened) == rows
        value = reopened.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
        assert value == MEETINGS
        reopened.screenshot(path=str(ARTIFACTS / "query-shared.png"), full_page=True)
    finally:
        other.close()


def test_the_query_page_sends_nothing_outside_the_origin(browser, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    origin = live_server.url
    seen: list[str] = []

    def record(route) -> None:  # type: ignore[no-untyped-def]
        seen.append(route.request.url)
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            route.abort()

    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.route("**/*", record)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(origin + "/sparql")
        page.click(".CodeMirror")
        page.keyboard.press("Control+Home")  # a new first line: PREFIX goes before the query
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowUp")
        page.keyboard.type("PREFIX di")
        hints = page.locator(".CodeMirror-hints li")
        hints.first.wait_for()
        offered = hints.all_inner_texts()
        assert offered == [
            "dip: <https://w3id.org/dipkg/def#>",
            "dipc: <https://w3id.org/dipkg/concept/>",
        ]
        page.screenshot(path=str(ARTIFACTS / "query-completion.png"), full_page=True)
        page.keyboard.press("Escape")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr .dataTable, .yasr .problem, .yasr .errorResult")
        page.get_by_role("main").get_by_role(
            "link", name="Events"
        ).click()  # a saved query opens as a tab
        page.wait_for_selector(".tabPanel.active, .tab.active")
        page.click(".tabPanel.active .yasqe_queryButton")
        page.wait_for_selector(".tabPanel.active .yasr tbody tr")
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert seen and all(url.startswith(origin + "/") for url in seen), [
        u for u in seen if not u.startswith(origin + "/")
    ]


def test_a_refused_query_shows_its_problem(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/sparql")
    set_query(page, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    page.click(".yasqe_queryButton")
    problem = page.locator(".yasr .problem")
    problem.wait_for()
    assert "(400)" in problem.locator("strong").inner_text()
    assert "SERVICE" in problem.inner_text()
    page.screenshot(path=str(ARTIFACTS / "query-problem.png"), full_page=True)


def dated_items(live_server: LiveServer, actor: str, counterpart: str | None = None) -> int:
    def items(name: str) -> dict[str, bool]:
        rows = requests.get(live_server.url + "/api/queries/timeline", params={"actor": name})
        return {b["item"]["value"]: "date" in b for b in rows.json()["results"]["bindings"]}

    mine = items(actor)
    if counterpart:
        theirs = items(counterpart)
        mine = {item: dated for item, dated in mine.items() if item in theirs}
    return sum(mine.values())


def boxes(page) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    # vis-timeline keeps its box hidden (visibility) until its first full draw
    page.locator(".timeline-canvas .vis-timeline").wait_for(state="visible")
    return [b for b in (e.bounding_box() for e in page.locator(ITEMS).all()) if b]


def overlapping(drawn: list[dict[str, float]]) -> list[tuple[int, int]]:
    def cut(a: dict[str, float], b: dict[str, float]) -> bool:
        return (
            a["x"] + 1 < b["x"] + b["width"]
            and b["x"] + 1 < a["x"] + a["width"]
            and a["y"] + 1 < b["y"] + b["height"]
            and b["y"] + 1 < a["y"] + a["height"]
        )

    return [(i, j) for i, a in enumerate(drawn) for j, b in enumerate(drawn) if i < j and cut(a, b)]


def test_the_actor_timeline_draws_every_dated_item_stacked(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    expected = dated_items(live_server, "https://w3id.org/dipkg/id/actor/xi-jinping")
    page.goto(live_server.url + "/id/actor/xi-jinping")
    view = page.locator(".timeline-view[data-drawn]")
    view.wait_for()
    assert int(view.get_attribute("data-drawn")) == expected > 0
    assert page.locator("#timeline-picture").is_hidden()  # the SVG gave way
    first = boxes(page)
    # the first view leaves out the 1985 visit: every other item is in it
    assert len(first) == expected - 1
    assert page.get_by_text("1 earlier item(s) outside this view").count() == 1
    view.screenshot(path=str(ARTIFACTS / "timeline-actor.png"))
    assert not overlapping(first)
    page.click(".timeline-view button.fit")
    page.wait_for_timeout(1000)  # fit animates
    every = boxes(page)
    assert len(every) == expected
    assert not overlapping(every)
    view.screenshot(path=str(ARTIFACTS / "timeline-actor-all.png"))


def test_the_pair_timeline_draws_what_both_share_and_links_to_it(
    page, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    expected = dated_items(live_server, "Xi", "Biden")
    page.goto(live_server.url + "/timeline/view?actor=Xi&counterpart=Biden")
    view = page.locator(".timeline-view[data-drawn]")
    view.wait_for()
    assert page.locator("h1").inner_text() == "Timeline of Xi with Biden"
    assert len(boxes(page)) == expected > 0
    view.screenshot(path=str(ARTIFACTS / "timeline-pair.png"))
    page.locator(".timeline-canvas .vis-item a", has_text="Meeting of Joe Biden").first.click()
    page.wait_for_url(live_server.url + "/id/event/**")
    assert "Meeting of Joe Biden and Xi Jinping" in page.locator("h1").inner_text()


def test_the_network_draws_every_actor_and_pair_and_lists_their_events(
    page, live_server: LiveServer
) -> None:  # type: ignore[no-untyped-def]
    for params in ("", "?type=meeting"):
        data = requests.get(live_server.url + "/network/items" + params).json()
        page.goto(live_server.url + "/network" + params)
        page.locator("#network[data-drawn]").wait_for()
        drawn = page.evaluate(
            "(cy => [cy.nodes().length, cy.edges().length])(document.getElementById('network').cy)"
        )
        assert drawn == [len(data["nodes"]), len(data["edges"])] and drawn[1] > 0
    heaviest = max(data["edges"], key=lambda e: e["weight"])
    page.evaluate(
        "id => document.getElementById('network').cy.getElementById(id).emit('tap')", heaviest["id"]
    )
    listed = page.locator("#network-detail ul.network-events a")
    assert listed.count() == heaviest["weight"]
    page.screenshot(path=str(ARTIFACTS / "network.png"), full_page=True)
    listed.first.click()
    page.wait_for_url(live_server.url + "/id/event/**")
