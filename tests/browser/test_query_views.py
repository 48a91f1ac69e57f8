"""The query page's result views in a real headless Chromium: the chart view (Chart.js,
vendored) draws one bar per row of a saved query with counts, each as tall as its count, and
switches to a line; the result table shows this server's IRIs by their labels (one request to
/api/labels for the page of results) and links them to the local pages, while other IRIs keep
their names and links. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import ARTIFACTS
from tests.support import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.slow]
ACTIVE = ".tabPanel.active "
CHART = "document.querySelector('.tabPanel.active .result-chart canvas')"
PEOPLE = (
    "PREFIX dip: <https://w3id.org/dipkg/def#>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
    "SELECT ?actor ?class ?wikidata WHERE {\n"
    "  ?actor a dip:Person, ?class FILTER(?class = dip:Person)\n"
    "  OPTIONAL { ?actor owl:sameAs ?wikidata }\n"
    "} ORDER BY ?actor"
)


def run_example(page, live_server: LiveServer, title: str) -> None:  # type: ignore[no-untyped-def]
    """Open the query page, the saved query ``title`` in its own tab, and run it."""
    page.goto(live_server.url + "/sparql")
    page.get_by_role("main").get_by_role("link", name=title, exact=True).click()  # not the nav
    page.click(ACTIVE + ".yasqe_queryButton")
    page.locator(ACTIVE + ".yasr table[data-labelled]").wait_for()


def test_the_chart_draws_a_bar_per_row_as_tall_as_its_count(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    rows = requests.get(live_server.url + "/api/queries/actor", timeout=30).json()
    bindings = rows["results"]["bindings"]
    labels = [b["label"]["value"] for b in bindings]
    counts = [int(b["eventCount"]["value"]) for b in bindings]
    assert len(counts) > 5 and max(counts) > min(counts)
    run_example(page, live_server, "Actor")
    page.click(ACTIVE + ".select_chart")
    page.locator(ACTIVE + ".result-chart[data-points]").wait_for()
    drawn = page.evaluate(
        f"""(() => {{
          const chart = Chart.getChart({CHART});
          const bars = chart.getDatasetMeta(0).data;
          return {{
            type: chart.config.type,
            labels: chart.data.labels,
            series: chart.data.datasets.map(d => d.label),
            heights: bars.map(b => b.height),
            widths: bars.map(b => b.width),
          }};
        }})()"""
    )
    assert drawn["type"] == "bar"
    assert drawn["labels"] == labels  # the label column, in the result's order
    assert drawn["series"] == ["eventCount"]
    assert len(drawn["heights"]) == len(counts)
    assert all(w > 2 for w in drawn["widths"])
    unit = max(drawn["heights"]) / max(counts)
    for count, height in zip(counts, drawn["heights"], strict=True):
        assert abs(height - count * unit) < 1.0, (count, height, unit)
    box = page.locator(ACTIVE + ".result-chart canvas").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    canvas = page.locator(ACTIVE + ".result-chart canvas")
    assert canvas.get_attribute("role") == "img"
    assert "eventCount by label" in (canvas.get_attribute("aria-label") or "")
    page.screenshot(path=str(ARTIFACTS / "query-chart-bars.png"), full_page=True)
    page.get_by_label("Chart:").select_option("line")
    page.locator(ACTIVE + ".result-chart[data-kind=line]").wait_for()
    points = page.evaluate(
        f"(c => [c.config.type, c.getDatasetMeta(0).data.length])(Chart.getChart({CHART}))"
    )
    assert points == ["line", len(counts)]
    page.screenshot(path=str(ARTIFACTS / "query-chart-line.png"), full_page=True)


def test_the_chart_is_offered_only_for_a_label_and_a_number(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    run_example(page, live_server, "Events")  # no numeric column
    assert "disabled" in (page.get_attribute(ACTIVE + ".select_chart", "class") or "")


def test_result_cells_show_labels_and_link_to_local_pages(page, live_server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.method) if r.url.endswith("/api/labels") else None)
    page.goto(live_server.url + "/sparql")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", PEOPLE)
    page.click(".yasqe_queryButton")
    page.locator(".yasr table[data-labelled]").wait_for()
    links = page.eval_on_selector_all(
        ".yasr tbody td > div > span > a.iri",
        "links => links.map(a => [a.dataset.iri, a.textContent, a.getAttribute('href'), a.title])",
    )
    assert asked == ["POST"]  # one request for the page of results
    local = sorted({iri for iri, _, _, _ in links if iri.startswith("https://w3id.org/dipkg/")})
    known = requests.post(live_server.url + "/api/labels", data={"iri": local}, timeout=30).json()
    labels = known["labels"]
    people = [link for link in links if "/id/actor/" in link[0]]
    assert len(people) >= 5
    for iri, text, href, title in people:
        assert text == labels[iri] and text != iri
        assert href == "/id/actor/" + iri.rsplit("/", 1)[1]
        assert iri in title or title.endswith(iri.rsplit("/", 1)[1])  # the name it replaced
    classes = [link for link in links if link[0].endswith("#Person")]
    assert classes and all(t == "Person" and h == "/def#Person" for _, t, h, _ in classes)
    wikidata = [link for link in links if link[0].startswith("http://www.wikidata.org/")]
    assert wikidata, "some people have a Wikidata item"
    for iri, text, href, title in wikidata:  # not this server's: as YASR shows it
        assert text.startswith("wd:Q") and href == iri and not title
    page.screenshot(path=str(ARTIFACTS / "query-labels.png"), full_page=True)
    page.locator(".yasr tbody a.iri", has_text=labels[people[0][0]]).first.click()
    page.wait_for_url(live_server.url + people[0][2])
    assert page.locator("h1").inner_text().startswith(labels[people[0][0]])
