"""Readers survive writers: opening a read-only handle while a writer compacts is retried, and
a handle that opened keeps answering from its files, whatever the writer removes; a reader
that cannot reopen at once keeps its earlier, consistent view."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store.embedded import EmbeddedStore, writing

pytestmark = pytest.mark.slow


def test_readers_reopen_while_a_writer_compacts(built_store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(built_store_dir, path)
    stop = time.monotonic() + 8
    written = [0]

    def write() -> None:
        n = 0
        while time.monotonic() < stop:
            with writing(path) as store:
                for _ in range(5):
                    store.oxigraph.update(
                        f"INSERT DATA {{ GRAPH <http://g/{n}> {{ <http://s/{n}> <http://p> {n} }} }}"
                    )
                    n += 1
                store.oxigraph.optimize()  # compaction removes files readers may list
                store._bump()
            written[0] = n

    writer = threading.Thread(target=write)
    writer.start()
    errors: list[str] = []
    answers = 0
    reader = EmbeddedStore(path, read_only=True)
    try:
        while time.monotonic() < stop:
            try:
                reader.refresh()
                reader.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
                fresh = EmbeddedStore(path, read_only=True)  # a new reader, as after a restart
                fresh.query("ASK { ?s ?p ?o }")
                fresh.close()
                answers += 1
            except StoreError as exc:
                errors.append(exc.message)
    finally:
        writer.join()
    assert written[0] > 20 and answers > 20
    assert errors == []


def test_a_bare_read_only_open_during_compaction_does_fail(
    built_store_dir: Path, tmp_path: Path
) -> None:
    """The failure the retries absorb (so the test above can fail): Oxigraph's own read-only
    open while another process compacts."""
    path = tmp_path / "store"
    shutil.copytree(built_store_dir, path)
    stop = time.monotonic() + 8
    failures = 0

    def write() -> None:
        n = 0
        while time.monotonic() < stop:
            store = ox.Store(str(path))
            for _ in range(5):
                store.update(
                    f"INSERT DATA {{ GRAPH <http://g/{n}> {{ <http://s/{n}> <http://p> 1 }} }}"
                )
                n += 1
            store.optimize()
            del store

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while time.monotonic() < stop and not failures:
            try:
                bool(ox.Store.read_only(str(path)).query("ASK { ?s ?p ?o }"))
            except (OSError, RuntimeError):
                failures += 1
    finally:
        writer.join()
    assert failures > 0
