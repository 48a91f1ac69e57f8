"""EDTF dates end to end: a curated coding with EDTF dates -> the graph (the literal beside the
xsd date and the interval bounds) -> the saved queries' columns and date filters -> the coding
written back; the shapes accept the literal and refuse a broken one."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from kg.cli import cli
from kg.config import Settings
from kg.edtf import LEXICAL_PATTERN
from kg.flows.build import read_corpus
from kg.query.export import export
from kg.rdf.ontology import load_vocabulary, scheme_notations
from kg.rdf.validation import load_shapes
from kg.sources.coding_writer import write_coding
from kg.sources.registry import load_registry
from kg.store import open_store
from kg.vocab import DIP, EDTF
from tests.shapes.test_shapes import minimal, results
from tests.support import CALL_TEXT, call_coding, parse_graph, write_article

CORPUS = Settings().corpus_dir
SPRING_CALL = "spring-call"
MID_NOVEMBER_CALL = "mid-november-call"
SLOW = pytest.mark.slow  # pySHACL on the whole shapes graph: a few seconds a case


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two calls between Biden and Xi: one in spring 2024 (``2024-21``), one in mid-November
    2023 (``2023-11-11/2023-11-20``)."""
    directory = tmp_path_factory.mktemp("edtf-corpus")
    shutil.copy(CORPUS / "registry.yaml", directory / "registry.yaml")
    write_article(directory, SPRING_CALL, CALL_TEXT, call_coding("2024-21"), "2024-06-10")
    write_article(
        directory,
        MID_NOVEMBER_CALL,
        CALL_TEXT,
        call_coding("{value: 2023-11-11/2023-11-20, basis: inferred, note: mid-November}"),
        "2023-11-30",
    )
    return directory


@pytest.fixture(scope="module")
def store_dir(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("edtf-store") / "store"
    result = CliRunner().invoke(cli, ["build", "--corpus", str(corpus), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


def query(store_dir: Path, name: str, **params: str) -> list[dict[str, str]]:
    args = ["query", name, "--format", "csv", "--store", str(store_dir)]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_graph_keeps_the_literal_beside_the_xsd_date_and_the_bounds(store_dir: Path) -> None:
    store = open_store(store_dir, read_only=True)
    try:
        data = Graph()
        for s, p, o, _ in store.quads():
            data.add((s, p, o))
    finally:
        store.close()
    spring = Literal("2024-21", datatype=EDTF.EDTF)
    event = data.value(predicate=DIP.edtfDate, object=spring)
    assert isinstance(event, URIRef)
    assert str(EDTF.EDTF) == "http://id.loc.gov/datatypes/edtf/EDTF"
    assert data.value(event, DIP.date).n3() == '"2024"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    assert (str(data.value(event, DIP.earliest)), str(data.value(event, DIP.latest))) == (
        "2024-03-01",
        "2024-05-31",
    )


def test_saved_queries_answer_the_edtf_column(store_dir: Path) -> None:
    rows = query(store_dir, "events", actor="Biden")
    assert sorted((r["edtfDate"], r["date"], r["datePrecision"]) for r in rows) == [
        ("2023-11-11/2023-11-20", "2023-11", "month"),
        ("2024-21", "2024", "year"),
    ]
    timeline = query(store_dir, "timeline", actor="Xi")
    assert [r["edtfDate"] for r in timeline] == ["2023-11-11/2023-11-20", "2024-21"]  # by start


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2024-06-01"}, []),  # spring ended on 31 May
        ({"from": "2024-05-31"}, ["2024-21"]),
        ({"to": "2024-02-29"}, ["2023-11-11/2023-11-20"]),  # spring starts on 1 March
        ({"from": "2023-11-21", "to": "2024-02"}, []),  # between the two intervals
        ({"from": "2023-11-20", "to": "2023-11-20"}, ["2023-11-11/2023-11-20"]),
        ({"from": "2023-11-1X", "to": "2023-11-1X"}, ["2023-11-11/2023-11-20"]),  # EDTF params
        ({"from": "2024-22"}, []),  # summer starts after spring
        ({"to": "2024-21"}, ["2023-11-11/2023-11-20", "2024-21"]),
    ],
    ids=lambda v: str(v),
)
def test_date_filters_select_by_the_interval(
    store_dir: Path, params: dict[str, str], expected: list[str]
) -> None:
    rows = query(store_dir, "events", **params)
    assert sorted(r["edtfDate"] for r in rows) == expected


def test_a_bad_edtf_parameter_is_named(store_dir: Path) -> None:
    result = CliRunner().invoke(
        cli, ["query", "events", "--param", "from=2024-XX-15", "--store", str(store_dir)]
    )
    assert result.exit_code == 2
    assert "from" in result.output and "unspecified digit left of a given one" in result.output


