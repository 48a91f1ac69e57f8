"""Shared fixtures: settings, a store built from the bundled corpus, the same graph on a real
Oxigraph server, and a CLI runner."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from kg.config import Settings
from kg.flows.build import build
from kg.store import open_store, writing
from server import create_app

ROOT = Path(__file__).resolve().parent.parent
DIPKG = [sys.executable, "-m", "kg"]


@pytest.fixture(scope="session")
def built_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per session from the bundled corpus; tests must not write to it."""
    path = tmp_path_factory.mktemp("bundled") / "store"
    build(Settings(store=str(path)))
    return path


@pytest.fixture()
def settings(built_store_dir: Path) -> Settings:
    """Settings pointing at the session's bundled store."""
    return Settings(store=str(built_store_dir))


@pytest.fixture()
def fresh_settings(tmp_path: Path) -> Settings:
    """Settings with an empty store location of the test's own."""
    return dataclasses.replace(Settings(), store=str(tmp_path / "store"))


@pytest.fixture(scope="session")
def app(built_store_dir: Path) -> Iterator[Flask]:
    """The application in process over the session's bundled store (read-only)."""
    application = create_app(Settings(store=str(built_store_dir)))
    yield application
    application.extensions["dipkg"].executor.close()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    """Flask's in-process client of :func:`app`, for tests where real HTTP is not the point."""
    return app.test_client()


WRITE_TOKEN = "s3cret-token-for-tests"


@pytest.fixture()
def writable_client(built_store_dir: Path, tmp_path: Path) -> Iterator[FlaskClient]:
    """An in-process client of an app over a copy of the bundled store, with the write
    token :data:`WRITE_TOKEN`."""
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    application = create_app(Settings(store=str(store), write_token=WRITE_TOKEN))
    yield application.test_client()
    application.extensions["dipkg"].executor.close()


@pytest.fixture()
def runner() -> CliRunner:
    """A click runner for in-process CLI calls."""
    return CliRunner()


def run_dipkg(
    *args: str, store: Path | str | None = None, check: bool = False, input_text: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real ``dipkg`` CLI in a subprocess (as a user would)."""
    env = dict(os.environ)
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
            deadline = time.monotonic() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(
                            f"oxigraph serve did not start: {(work / 'server.log').read_text()}"
                        ) from None
                    time.sleep(0.1)
            url = f"http://127.0.0.1:{port}"
            with writing(url):
                pass  # as after any bulk load by the server: dipkg adds the merge
            yield url
        finally:
            process.terminate()
            process.wait(10)


@pytest.fixture(scope="session")
def oxigraph_url(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The bundled graph on a real Oxigraph server for the session (tests must not write)."""
    with oxigraph_server(built_store_dir, tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_store() -> Iterator[str]:
    """The bundled corpus built into a throw-away Virtuoso (scripts/virtuoso_server.py);
    skipped where Virtuoso is not installed (`make test` installs it)."""
    from scripts.virtuoso_server import available, virtuoso

    if not available():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with virtuoso() as store:
        build(Settings(store=store))
        yield store
