"""The vendored browser libraries (server/static/vendor/, and tests/browser/vendor/ for those
only the tests use) are what scripts/vendor.py writes from the pins: each package's version in
its README is the lock file's, its files and a licence are there, the pages load nothing from
outside the server, and a test-only library is not among the static files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "server" / "static" / "vendor"
TESTS = ROOT / "tests" / "browser" / "vendor"
LOCK = json.loads((ROOT / "scripts" / "vendor" / "package-lock.json").read_text())["packages"]
ROW = re.compile(r"^\| `(?P<package>[^`]+)` \| (?P<version>\S+) \| .+? \| `(?P<dir>[^`]+)/` \|")
ROWS = [
    m.groupdict() | {"target": str(target)}
    for target in (STATIC, TESTS)
    for m in map(ROW.match, (target / "README.md").read_text().splitlines())
    if m
]


def test_the_readme_lists_every_pinned_package() -> None:
    pinned = set(LOCK[""]["dependencies"])
    assert {row["package"] for row in ROWS} == pinned


@pytest.mark.parametrize("row", ROWS, ids=[row["package"] for row in ROWS])
def test_each_package_is_the_locked_version_with_its_files_and_licence(row: dict[str, str]) -> None:
    assert row["version"] == LOCK["node_modules/" + row["package"]]["version"]
    directory = Path(row["target"]) / row["dir"]
    names = {p.name for p in directory.iterdir()}
    assert any(n.startswith("LICENSE") for n in names), names
    assert any(n.endswith(".js") for n in names), names


def test_templates_load_scripts_and_styles_only_from_this_server() -> None:
    templates = (ROOT / "server" / "templates").glob("*.html")
    remote = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")
    assert not [t.name for t in templates if remote.search(t.read_text())]


def test_the_accessibility_checker_is_vendored_for_the_tests_only() -> None:
    assert (TESTS / "axe-core" / "axe.min.js").is_file()
    assert not list(STATIC.rglob("axe*"))