def test_coding_round_trips_through_the_writer(corpus: Path, tmp_path: Path) -> None:
    settings = Settings()
    vocabulary = scheme_notations(load_vocabulary(settings.ontology_dir))
    registry = load_registry(corpus / "registry.yaml")
    [first, second] = read_corpus(corpus, registry, vocabulary)
    dates = {f.coding.document.id: f.coding.events[0].date for f in (first, second)}
    assert dates[SPRING_CALL] is not None and dates[SPRING_CALL].edtf == "2024-21"
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(corpus / "registry.yaml", copy / "registry.yaml")
    for name in (SPRING_CALL, MID_NOVEMBER_CALL):
        for suffix in (".txt", ".meta.yaml"):
            shutil.copy(corpus / f"{name}{suffix}", copy / f"{name}{suffix}")
    for file in (first, second):
        written = write_coding(file.coding, registry, actors=file.actors, places=file.places)
        (copy / f"{file.coding.document.id}.coding.yaml").write_text(written, encoding="utf-8")
    again = {
        f.coding.document.id: f.coding.events[0].date
        for f in read_corpus(copy, registry, vocabulary)
    }
    assert again == dates


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-25", "not a real date"),
        ("2024-XX-15", "unspecified digit left of a given one"),
        ("../2024", "open or unknown end"),
        ("2024-03-10/2024-03-01", "ends before it starts"),
        ("2024-02-3X", "names no real day"),
        ("2024~?", "more than one qualifier"),
    ],
)
def test_bad_edtf_in_a_coding_names_file_and_field(
    corpus: Path, tmp_path: Path, value: str, message: str
) -> None:
    directory = tmp_path / "bad"
    shutil.copytree(corpus, directory)
    write_article(directory, SPRING_CALL, CALL_TEXT, call_coding(f'"{value}"'), "2024-06-10")
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["build", "--corpus", str(directory), "--store", str(store)])
    assert result.exit_code == 2, result.output
    assert f"{SPRING_CALL}.coding.yaml: events[0].date: '{value}'" in result.output
    assert message in result.output
    assert "2024-21" in result.output  # the hint shows the EDTF forms


# -- shapes ---------------------------------------------------------------------------


def test_shapes_state_the_profile_pattern() -> None:
    shapes = load_shapes(Settings().ontology_dir)
    patterns = {
        str(shapes.value(prop, URIRef("http://www.w3.org/ns/shacl#pattern")))
        for prop in shapes.subjects(URIRef("http://www.w3.org/ns/shacl#path"), DIP.edtfDate)
    }
    assert patterns == {LEXICAL_PATTERN}


@pytest.mark.parametrize(
    ("literal", "conforms"),
    [
        (Literal("2024-21", datatype=EDTF.EDTF), True),
        pytest.param(Literal("2023-11-11/2023-11-20", datatype=EDTF.EDTF), True, marks=SLOW),
        pytest.param(Literal("2024-03?", datatype=EDTF.EDTF), True, marks=SLOW),
        (Literal("mid-November", datatype=EDTF.EDTF), False),
        # a plain string is not an EDTF literal
        pytest.param(Literal("2024-21"), False, marks=SLOW),
    ],
    ids=lambda v: str(v),
)
def test_shapes_accept_edtf_literals_only(literal: Literal, conforms: bool) -> None:
    data = minimal()
    demand = URIRef("https://w3id.org/dipkg/id/demand/2024-03-03-bob-beta-north-korea")
    data.remove((demand, DIP.edtfDate, None))
    data.add((demand, DIP.edtfDate, literal))
    found = {r for r in results(data) if r[0] == str(demand)}
    assert (not found) is conforms, found


def test_an_edtf_date_without_its_xsd_date_is_incomplete() -> None:
    data = minimal()
    demand = URIRef("https://w3id.org/dipkg/id/demand/2024-03-03-bob-beta-north-korea")
    data.remove((demand, DIP.date, None))
    shape = "https://w3id.org/dipkg/shapes#DemandShape"
    component = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
    assert (str(demand), shape, component) in results(data)


@pytest.mark.slow
def test_ingest_merges_a_day_into_a_stored_edtf_interval(store_dir: Path, tmp_path: Path) -> None:
    # the stored call is dated mid-November (its dip:earliest the 11th); a report of the 15th
    # must find it (kg/resolve/candidates.py, period_starts), merge, and date it to the day
    store = tmp_path / "store"
    shutil.copytree(store_dir, store)
    article = write_article(
        tmp_path / "new", "day-call", CALL_TEXT, call_coding("2023-11-15"), "2023-11-16"
    )
    result = CliRunner().invoke(cli, ["ingest", str(article), "--store", str(store)])
    assert result.exit_code == 0, result.output
    rows = query(store, "events", actor="Biden", **{"from": "2023-11-01", "to": "2023-11-30"})
    assert [(r["date"], r["datePrecision"], r["edtfDate"], r["sources"]) for r in rows] == [
        ("2023-11-15", "day", "", f"day-call; {MID_NOVEMBER_CALL}")
    ]


def test_json_ld_dump_keeps_the_typed_edtf_literal(store_dir: Path) -> None:
    out = io.BytesIO()
    store = open_store(store_dir, read_only=True)
    try:
        export(store, "jsonld", out, Settings().ontology_dir / "context.jsonld")
    finally:
        store.close()
    dumped = parse_graph(out.getvalue(), "application/ld+json")
    assert (None, DIP.edtfDate, Literal("2024-21", datatype=EDTF.EDTF)) in dumped
