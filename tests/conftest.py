"""Shared fixtures: settings, a store built from the bundled corpus, and a CLI runner."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.config import Settings
from kg.pipeline import build

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
