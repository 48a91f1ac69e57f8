"""A bounded load generator for a running `dipkg serve` (loopback only): a mix of saved
queries, raw SPARQL (with a few deliberately expensive queries), and pages, from N concurrent
clients for a fixed time. Used by tests/load and runnable on its own:

    python bench/load.py http://127.0.0.1:8000 --seconds 60 --clients 16
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MIX: list[tuple[str, str, dict[str, str], int]] = [
    # (kind, path, params, weight)
    ("saved", "/api/queries/events", {"actor": "Xi"}, 4),
    ("saved", "/api/queries/pledges", {"maker": "China"}, 3),
    ("saved", "/api/queries/statements", {"contains": "communication"}, 2),
    ("raw", "/sparql", {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20"}, 4),
    ("raw", "/sparql", {"query": "ASK { ?s a <https://w3id.org/dipkg/def#Event> }"}, 2),
    ("expensive", "/sparql", {"query": EXPENSIVE}, 1),
    ("page", "/", {}, 2),
    ("page", "/id/event/2023-11-15-meeting-joe-biden-xi-jinping", {}, 2),
    ("page", "/queries/events", {}, 1),
]


@dataclass
class Stats:
    """What the load produced: statuses and latencies by request kind."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)

    def percentile(self, kind: str, q: float) -> float:
        values = sorted(self.latencies[kind])
        return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "requests": sum(self.statuses.values()),
            "statuses": {f"{k}:{s}": n for (k, s), n in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "latency_ms": {
                kind: {
                    "p50": round(self.percentile(kind, 0.50) * 1000, 1),
                    "p99": round(self.percentile(kind, 0.99) * 1000, 1),
                }
                for kind in sorted(self.latencies)
            },
        }


def run_load(
    base_url: str, seconds: float, clients: int, seed: int = 1, expensive: bool = True
) -> Stats:
    """Drive ``base_url`` (a loopback URL) with ``clients`` threads for ``seconds``; without
    ``expensive``, the mix leaves out the queries meant to hit the time limit."""
    if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback servers")
    stats, lock = Stats(), threading.Lock()
    deadline = time.monotonic() + seconds
    mix = [m for m in MIX if expensive or m[0] != "expensive"]
    weights = [w for *_, w in mix]

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        session = requests.Session()
        while time.monotonic() < deadline:
            kind, path, params, _ = rng.choices(mix, weights)[0]
            headers = {"Accept": "text/html"} if kind == "page" else {}
            start = time.perf_counter()
            try:
                response = session.get(base_url + path, params=params, headers=headers, timeout=60)
                status = response.status_code
            except requests.RequestException as exc:
                with lock:
                    stats.errors[type(exc).__name__] += 1
                continue
            elapsed = time.perf_counter() - start
            with lock:
                stats.statuses[(kind, status)] += 1
                if status < 500:
                    stats.latencies[kind].append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--without-expensive", action="store_true")
    args = parser.parse_args(argv)
    stats = run_load(args.url, args.seconds, args.clients, expensive=not args.without_expensive)
    print(json.dumps(stats.summary(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
