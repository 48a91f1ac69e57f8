"""`dipkg load --bulk`: a dump becomes a new store through Oxigraph's bulk loader, whole or
not at all, and never over an existing store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.query.search import SearchIndex
from tests.support import run_dipkg, store_quads


@pytest.fixture()
def dump(built_store_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "dump.nq"
    run_dipkg("export", "--format", "nq", "--out", str(path), store=built_store_dir, check=True)
    return path


@pytest.mark.slow
def test_a_dump_makes_the_same_store(built_store_dir: Path, dump: Path, tmp_path: Path) -> None:
    target = tmp_path / "new" / "store"
    result = run_dipkg("load", "--bulk", str(dump), store=target)
    assert result.returncode == 0, result.stderr
    assert "SHACL was not run" in result.stdout
    # no staging left; beside the store, its search index, made from what was loaded
    assert sorted(p.name for p in target.parent.iterdir()) == ["store", "store.search.sqlite"]
    with SearchIndex(target.parent / "store.search.sqlite") as index:
        assert [h.label for h in index.search("Xi Jinping", "actor")] == ["Xi Jinping"]
    assert store_quads(target, history=False) == store_quads(built_store_dir, history=False)
    check = run_dipkg("validate", store=target)
    assert check.returncode == 0, check.stdout + check.stderr


def test_triples_go_to_the_named_graph(tmp_path: Path) -> None:
    source = tmp_path / "extra.nt"
    source.write_text("<https://example.org/a> <https://example.org/b> 'c' .\n".replace("'", '"'))
    target = tmp_path / "store"
    graph = "https://example.org/graph/extra"
    assert run_dipkg("load", "--bulk", str(source), "--graph", graph, store=target).returncode == 0
    assert store_quads(target, history=False) == [
        f'<https://example.org/a> <https://example.org/b> "c" <{graph}> .'
    ]
    [load] = [q for q in store_quads(target) if "changeKind" in q]
    assert load.endswith(
        "<https://w3id.org/dipkg/concept/change-kind/load> <https://w3id.org/dipkg/id/graph/changes> ."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '<http://a> <http://b> <http://c> <http://g> .\n<http://a> <http://b> "x <http://g> .\n',
            "between line 2",
        ),
        (
            "<http://a> <http://b> <http://c> .\n",
            "<http://a> <http://b> ... is in the default graph",
        ),
    ],
    ids=["syntax", "default-graph"],
)
def test_a_bad_file_makes_no_store(tmp_path: Path, dump: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text(content, encoding="utf-8")
    target = tmp_path / "new" / "store"
    result = run_dipkg("load", "--bulk", str(dump), str(bad), store=target)
    assert result.returncode == 2 and message in result.stderr and "bad.nq" in result.stderr
    assert not target.exists() and "Traceback" not in result.stderr


def test_never_over_an_existing_store(built_store_dir: Path, dump: Path) -> None:
    before = store_quads(built_store_dir)
    result = run_dipkg("load", "--bulk", str(dump), store=built_store_dir)
    assert result.returncode == 2 and "this one exists" in result.stderr
    assert store_quads(built_store_dir) == before
