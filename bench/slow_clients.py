"""A load test with slow clients present: `dipkg serve` (front door + gunicorn) against the same
application under gunicorn alone (the design before the front door), in one run.

    python bench/slow_clients.py --seconds 15 --connections 4

For each server it measures `ASK {}` from ``--connections`` fresh clients for ``--seconds``:
first alone, then with 50 connections dribbling their head (a header line every 2 s), 8 sending
a body a byte every 2 s and 8 reading /dump.nt a byte every 2 s, each from its own loopback
address. Prints a Markdown table: requests per second, p50 and p99 latency in ms, failed
requests, and each figure's ratio to the same server without slow clients.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.config import Settings  # noqa: E402
from kg.flows.build import build  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str, store: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`dipkg serve`, or the same app under gunicorn alone (2 workers x 4 threads both)."""
    port = free_port()
    env = dict(os.environ, DIPKG_STORE=str(store), DIPKG_PORT=str(port))
    if kind == "dipkg serve":
        command = [str(BIN / "dipkg"), "serve", "--port", str(port), "--workers", "2"]
    else:
        command = [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "server.wsgi:app",
        ]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D", timeout=5)
            return process, port
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{kind} did not start")


def slow_clients(port: int, stop: threading.Event) -> list[threading.Thread]:
    """50 dribbled heads, 8 trickled bodies, 8 dumps read a byte at a time."""

    def connect(n: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.bind((f"127.0.{100 + n // 250}.{1 + n % 250}", 0))
        sock.connect(("127.0.0.1", port))
        return sock

    def head(n: int) -> None:
        with connect(n) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            while not stop.wait(2):
                sock.sendall(b"X-a: b\r\n")

    def body(n: int) -> None:
        with connect(n) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 9999\r\n\r\n")
            while not stop.wait(2):
                sock.sendall(b"a")

    def dump(n: int) -> None:
        with connect(n) as sock:
            sock.sendall(b"GET /dump.nt HTTP/1.1\r\nHost: x\r\n\r\n")
            while not stop.wait(2):
                sock.recv(1)

    def quietly(behaviour, n: int) -> None:  # type: ignore[no-untyped-def]
        try:
            behaviour(n)
        except OSError:
            pass  # a server may close them: that is the point

    plan = [head] * 50 + [body] * 8 + [dump] * 8
    threads = [
        threading.Thread(target=quietly, args=(b, n), daemon=True) for n, b in enumerate(plan)
    ]
    for thread in threads:
        thread.start()
    return threads


def measure(port: int, seconds: float, connections: int) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, failures) of `ASK {}` from fresh clients."""
    url = f"http://127.0.0.1:{port}/sparql"
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                ok = requests.get(url, params={"query": "ASK {}"}, timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                latencies.append((time.perf_counter() - start) * 1000)
                failures[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / seconds, statistics.median(latencies), p99, failures[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dipkg-slow-") as work:
        store = Path(work) / "store"
        build(Settings(store=str(store)))
        print(
            "| server | slow clients | req/s | p50 ms | p99 ms | failed | req/s ratio | p99 ratio |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for kind in ("dipkg serve", "gunicorn alone"):
            process, port = start(kind, store)
            try:
                alone = measure(port, args.seconds, args.connections)
                stop = threading.Event()
                crowd = slow_clients(port, stop)
                time.sleep(3)
                crowded = measure(port, args.seconds, args.connections)
                stop.set()
                for thread in crowd:
                    thread.join(5)
            finally:
                process.terminate()
                process.wait(30)
            for label, (rps, p50, p99, failed) in (("none", alone), ("66", crowded)):
                print(
                    f"| {kind} | {label} | {rps:.1f} | {p50:.1f} | {p99:.1f} | {failed} | "
                    f"{rps / alone[0]:.2f}x | {p99 / alone[2]:.2f}x |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
