"""The README documents every command, setting and saved query, and starts with the two
commands a new user needs."""

from __future__ import annotations

from kg.cli import cli
from kg.config import Settings
from kg.query.saved import load_queries
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_lines_give_the_two_commands() -> None:
    head = "\n".join(README.splitlines()[:6])
    assert "make run" in head and "make test" in head
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("make test") == 1


def test_every_command_is_documented() -> None:
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"dipkg {name}" in README, name


def test_every_setting_is_documented() -> None:
    for name, _, _ in Settings.describe():
        assert f"`{name}`" in README, name


def test_every_saved_query_is_documented() -> None:
    for name in load_queries(ROOT / "queries"):
        assert f"`{name}`" in README, name
