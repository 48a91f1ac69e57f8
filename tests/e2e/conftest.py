"""A live dipkg server on a free loopback port: the production app under gunicorn, started
as `dipkg serve` would, over the session's bundled store."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph

from kg.store.terms import to_rdflib

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A running `dipkg serve` over a store (a directory or a remote store's URL); ``url`` is
    its base URL; the log goes to ``log_dir`` (default: beside the store directory)."""

    def __init__(self, store: Path | str, log_dir: Path | None = None, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update({f"DIPKG_{k.upper()}": v for k, v in settings.items()})
        self.log = (log_dir or Path(store).parent) / f"server-{self.port}.log"
        self._log = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg",
                "serve",
                "--store",
                str(store),
                "--port",
                str(self.port),
                "--workers",
                settings.get("workers", "2"),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,  # its own process group, as in a terminal (Ctrl-C tests)
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/api/queries", timeout=2)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"dipkg serve did not start: {self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def start_server(built_store_dir: Path) -> Iterator[Callable[..., LiveServer]]:
    """``start_server(**settings)``: a server with DIPKG_* settings; stopped after the session."""
    servers: list[LiveServer] = []

    def start(**settings: str) -> LiveServer:
        server = LiveServer(built_store_dir, **settings)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(start_server: Callable[..., LiveServer]) -> LiveServer:
    """The default server over the bundled store."""
    return start_server()


def parse_graph(data: bytes, media_type: str) -> Graph:
    """Parse an RDF body with Oxigraph's parsers into an rdflib Graph (union of its graphs)."""
    formats = {
        "text/turtle": ox.RdfFormat.TURTLE,
        "application/ld+json": ox.RdfFormat.JSON_LD,
        "application/n-triples": ox.RdfFormat.N_TRIPLES,
        "application/rdf+xml": ox.RdfFormat.RDF_XML,
        "application/n-quads": ox.RdfFormat.N_QUADS,
        "application/trig": ox.RdfFormat.TRIG,
    }
    graph = Graph()
    for quad in ox.parse(data, formats[media_type]):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))  # type: ignore[arg-type]
    return graph
