"""The lists to browse (/events, /demands, /statements), in process over the bundled store:
facet counts that agree with the saved queries' rows and narrow the list, sorting by every
sortable column both ways, pages, CSV and JSON by ``_format`` or ``Accept``, facet links on
the page and on the home page, and errors as problems. The pledge tracker shares the
implementation; its own tests are in test_pledge_tracker.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.query.browse import LISTINGS, count_facets, list_rows
from kg.store import open_store

HTML = {"Accept": "text/html"}
LISTS = ("events", "demands", "statements")


def listing(client: FlaskClient, name: str, query: str = "") -> dict:  # type: ignore[type-arg]
    response = client.get(f"/{name}?_format=json&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def saved_rows(client: FlaskClient, name: str, query: str = "") -> list[dict]:  # type: ignore[type-arg]
    body = client.get(f"/api/queries/{name}?_format=json&pageSize=1000&{query}").get_json()
    return body["results"]["bindings"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", LISTS)
def test_every_item_once_and_the_total_from_the_graph(client: FlaskClient, name: str) -> None:
    body = listing(client, name, "_size=1000")
    item = LISTINGS[name].item
    expected = {row[item]["value"] for row in saved_rows(client, name)}
    assert body["total"] == len(expected) > 0
    assert {row[item] for row in body[name]} == expected
    assert all(row["link"].startswith("/id/") for row in body[name])


@pytest.mark.parametrize(
    ("name", "facet", "saved"),
    [
        ("events", "type", "type"),
        ("demands", "topic", "topic"),
        ("statements", "speaker", None),
        ("events", "actor", None),
        ("events", "year", None),
    ],
    ids=["event type", "demand topic", "speaker", "event actor", "event year"],
)
def test_facets_count_and_narrow(
    client: FlaskClient, name: str, facet: str, saved: str | None
) -> None:
    body = listing(client, name)
    counts = {f["value"]: f["count"] for f in body["facets"][facet]}
    assert counts, facet
    value, count = max(counts.items(), key=lambda item: item[1])
    narrowed = listing(client, name, f"{facet}={value}&_size=1000")
    assert narrowed["total"] == count <= body["total"]
    assert narrowed["filters"] == {facet: value}
    assert len(narrowed[name]) == count
    if saved:  # the saved query's own filter agrees with the facet's count
        assert len(saved_rows(client, name, f"{saved}={value}")) == count
    # the narrowed list's own count of the chosen value is the whole list
    chosen = {f["value"]: f["count"] for f in narrowed["facets"][facet]}
    assert chosen[value] == narrowed["total"]


def test_facet_values_are_in_the_rows(client: FlaskClient) -> None:
    narrowed = listing(client, "events", "actor=Xi Jinping&type=meeting")
    assert narrowed["total"] >= 1
    for row in narrowed["events"]:
        assert "Xi Jinping" in row["participants"] and row["type"] == "meeting"
    years = listing(client, "statements", "year=2023")
    assert years["total"] > 0 and all(r["date"].startswith("2023") for r in years["statements"])
    assert listing(client, "events", "place=Nowhere")["total"] == 0


def test_one_type_per_event(client: FlaskClient) -> None:
    body = listing(client, "events")
    assert sum(f["count"] for f in body["facets"]["type"]) == body["total"]


def test_a_filter_is_a_term_not_query_text(client: FlaskClient) -> None:
    body = listing(client, "events", 'actor=x" ) || true || ("')
    assert body["total"] == 0 and body["events"] == []


@pytest.mark.parametrize(
    ("name", "column"),
    [(n, c) for n in LISTS for c in LISTINGS[n].sortable],
)
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_sorting(client: FlaskClient, name: str, column: str, descending: bool) -> None:
    key = "_sort_desc" if descending else "_sort"
    body = listing(client, name, f"{key}={column}&_size=1000")
    assert body["sort"] == column and body["descending"] is descending
    values = [
        "; ".join(v) if isinstance(v, list) else (v or "") for v in (r[column] for r in body[name])
    ]
    if column not in LISTINGS[name].multi:  # joined cells sort as the store joined them
        assert values == sorted(values, reverse=descending)


def test_default_sort_is_newest_first(client: FlaskClient) -> None:
    body = listing(client, "events", "_size=1000")
    dates = [r["date"] or "" for r in body["events"]]
    assert body["sort"] == "date" and dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("name", LISTS)
def test_paging(client: FlaskClient, name: str) -> None:
    everything = [r["link"] for r in listing(client, name, "_size=1000")[name]]
    first = listing(client, name, "_size=2")
    assert len(first[name]) == 2 and first["page"] == 1
    second = client.get(first["next"]).get_json()
    assert [r["link"] for r in first[name] + second[name]] == everything[:4]
    pages = (len(everything) + 1) // 2
    last = listing(client, name, f"_size=2&_page={pages}")
    assert "next" not in last
    assert [r["link"] for r in last[name]] == everything[2 * (pages - 1) :]


@pytest.mark.parametrize("name", LISTS)
def test_csv_by_format_and_by_accept(client: FlaskClient, name: str) -> None:
    chosen = LISTINGS[name]
    facet = chosen.facets[0]
    value = listing(client, name)["facets"][facet][0]
    by_format = client.get(f"/{name}?_format=csv&{facet}={value['value']}")
    by_accept = client.get(f"/{name}?{facet}={value['value']}", headers={"Accept": "text/csv"})
    assert by_format.mimetype == by_accept.mimetype == "text/csv"
    assert by_format.data == by_accept.data
    rows = list(csv.reader(io.StringIO(by_format.text)))
    assert rows[0] == [chosen.item, *chosen.columns]
    assert len(rows) - 1 == value["count"]
    json_rows = listing(client, name, f"{facet}={value['value']}")[name]
    assert [r[0] for r in rows[1:]] == [r[chosen.item] for r in json_rows]
    assert "Accept" in by_accept.headers["Vary"]


def _reference(
    store: object, name: str, filters: dict[str, str], column: str, descending: bool
) -> list[dict[str, str]]:
    """Every row of the list sorted in Python by the column's text, ties by the item: what a
    page of the page-first query must be a slice of."""
    chosen = LISTINGS[name]
    every = list_rows(store, chosen, filters, (chosen.sortable[0], False), 10**6, 0)  # type: ignore[arg-type]
    return sorted(every, key=lambda r: (r[column], r[chosen.item]), reverse=descending)


@pytest.mark.parametrize(
    ("name", "column"),
    [(n, c) for n in LISTS for c in LISTINGS[n].sortable],
)
def test_a_page_is_a_slice_of_the_whole_list_sorted(
    built_store_dir: Path, name: str, column: str
) -> None:
    chosen = LISTINGS[name]
    store = open_store(str(built_store_dir), read_only=True)
    facet = chosen.facets[0]
    value = count_facets(store, chosen, {})[1][facet][0][0]
    for filters in ({}, {facet: value}):
        for descending in (False, True):
            whole = _reference(store, name, filters, column, descending)
            assert len(whole) == count_facets(store, chosen, filters)[0] > 0
            pages = [
                list_rows(store, chosen, filters, (column, descending), 3, offset)
                for offset in range(0, len(whole) + 3, 3)
            ]
            assert [row for page in pages for row in page] == whole, (filters, descending)
            assert pages[-1] == []


def test_a_filter_with_a_sort_by_a_joined_column(built_store_dir: Path) -> None:
    chosen = LISTINGS["events"]
    store = open_store(str(built_store_dir), read_only=True)
    actor = count_facets(store, chosen, {})[1]["actor"][0][0]
    rows = list_rows(store, chosen, {"actor": actor}, ("participants", True), 1000, 0)
    assert rows and all(actor in r["participants"].split("; ") for r in rows)
    keys = [(r["participants"], r["event"]) for r in rows]
    assert keys == sorted(keys, reverse=True)
    assert list_rows(store, chosen, {"actor": actor}, ("participants", True), 2, 1) == rows[1:3]


def test_the_rows_query_projects_the_columns() -> None:
    from kg.query.internal import DIRECTORY

    for name in LISTS:
        chosen = LISTINGS[name]
        head = (DIRECTORY / f"{name}-rows.rq").read_text(encoding="utf-8")
        select = next(line for line in head.splitlines() if line.startswith("SELECT"))
        assert select.split()[1:-2] == [f"?{c}" for c in (chosen.item, *chosen.columns)]


def test_the_page_links_facets_sorting_and_pages(client: FlaskClient) -> None:
    page = client.get("/events?_size=2", headers=HTML).text
    assert 'href="/events?_size=2&amp;type=meeting"' in page
    assert 'aria-sort="descending"' in page  # the default: newest first
    assert 'href="/events?_size=2&amp;_sort=label"' in page
    assert 'rel="next" href="/events?_size=2&amp;_page=2"' in page
    assert 'href="/events?_size=2&amp;_page=1&amp;_format=csv"' in page
    narrowed = client.get("/events?type=meeting", headers=HTML).text
    assert 'aria-label="Remove the type filter meeting" href="/events"' in narrowed
    assert f"{listing(client, 'events', 'type=meeting')['total']} event(s) matching" in narrowed


def test_the_home_page_counts_link_to_the_lists(client: FlaskClient) -> None:
    page = client.get("/", headers=HTML).text
    for name in LISTS:
        total = listing(client, name)["total"]
        assert f'<th>{name}</th><td><a href="/{name}">{total}</a>' in page
    meetings = next(
        f for f in listing(client, "events")["facets"]["type"] if f["value"] == "meeting"
    )
    assert (
        f'<a href="/events?type=meeting">meeting <span class="count">{meetings["count"]}</span></a>'
        in page
    )
    assert '<a href="/pledges?status=made">made <span class="count">' in page


@pytest.mark.parametrize(
    ("query", "headers", "status"),
    [
        ("_sort=nonsense", {}, 400),
        ("_sort_desc=sources", {}, 400),
        ("_size=0", {}, 400),
        ("_size=1001", {}, 400),
        ("_page=x", {}, 400),
        ("_format=xml", {}, 406),
        ("", {"Accept": "image/png"}, 406),
    ],
)
@pytest.mark.parametrize("name", LISTS)
def test_errors_are_problems(
    client: FlaskClient, name: str, query: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(f"/{name}?{query}", headers=headers)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


@pytest.mark.slow
@pytest.mark.parametrize("name", [*LISTS, "pledges"])
def test_a_remote_store_counts_and_sorts_alike(
    built_store_dir: Path, oxigraph_url: str, name: str
) -> None:
    chosen = LISTINGS[name]
    embedded, remote = open_store(str(built_store_dir)), open_store(oxigraph_url)
    facet = chosen.facets[0]
    value = count_facets(embedded, chosen, {})[1][facet][0][0]
    for filters in ({}, {facet: value}):
        assert count_facets(remote, chosen, filters) == count_facets(embedded, chosen, filters)
        sort = (chosen.sortable[0], True)
        assert list_rows(remote, chosen, filters, sort, 5, 1) == list_rows(
            embedded, chosen, filters, sort, 5, 1
        )
