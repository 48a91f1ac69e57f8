"""The pledge tracker (/pledges), in process over the bundled store: every pledge with its
status, last step, months without news and history; facets that count and narrow; sorting;
paging; JSON and CSV at the same URL by ``_format`` or ``Accept``; errors as problems."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient

HTML = {"Accept": "text/html"}
NARCOTICS = "https://w3id.org/dipkg/id/pledge/2023-11-15-china-united-states-narcotics"


def tracker(client: FlaskClient, query: str = "") -> dict:  # type: ignore[type-arg]
    response = client.get(f"/pledges?_format=json&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def test_every_pledge_with_its_last_step_and_history(client: FlaskClient) -> None:
    body = tracker(client)
    pledges = client.get("/api/queries/pledges?_format=json").get_json()["results"]["bindings"]
    assert body["total"] == len(pledges) == len(body["pledges"])
    assert body["asOf"] == "2024-04-02"  # the newest document's date
    narcotics = next(p for p in body["pledges"] if p["pledge"] == NARCOTICS)
    assert narcotics["status"] == "reviewed"
    assert [s["status"] for s in narcotics["history"]] == ["made", "reviewed"]
    assert narcotics["lastDate"] == "2024-04-02"
    assert narcotics["lastSource"] == "001_8a1da5cde644e144"
    assert narcotics["quietMonths"] == 0
    climate = next(p for p in body["pledges"] if p["topic"] == ["climate"])
    assert climate["lastDate"] == "2023-11-15" and climate["quietMonths"] == 4


def test_facets_count_and_narrow(client: FlaskClient) -> None:
    body = tracker(client)
    status = dict((f["value"], f["count"]) for f in body["facets"]["status"])
    assert sum(status.values()) == body["total"]  # one status per pledge
    narrowed = tracker(client, "status=made")
    assert narrowed["total"] == status["made"] < body["total"]
    assert {p["status"] for p in narrowed["pledges"]} == {"made"}
    makers = dict((f["value"], f["count"]) for f in narrowed["facets"]["maker"])
    both = tracker(client, "status=made&maker=Xi Jinping")
    assert both["total"] == makers["Xi Jinping"] == 1
    assert tracker(client, "topic=narcotics&recipient=United States")["pledges"][0]["pledge"] == (
        NARCOTICS
    )
    assert tracker(client, "topic=nonsense")["total"] == 0


def test_facet_links_on_the_page(client: FlaskClient) -> None:
    page = client.get("/pledges", headers=HTML).text
    assert 'href="/pledges?status=made"' in page
    narrowed = client.get("/pledges?status=made", headers=HTML).text
    assert 'aria-label="Remove the status filter made" href="/pledges"' in narrowed
    assert "→" in page  # histories on one line


@pytest.mark.parametrize(
    ("query", "column", "reverse"),
    [
        ("_sort=quiet", "quietMonths", False),
        ("_sort_desc=made", "made", True),
        ("", "lastDate", True),
        ("_sort=status", "status", False),
    ],
)
def test_sorting(client: FlaskClient, query: str, column: str, reverse: bool) -> None:
    values = [p[column] for p in tracker(client, query)["pledges"]]
    values = [v if v is not None else ("" if column != "quietMonths" else -1) for v in values]
    assert values == sorted(values, reverse=reverse)


def test_paging(client: FlaskClient) -> None:
    everything = [p["pledge"] for p in tracker(client)["pledges"]]
    first = tracker(client, "_size=3")
    assert len(first["pledges"]) == 3
    second = client.get(first["next"]).get_json()
    assert [p["pledge"] for p in first["pledges"] + second["pledges"]] == everything[:6]
    last = tracker(client, f"_size=3&_page={(len(everything) + 2) // 3}")
    assert "next" not in last and len(last["pledges"]) == len(everything) - 3 * (
        (len(everything) - 1) // 3
    )


def test_csv_by_format_and_by_accept(client: FlaskClient) -> None:
    by_format = client.get("/pledges?_format=csv&topic=narcotics")
    by_accept = client.get("/pledges?topic=narcotics", headers={"Accept": "text/csv"})
    assert by_format.mimetype == by_accept.mimetype == "text/csv"
    assert by_format.data == by_accept.data
    rows = list(csv.DictReader(io.StringIO(by_format.text)))
    assert len(rows) == 1
    assert rows[0]["pledge"] == NARCOTICS
    assert rows[0]["history"] == (
        "made 2023-11-15 (000_6aee4f90ec08fcc7) → reviewed 2024-04-02 (001_8a1da5cde644e144)"
    )
    assert "Vary" in by_accept.headers and "Accept" in by_accept.headers["Vary"]


def test_json_by_accept_and_html_by_default(client: FlaskClient) -> None:
    assert client.get("/pledges", headers={"Accept": "application/json"}).is_json
    assert client.get("/pledges").mimetype == "text/html"


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("_sort=nonsense", {}, 400),
        ("_size=0", {}, 400),
        ("_page=x", {}, 400),
        ("_format=xml", {}, 406),
        ("", {"Accept": "image/png"}, 406),
    ],
)
def test_errors_are_problems(
    client: FlaskClient, query: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(f"/pledges?{query}", headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_the_home_page_count_links_to_the_tracker(client: FlaskClient) -> None:
    page = client.get("/", headers=HTML).text
    assert '<th>pledges</th><td><a href="/pledges">' in page
