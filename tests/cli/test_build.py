"""`dipkg build`, `validate`, `export`, `load` as a user runs them, and bad input that must
leave an existing store exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.config import Settings
from kg.rdf.files import parse_rdf_file
from kg.store import open_store
from tests.support import run_dipkg, store_quads

CORPUS = Settings().corpus_dir
DOC_000 = "000_6aee4f90ec08fcc7"


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture()
def existing_store(tmp_path: Path, built_store_dir: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(built_store_dir, target)
    return target


@pytest.mark.slow
@pytest.mark.e2e
def test_built_store_conforms(built_store_dir: Path) -> None:
    result = run_dipkg("validate", "--store", str(built_store_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Data conforms" in result.stdout
    junit = run_dipkg("validate", "--store", str(built_store_dir), "--format", "junit")
    assert junit.returncode == 0 and 'failures="0"' in junit.stdout


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_INPUTS = {
    "missing-metadata": (
        lambda c: (c / f"{DOC_000}.meta.yaml").unlink(),
        [f"{DOC_000}.meta.yaml", "metadata file not found"],
    ),
    "malformed-metadata": (
        lambda c: _edit(c / f"{DOC_000}.meta.yaml", "published:", "published: [\n"),
        [f"{DOC_000}.meta.yaml:", "malformed YAML"],
    ),
    "impossible-date": (
        lambda c: _edit(c / f"{DOC_000}.meta.yaml", '"2023-11"', '"2023-13"'),
        [f"{DOC_000}.meta.yaml", "published", "2023-13"],
    ),
    "quote-not-in-text": (
        lambda c: _edit(
            c / f"{DOC_000}.coding.yaml", "On the 15th of November", "On the 16th of November"
        ),
        [f"{DOC_000}.coding.yaml", "events[0].evidence[0]", "quote not found", "16th"],
    ),
    "malformed-coding": (
        lambda c: _edit(c / f"{DOC_000}.coding.yaml", "events:", "events: [\n"),
        [f"{DOC_000}.coding.yaml:", "malformed YAML"],
    ),
    "unknown-actor": (
        lambda c: _edit(c / f"{DOC_000}.coding.yaml", "actor: Trump", "actor: Zhou Enlai"),
        [
            "coding.yaml",
            "events[1].participants[1].actor",
            "'Zhou Enlai' is not in the actor registry",
        ],
    ),
}


# two cases in the fast selection (the messages themselves are unit-tested in test_coding)
FAST_BAD_INPUTS = {"malformed-metadata", "unknown-actor"}


@pytest.mark.e2e
@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, id=case, marks=() if case in FAST_BAD_INPUTS else pytest.mark.slow)
        for case in sorted(BAD_INPUTS)
    ],
)
def test_bad_input_is_named_and_leaves_the_store_unchanged(
    case: str, corpus_copy: Path, existing_store: Path
) -> None:
    breaker, expected = BAD_INPUTS[case]
    before = store_quads(existing_store)
    breaker(corpus_copy)
    result = run_dipkg("build", "--corpus", str(corpus_copy), "--store", str(existing_store))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    for fragment in expected:
        assert fragment in result.stderr
    assert store_quads(existing_store) == before


@pytest.mark.slow
@pytest.mark.e2e
def test_shape_violation_exits_1_and_leaves_the_store_unchanged(
    corpus_copy: Path, existing_store: Path
) -> None:
    before = store_quads(existing_store)
    # A pledge step dated before the pledge was made passes the loader but breaks a shape.
    coding = corpus_copy / f"{DOC_000}.coding.yaml"
    text = coding.read_text(encoding="utf-8")
    assert "status: made" in text
    coding.write_text(
        text.replace("status: made", "status: made\n        date: 1999", 1), encoding="utf-8"
    )
    result = run_dipkg("build", "--corpus", str(corpus_copy), "--store", str(existing_store))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "violates" in result.stderr and "Violation" in result.stderr
    assert store_quads(existing_store) == before


@pytest.mark.slow
@pytest.mark.e2e
def test_export_round_trips(built_store_dir: Path, tmp_path: Path) -> None:
    nquads = tmp_path / "expected.nq"
    nquads.write_text("\n".join(store_quads(built_store_dir)) + "\n", encoding="utf-8")
    expected = Dataset()
    parse_rdf_file(nquads, expected)
    for fmt in ("nq", "trig"):
        out = tmp_path / f"dump.{fmt}"
        result = run_dipkg(
            "export", "--format", fmt, "--out", str(out), "--store", str(built_store_dir)
        )
        assert result.returncode == 0, result.stderr
        back = Dataset()
        parse_rdf_file(out, back)
        for graph in expected.graphs():
            assert isomorphic(graph, back.graph(graph.identifier)), graph.identifier


@pytest.mark.e2e
def test_export_csv_event_table(built_store_dir: Path) -> None:
    result = run_dipkg("export", "--format", "csv", "--store", str(built_store_dir))
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    for column in (
        "date",
        "datePrecision",
        "type",
        "cameo",
        "plover",
        "participants",
        "location",
        "sources",
    ):
        assert column in header


@pytest.mark.e2e
def test_load_and_validate_files(existing_store: Path, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text('<http://example.org/a> <http://example.org/p> "x" .\n', encoding="utf-8")
    graph = "http://example.org/graph/extra"
    result = run_dipkg("load", str(data), "--graph", graph, "--store", str(existing_store))
    assert result.returncode == 0, result.stderr
    store = open_store(existing_store, read_only=True)
    try:
        assert any(str(g) == graph for g in store.graph_names())
        rows = store.query(
            "PREFIX dip: <https://w3id.org/dipkg/def#> SELECT ?added ?removed WHERE { GRAPH "
            "<https://w3id.org/dipkg/id/graph/changes> { ?c dip:graphLoaded <" + graph + "> ; "
            "dip:triplesAdded ?added ; dip:triplesRemoved ?removed } }"
        ).rows
    finally:
        store.close()
    assert [(int(str(a)), int(str(r))) for a, r in rows] == [(1, 0)], "the load is recorded"


@pytest.mark.e2e
def test_load_refuses_xml_entities(existing_store: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r/>', encoding="utf-8")
    before = store_quads(existing_store)
    result = run_dipkg(
        "load", str(bomb), "--graph", "http://example.org/g", "--store", str(existing_store)
    )
    assert result.returncode == 2 and "DOCTYPE" in result.stderr
    assert store_quads(existing_store) == before
