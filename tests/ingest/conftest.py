"""Ingest fixtures: a private copy of the bundled store per test, and one ingester per session
(spaCy's pipeline loads once)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.config import Settings
from kg.flows.ingest import Ingester
from kg.store import EmbeddedStore, writing


@pytest.fixture()
def store_dir(built_store_dir: Path, tmp_path: Path) -> Path:
    """A copy of the bundled store this test may write to."""
    target = tmp_path / "store"
    shutil.copytree(built_store_dir, target)
    return target


@pytest.fixture()
def store(store_dir: Path) -> Iterator[EmbeddedStore]:
    """The copy, opened for writing."""
    with writing(store_dir) as opened:
        yield opened


@pytest.fixture(scope="session")
def ingester() -> Ingester:
    return Ingester(Settings())
