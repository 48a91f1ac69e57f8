"""`dipkg validate` on a store in several processes finds what one process finds: the batches
are checked side by side, each process with its own read-only handle on the store (pySHACL);
the SPARQL engine, over the whole store at once, finds the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.config import Settings
from kg.flows.validate import validate_stored
from kg.store.embedded import writing
from tests.support import run_dipkg

pytestmark = pytest.mark.slow

DIP = "https://w3id.org/dipkg/def#"


def _break_every_event(store_dir: Path) -> set[str]:
    """Remove every event's type code, in whatever graph says it: the events, which the shapes
    must then report (a required property)."""
    with writing(store_dir) as store:  # a writer publishes the view readers open
        code = ox.NamedNode(DIP + "eventType")
        quads = list(store.oxigraph.quads_for_pattern(None, code, None, None))
        for quad in quads:
            store.oxigraph.remove(quad)
    return {quad.subject.value for quad in quads}


def test_several_processes_find_what_one_finds(built_store_dir: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(built_store_dir, store_dir)
    broken = _break_every_event(store_dir)
    assert len(broken) > 1
    settings = Settings(store=str(store_dir))

    alone = validate_stored(settings, jobs=1, batch=1, engine="pyshacl")
    side_by_side = validate_stored(settings, jobs=2, batch=1, engine="pyshacl")
    in_the_store = validate_stored(settings)

    assert not side_by_side.conforms
    assert side_by_side.results == alone.results
    found = {(r.focus, r.shape, r.component, r.path, r.value) for r in in_the_store.results}
    assert found == {(r.focus, r.shape, r.component, r.path, r.value) for r in alone.results}
    reported = {
        r.focus for r in side_by_side.violations if r.shape.endswith("EventShape-eventType")
    }
    assert reported == broken
    # the Turtle report holds each result once (not every batch's report about its context)
    graph = Graph().parse(data=side_by_side.render("turtle"), format="turtle")
    assert len(set(graph.objects(None, SH.result))) == len(side_by_side.results)
    focus = {str(node) for node in graph.objects(None, SH.focusNode)}
    assert focus == {r.focus for r in side_by_side.results}


def test_the_cli_option(built_store_dir: Path) -> None:
    result = run_dipkg(
        "validate", "--store", str(built_store_dir), "--jobs", "2", "--engine", "pyshacl"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    refused = run_dipkg("validate", "--store", str(built_store_dir), "--jobs", "0")
    assert refused.returncode == 2 and "--jobs" in refused.stderr
