"""Paged saved queries on every backend: the pages, read in order until one is short, are
the whole result in its order, whatever the page size."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kg.config import Settings
from kg.query.saved import load_queries

Ask = Callable[..., list[dict[str, str]]]
PAGED = sorted(n for n, q in load_queries(Settings().queries_dir).items() if q.page_size)
PARAMS = {"timeline": {"actor": "Xi"}, "pledge-history": {}}
# The bundled corpus reports one response to a demand: its paging is shown on a store with
# more (tests/ingest/test_responses.py); the pages here must still be the whole result.
FEW = {"responses"}


def read_pages(ask: Ask, name: str, size: int, **params: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for number in range(1, 1000):
        page = ask(name, **params, page=str(number), pageSize=str(size))
        rows += page
        if len(page) < size:
            return rows
    raise AssertionError("more than 1000 pages")


@pytest.mark.parametrize("name", PAGED)
def test_pages_in_order_make_the_whole_result(ask: Ask, name: str) -> None:
    params = PARAMS.get(name, {})
    whole = ask(name, **params, pageSize="10000")
    assert len(whole) > 3 or name in FEW and whole, "too few rows for paging to show anything"
    assert ask(name, **params) == whole, "the bundled results fit in the default page"
    for size in (1, 3):
        assert read_pages(ask, name, size, **params) == whole, f"pageSize={size}"
