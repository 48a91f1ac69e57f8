"""`dipkg load` of hostile RDF files: nesting that would blow a parser's stack or heap is
refused before parsing, with an `error:` naming the file and the limit, exit 2, the store
unchanged (the hardening round found a RecursionError traceback for 100,000 nested JSON-LD
arrays and 11 GB of memory for 2 MB of nested Turtle collections)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import run_dipkg


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "arrays.jsonld",
            '{"@id": "http://x/a", "http://x/p": ' + "[" * 100_000 + "]" * 100_000 + "}",
        ),
        ("collections.ttl", "<http://x/a> <http://x/p> " + "(" * 200_000 + ")" * 200_000 + " ."),
        (
            "bnodes.trig",
            "<http://x/g> { <http://x/a> <http://x/p> "
            + "[ <http://x/q> " * 5_000
            + "1"
            + " ]" * 5_000
            + " . }",
        ),
    ],
    ids=["jsonld-arrays", "turtle-collections", "trig-blank-nodes"],
)
def test_deep_nesting_is_refused_before_parsing(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    store = tmp_path / "store"
    result = run_dipkg("load", str(path), "--graph", "http://x/g", "--store", str(store))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: {path}:")
    assert "nested deeper than 64 levels" in result.stderr
    assert "Traceback" not in result.stderr
