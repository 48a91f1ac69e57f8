"""Readers survive writers: while articles are ingested over HTTP (new ones, rejected ones,
unchanged re-posts), bursts of queries from other clients all answer; none sees a store file
that a writer removed under it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import TOKEN, LiveServer, article, serving_copy

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

QUERIES = [
    ("/sparql", {"query": "ASK { ?s ?p ?o }"}),
    ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"}),
    ("/api/queries/events", {"actor": "Xi"}),
    ("/api/queries/pledges", {}),
    ("/api/queries/statements", {"contains": "communication"}),
]


@pytest.fixture()
def writable(built_store_dir: Path, tmp_path: Path) -> Iterator[LiveServer]:
    # What is tested is that no query fails because of a write, not how fast it answers: a
    # generous time limit keeps a slow, busy machine from failing it with a timeout.
    with serving_copy(
        built_store_dir, tmp_path / "store", write_token=TOKEN, query_timeout="60"
    ) as server:
        yield server


def test_queries_never_fail_while_articles_are_written(writable: LiveServer) -> None:
    posts = [article("woodside_followup")]
    posts += [article("woodside_followup", language="Klingon speech")]  # rejected
    posts += [article("woodside_followup")]  # unchanged
    posts += [dict(article("widodo_beijing"), id=f"copy-{n}") for n in range(6)]
    posts += [article("widodo_beijing"), article("widodo_beijing")]
    done = threading.Event()
    failures: list[str] = []
    answered = [0]

    def ask_repeatedly() -> None:
        session = requests.Session()
        while not done.is_set():
            for path, params in QUERIES:
                response = session.get(writable.url + path, params=params, timeout=60)
                answered[0] += 1
                if response.status_code != 200:
                    failures.append(f"{path} {params}: {response.status_code} {response.text}")

    readers = [threading.Thread(target=ask_repeatedly) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        statuses = []
        for body in posts:
            response = requests.post(
                f"{writable.url}/api/documents",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=300,
            )
            statuses.append(response.status_code)
            time.sleep(0.2)
    finally:
        done.set()
        for reader in readers:
            reader.join(120)
    assert statuses[:3] == [201, 422, 200] and set(statuses) <= {200, 201, 422}
    assert failures == []
    assert answered[0] > 50
    assert "FileNotFoundError" not in writable.log.read_text()
