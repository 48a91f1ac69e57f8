"""Readers survive writers: readers open the views writers publish (checkpoints nothing
writes), so a handle keeps answering from its files whatever the writer compacts away, and
superseded views go after their grace; Oxigraph's own read-only open of a store another
process writes does fail (what the views avoid)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store import embedded
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


def _write_and_compact(path: Path, sessions: int) -> None:
    for n in range(sessions):
        with writing(path) as store:
            store.oxigraph.update(
                f"INSERT DATA {{ GRAPH <http://g/{n}> {{ <http://s/{n}> <http://p> {n} }} }}"
            )
            store.oxigraph.optimize()


def test_a_reader_keeps_its_view_while_writers_compact(
    built_store_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store"
    shutil.copytree(built_store_dir, path)
    _write_and_compact(path, 1)
    reader = EmbeddedStore(path, read_only=True)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } }"
    before = reader.query(count).rows
    _write_and_compact(path, 8)  # the files the reader has not opened yet are compacted away
    assert reader.query(count).rows == before  # the view as it was, every file still there
    assert reader.refresh()
    assert reader.query("ASK { GRAPH ?g { <http://s/7> ?p ?o } }").boolean


def test_superseded_views_go_after_their_grace(
    built_store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store"
    shutil.copytree(built_store_dir, path)
    _write_and_compact(path, 3)
    assert len(list((path / "views").iterdir())) >= 3  # within the grace: all kept
    monkeypatch.setattr(embedded, "VIEW_GRACE", 0.0)
    _write_and_compact(path, 1)
    assert [view.name.isdigit() for view in (path / "views").iterdir()] == [True]


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
