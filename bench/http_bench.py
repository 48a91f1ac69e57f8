"""Requests per second and p50/p99 latency of the dipkg endpoint, against the Oxigraph server
(PyPI `oxigraph`) and a plain Flask + rdflib endpoint serving the same data, in one run.

    python bench/http_bench.py --triples 1000000 --seconds 15 --connections 8

For each data size (the bundled corpus, and a synthetic graph of about ``--triples``) it starts
the three servers on loopback ports and drives each with the same two requests: a saved query
(dipkg: /api/queries/events?actor=NAME; the others: the same query text, bound) and a raw
SPARQL SELECT. Results are printed as a Markdown table to paste into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synth import write_graph  # noqa: E402

from kg.config import Settings  # noqa: E402
from kg.query.saved import TermResolver, bind, load_queries  # noqa: E402
from kg.store import open_store  # noqa: E402

BIN = Path(sys.executable).parent
RAW = """PREFIX dip: <https://w3id.org/dipkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label ?date WHERE {
  ?event a dip:Event ; rdfs:label ?label ; dip:participant ?p .
  ?p rdfs:label "%s"@en .
  OPTIONAL { ?event dip:date ?date }
} ORDER BY ?date LIMIT 100"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {url}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise RuntimeError(f"server did not start: {url}")


@dataclass
class Measure:
    rps: float
    p50: float
    p99: float
    errors: int


def drive(url: str, params: dict[str, str], seconds: float, connections: int) -> Measure:
    """Load one URL for ``seconds`` with ``connections`` connections; latencies in ms.

    Uses wrk (Debian package) when it is installed, since a Python client saturates a core
    before a fast server does; otherwise Python threads.
    """
    full = url + "?" + urlencode(params)
    if shutil.which("wrk"):
        return _drive_wrk(full, seconds, connections)
    return _drive_threads(full, seconds, connections)


def _drive_wrk(url: str, seconds: float, connections: int) -> Measure:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "--timeout",
            "60s",
            "-H",
            "Accept: application/sparql-results+json",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def millis(label: str) -> float:
        match = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Measure(
        rps=float(rps.group(1)) if rps else 0.0,
        p50=millis("50%"),
        p99=millis("99%"),
        errors=int(errors.group(1)) if errors else 0,
    )


def _drive_threads(url: str, seconds: float, connections: int) -> Measure:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        session = requests.Session()
        mine: list[float] = []
        bad = 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            response = session.get(
                url, headers={"Accept": "application/sparql-results+json"}, timeout=60
            )
            mine.append((time.perf_counter() - start) * 1000)
            bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return Measure(
        rps=len(latencies) / seconds,
        p50=statistics.median(latencies),
        p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        errors=errors,
    )


def _ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a (baseline answered nothing)"


def run_size(
    name: str, store_dir: Path, nquads: Path, actor: str, args: argparse.Namespace
) -> list[str]:
    rows = []
    settings = Settings(store=str(store_dir))
    store = open_store(store_dir, read_only=True)
    query = load_queries(settings.queries_dir)["events"]
    bound = bind(query, {"actor": actor}, TermResolver(store, settings.base_iri))
    store.close()
    raw = RAW % actor
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    port = free_port()
    env = dict(os.environ, DIPKG_STORE=str(store_dir))
    servers["dipkg"] = (
        subprocess.Popen(
            [str(BIN / "dipkg"), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        f"http://127.0.0.1:{port}",
    )
    oxi_dir = store_dir.parent / "oxigraph-server"
    shutil.rmtree(oxi_dir, ignore_errors=True)
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(oxi_dir), "--file", str(nquads)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    servers["oxigraph"] = (
        subprocess.Popen(
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(oxi_dir),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        f"http://127.0.0.1:{port}",
    )
    port = free_port()
    servers["flask+rdflib"] = (
        subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "rdflib_endpoint.py"), str(nquads), str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        f"http://127.0.0.1:{port}",
    )
    try:
        for process, url in servers.values():
            wait_for(url + "/sparql?query=ASK%7B%7D", process)
        results: dict[tuple[str, str], Measure] = {}
        for label, (_, url) in servers.items():
            if label == "dipkg":
                saved = (url + "/api/queries/events", {"actor": actor})
            else:
                saved = (url + "/sparql", {"query": bound})
            raw_request = (url + "/sparql", {"query": raw})
            for kind, (target, params) in (("saved query", saved), ("raw SELECT", raw_request)):
                drive(target, params, 2, args.connections)  # warm-up
                results[(label, kind)] = drive(target, params, args.seconds, args.connections)
        for kind in ("saved query", "raw SELECT"):
            oxi = results[("oxigraph", kind)]
            rdf = results[("flask+rdflib", kind)]
            for label in servers:
                m = results[(label, kind)]
                rows.append(
                    f"| {name} | {kind} | {label} | {m.rps:.1f} | {m.p50:.1f} | {m.p99:.1f} | "
                    f"{_ratio(m.rps, oxi.rps)} | {_ratio(m.rps, rdf.rps)} | {m.errors} |"
                )
                print(rows[-1], flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [
        "| data | request | server | req/s | p50 ms | p99 ms | vs Oxigraph | vs Flask+rdflib "
        "| errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    # The bundled corpus.
    small = args.work / "bundled-store"
    shutil.rmtree(small, ignore_errors=True)
    subprocess.run(
        [str(BIN / "dipkg"), "build", "--store", str(small)], check=True, capture_output=True
    )
    small_nq = args.work / "bundled.nq"
    subprocess.run(
        [
            str(BIN / "dipkg"),
            "export",
            "--format",
            "nq",
            "--out",
            str(small_nq),
            "--store",
            str(small),
        ],
        check=True,
    )
    print("\n".join(rows), flush=True)
    rows += run_size("bundled (2.3k)", small, small_nq, "Xi Jinping", args)
    # The synthetic graph.
    big_nq = args.work / f"synthetic-{args.triples}.nq"
    if not big_nq.exists():
        write_graph(args.triples, big_nq)
    big = args.work / f"synthetic-{args.triples}-store"
    if not big.exists():
        subprocess.run(
            [str(BIN / "dipkg"), "load", "--bulk", str(big_nq), "--store", str(big)], check=True
        )
    count = sum(1 for _ in big_nq.open("rb"))
    rows += run_size(f"synthetic ({count / 1e6:.2f}M)", big, big_nq, "Envoy 3-1", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
