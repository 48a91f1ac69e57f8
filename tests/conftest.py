"""Shared fixtures: settings, a store built from the bundled corpus, the app in process (Flask's
client), live dipkg servers over real HTTP, the same graph on a real Oxigraph server and on
Virtuoso, and a CLI runner. Helpers that are not fixtures are in tests/support.py."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from kg.config import Settings
from kg.flows.build import build
from server import create_app
from tests.support import WRITE_TOKEN, LiveServer, oxigraph_server


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
