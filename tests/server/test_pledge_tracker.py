"""The pledge tracker (/pledges), in process over the bundled store: every pledge with its
status, last step, months without news and history; facets that count and narrow; sorting;
paging; JSON and CSV at the same URL by ``_format`` or ``Accept``; errors as problems."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from flask.testing import FlaskClient

from kg.query.tracker import last_day, months_between

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


def _reference(client: FlaskClient) -> dict[str, dict]:  # type: ignore[type-arg]
    """Each pledge's last step and months without news worked out in Python from every row of
    the pledges and pledge-history saved queries: what the store's page must say."""
    every = "?_format=json&pageSize=1000"
    pledges = client.get(f"/api/queries/pledges{every}").get_json()["results"]["bindings"]
    steps = client.get(f"/api/queries/pledge-history{every}").get_json()["results"]["bindings"]
    as_of = dt.date(2024, 4, 2)
    history: dict[str, list[tuple[str, str]]] = {}
    for step in steps:
        date = step.get("date", {}).get("value", "")
        history.setdefault(step["pledge"]["value"], []).append((date, step["source"]["value"]))
    reference = {}
    for row in pledges:
        own = history.get(row["pledge"]["value"], [])
        dated = [d for d in (last_day(date) for date, _ in own) if d is not None]
        reference[row["pledge"]["value"]] = {
            "lastDate": own[-1][0] if own else None,
            "lastSource": own[-1][1] if own else None,
            "quietMonths": months_between(max(dated), as_of) if dated else None,
            "history": len(own),
        }
    return reference


@pytest.mark.parametrize(
    "query", ["", "_sort=quiet", "_sort_desc=content", "_sort=maker", "status=made&_sort=last"]
)
def test_rows_from_the_store_agree_with_the_history_worked_out_in_python(
    client: FlaskClient, query: str
) -> None:
    reference = _reference(client)
    body = tracker(client, query)
    assert body["pledges"]
    for p in body["pledges"]:
        mine = {k: p[k] for k in ("lastDate", "lastSource", "quietMonths")}
        assert {**mine, "history": len(p["history"])} == reference[p["pledge"]], p["pledge"]
    column = {"_sort=quiet": "quietMonths", "_sort_desc=content": "content"}.get(query)
    if column:
        keys = [(-1 if p[column] is None else p[column], p["pledge"]) for p in body["pledges"]]
        assert keys == sorted(keys, reverse=query.startswith("_sort_desc"))


@pytest.mark.parametrize("sort", ["_sort=quiet", "_sort_desc=last", "_sort=topic"])
def test_pages_are_stable_slices_of_the_whole(client: FlaskClient, sort: str) -> None:
    whole = [p["pledge"] for p in tracker(client, f"{sort}&_size=1000")["pledges"]]
    pages = [
        [p["pledge"] for p in tracker(client, f"{sort}&_size=4&_page={n}")["pledges"]]
        for n in range(1, (len(whole) + 3) // 4 + 1)
    ]
    assert [p for page in pages for p in page] == whole


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
