"""What the tests share besides fixtures: paths, the CLI as a subprocess, free ports, real
servers (dipkg's own and Oxigraph's), a loopback canary, and helpers to compare stores.
Fixtures live in the conftest files; test modules import helpers from here only."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import requests
from rdflib import Graph, URIRef

from kg.config import Settings
from kg.rdf.ontology import load_vocabulary
from kg.rdf.validation import load_shapes, validate_graph
from kg.store import open_store, writing
from kg.store.base import Store
from kg.store.embedded import EmbeddedStore
from kg.store.terms import to_rdflib

ROOT = Path(__file__).resolve().parent.parent

DIPKG = [sys.executable, "-m", "kg"]

WRITE_TOKEN = "s3cret-token-for-tests"

TOKEN = WRITE_TOKEN

ARTICLES = ROOT / "tests" / "ingest" / "articles"

CURATED = ROOT / "tests" / "ingest" / "curated"

# three automatic articles, a curated one and one the gate rejects (tests add one that cannot
# be read)
INGEST_BATCH = [
    ARTICLES / "woodside_followup.txt",
    CURATED / "hotline_fulfilled.txt",
    ARTICLES / "widodo_beijing.txt",
    CURATED / "hotline_backdated.txt",
    ARTICLES / "undated_call.txt",
]


def run_dipkg(
    *args: str,
    store: Path | str | None = None,
    check: bool = False,
    input_text: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``dipkg`` CLI in a subprocess (as a user would), with ``env`` added to
    this process's environment."""
    env = {**os.environ, **(env or {})}
    if store is not None:
        env["DIPKG_STORE"] = str(store)
    return subprocess.run(
        [*DIPKG, *args],
        capture_output=True,
        text=True,
        env=env,
        check=check,
        input=input_text,
        cwd=ROOT,
        timeout=300,
    )


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def oxigraph_server(store_dir: Path, work: Path) -> Iterator[str]:
    """A real Oxigraph server (PyPI `oxigraph`) on a free loopback port, loaded with the graph
    of an embedded store by the server's own bulk loader (the recipe of docs/remote-stores.md);
    its URL is a remote ``store`` setting. Stopped on exit."""
    work.mkdir(parents=True, exist_ok=True)
    dump = work / "store.nq"
    store = open_store(store_dir, read_only=True)
    try:
        with dump.open("wb") as out:
            store.dump(out, "nq")
    finally:
        store.close()
    binary = str(Path(sys.executable).with_name("oxigraph"))
    location = str(work / "data")
    subprocess.run(
        [binary, "load", "--location", location, "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    with (work / "server.log").open("w") as log:
        process = subprocess.Popen(
            [binary, "serve", "--location", location, "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process, work / "server.log")
            url = f"http://127.0.0.1:{port}"
            with writing(url):
                pass  # as after any bulk load by the server: dipkg adds the merge
            yield url
        finally:
            process.terminate()
            process.wait(10)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a server started as ``process`` accepts connections on ``port`` (30 s).

    Raises:
        RuntimeError: it exited or did not start in time (the message holds its log).
    """
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{process.args!r} did not start: {log.read_text()}") from None
            time.sleep(0.1)


GRLC = ROOT / "var" / "grlc"  # grlc's own virtualenv, made by `make grlc`


@contextlib.contextmanager
def grlc_server(queries: Path, work: Path) -> Iterator[str]:
    """grlc (CLARIAH, PyPI `grlc` 1.3.11, from :data:`GRLC`: its pins are not dipkg's) serving
    ``queries`` in local-folder mode on a free loopback port; its URL (the API is under
    ``/api-local/``, the SPARQL endpoint is each call's ``endpoint`` parameter). grlc reads
    ``config.ini`` from its working directory; it runs under gunicorn with one worker
    (its ``grlc-server`` command binds every interface with 20). Stopped on exit."""
    work.mkdir(parents=True, exist_ok=True)
    (work / "config.ini").write_text(f"[local]\nlocal_sparql_dir = {queries}\n")
    port = free_port()
    command = [str(GRLC / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    with (work / "grlc.log").open("w") as log:
        process = subprocess.Popen(
            [*command, "grlc.server:app"], cwd=work, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(port, process, work / "grlc.log")
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(10)


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
                requests.get(self.url + "/api/queries", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or busy starting
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


@contextlib.contextmanager
def serving_copy(store_dir: Path, into: Path, **settings: str) -> Iterator[LiveServer]:
    """`dipkg serve` (with ``settings``) over a copy of ``store_dir`` made at ``into``, so that
    writes land in the copy; stopped on leaving."""
    shutil.copytree(store_dir, into)
    server = LiveServer(into, **settings)
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def reviewable_copy(store_dir: Path, into: Path) -> Iterator[LiveServer]:
    """:func:`serving_copy` with the write token, after one automatic ingest over HTTP that
    leaves the review queue provisional actors (``indonesia``, ``joko-widodo``) and a
    doubtful pledge."""
    with serving_copy(store_dir, into, write_token=TOKEN) as server:
        response = requests.post(
            f"{server.url}/api/documents",
            json=article("widodo_beijing"),
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=180,
        )
        assert response.status_code == 201, response.text
        yield server


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


CHANGES = "<https://w3id.org/dipkg/id/graph/changes>"


def store_quads(store_dir: Path, *, history: bool = True) -> list[str]:
    """Every quad of a store as sorted N-Quads lines (blank-node free by design); without
    ``history``, not those of the graph of changes (every write adds its record there)."""
    store = open_store(store_dir, read_only=True)
    try:
        out = Path(store_dir.parent / "dump.nq")
        with out.open("wb") as stream:
            store.dump(stream, "nq")
    finally:
        store.close()
    lines = out.read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if history or not line.endswith(f"{CHANGES} ."))


def snapshot(store: EmbeddedStore, *, history: bool = True) -> set[tuple[object, ...]]:
    """Every quad of the store, to compare before and after; without ``history``, not those
    of the graph of changes (every write adds its record there)."""
    return {q for q in store.quads() if history or q[3] != URIRef(CHANGES[1:-1])}


def conforms(store: Store) -> bool:
    """Whether the whole store, with the vocabulary, conforms to the shapes."""
    graph = Graph()
    for s, p, o, _ in store.quads():
        graph.add((s, p, o))
    settings = Settings()
    return validate_graph(
        graph + load_vocabulary(settings.ontology_dir), load_shapes(settings.ontology_dir)
    ).conforms


def select(store: EmbeddedStore, sparql: str) -> list[tuple[object, ...]]:
    prefixes = (
        "PREFIX dip: <https://w3id.org/dipkg/def#>\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\n"
        "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    )
    return store.query(prefixes + sparql).rows


# the saved queries of the public interface (../shared/ARCHITECTURE.md)
SAVED_QUERIES = frozenset(
    {
        "events",
        "pledges",
        "demands",
        "statements",
        "timeline",
        "pledge-history",
        "actor",
        "provenance",
    }
)

# one resource of each kind in the bundled store, by kind (paths under the base IRI)
KINDS = {
    "event": "event/2023-11-15-meeting-joe-biden-xi-jinping",
    "pledge": "pledge/2023-11-15-china-united-states-narcotics",
    "actor": "actor/xi-jinping",
    "place": "place/filoli-estate",
    "document": "document/000_6aee4f90ec08fcc7",
    "demand": "demand/2023-11-15-xi-jinping-taiwan",
    "statement": "statement/2023-11-15-white-house-99397316",
    "office": "actor/foreign-minister-of-china",
}


class Canary:
    """An HTTP server on loopback that counts the requests it gets and answers each with
    ``body`` (of ``media_type``, if given)."""

    def __init__(self, body: bytes = b"{}", media_type: str | None = None) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                hits.append(self.path)
                self.send_response(200)
                if media_type:
                    self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815 - Oxigraph sends SERVICE calls as POST

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # a short poll so that close() returns at once
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def article(name: str, **extra: str) -> dict[str, str]:
    published = (ARTICLES / f"{name}.meta.yaml").read_text(encoding="utf-8").split("published: ")[1]
    return {
        "id": name,
        "text": (ARTICLES / f"{name}.txt").read_text(encoding="utf-8"),
        "published": published.strip(),
        **extra,
    }


def write_article(
    directory: Path, name: str, text: str, coding: str, published: str | None = None
) -> Path:
    """An article ``{name}.txt`` in ``directory`` with its curated coding (the YAML body
    after the ``document:`` line) and, if ``published``, a sidecar with that date; its path.
    Writing it again makes the next version of the same document."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    header = f"document: {name}\ncoder: dipkg tests\n"
    (directory / f"{name}.coding.yaml").write_text(header + coding, encoding="utf-8")
    meta = directory / f"{name}.meta.yaml"
    meta.unlink(missing_ok=True)
    if published is not None:
        meta.write_text(f"title: {name}\npublished: {published}\n", encoding="utf-8")
    return path


CALL_TEXT = (
    "Biden and Xi speak by phone\n\n"
    "President Joe Biden spoke with President Xi Jinping by phone last Tuesday. "
    "Biden pledged to keep the hotline open."
)


def call_coding(date: str | None, pledge: bool = False) -> str:
    """A curated coding of :data:`CALL_TEXT`: the call (dated ``date``, or undated) and,
    with ``pledge``, Biden's pledge."""
    coding = (
        "events:\n  - id: call\n    type: phone_call\n"
        + (f"    date: {date}\n" if date else "")
        + "    participants:\n      - actor: Biden\n      - actor: Xi\n"
        + '    evidence:\n      - "President Joe Biden spoke with President Xi Jinping by phone"\n'
    )
    if pledge:
        coding += (
            "pledges:\n  - id: hotline\n    kind: pledge\n    makers: [Biden]\n"
            "    content: keep the hotline open\n    topics: [bilateral_relations]\n"
            "    steps:\n      - status: made\n        evidence:\n"
            '          - "Biden pledged to keep the hotline open."\n'
        )
    return coding
