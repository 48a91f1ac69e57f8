"""A bounded load test over real HTTP: for 60 s, twice as many clients as the server has
request threads send a mix of saved queries, raw SPARQL (some deliberately too expensive) and
pages. Nothing answers 5xx but deliberate 503s (timeout, busy), and afterwards a cheap query
still answers within 1 s. The latencies go to test-artifacts/load.json."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests

from bench.load import run_load
from tests.support import ROOT, LiveServer

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("DIPKG_LOAD_SECONDS", "60"))
WORKERS, THREADS = 2, 4


def test_twice_the_configured_concurrency_gets_no_5xx_but_deliberate_503s(
    built_store_dir: Path, tmp_path: Path
) -> None:
    server = LiveServer(
        built_store_dir,
        log_dir=tmp_path,
        workers=str(WORKERS),
        threads=str(THREADS),
        query_timeout="2",
        queue_wait="2",
    )
    try:
        stats = run_load(server.url, SECONDS, clients=2 * WORKERS * THREADS)
        start = time.monotonic()
        cheap = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=5)
        cheap_seconds = time.monotonic() - start
    finally:
        server.stop()
    summary = stats.summary()
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "load.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    assert not stats.errors, summary
    unexpected = {k: n for k, n in stats.statuses.items() if k[1] >= 500 and k[1] != 503}
    assert not unexpected, summary
    ok = sum(n for (kind, status), n in stats.statuses.items() if status == 200)
    assert ok > 100, summary
    for kind in ("saved", "raw", "page"):
        assert stats.statuses[(kind, 200)] > 0, summary
    assert cheap.status_code == 200 and cheap_seconds < 1.0
