"""The event-data tables of ``dipkg export --format polecat|cameo`` on the bundled store: their
columns, the rows of known facts, codes taken from the SKOS alignments in the graph (a changed
alignment in a copy of the ontology changes the export), evidence that leads back."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from kg.config import Settings
from kg.flows.build import build
from kg.query.export import export
from kg.store import open_store
from tests.support import ROOT

POLECAT_COLUMNS = [
    "id", "kind", "date", "enddate", "date_precision", "event", "mode", "context",
    "source", "recipient", "event_loc", "text", "url", "document", "sources",
]  # fmt: skip
CAMEO_COLUMNS = [
    "id", "kind", "date", "date_precision", "source", "source_wikidata", "target",
    "target_wikidata", "cameo_code", "cameo_label", "source_iri", "target_iri", "text", "url",
    "document", "sources",
]  # fmt: skip
ID = "https://w3id.org/dipkg/id/"
YELLEN_VISIT = ID + "event/2024-W14-visit-china-janet-yellen"
BIDEN_XI_CALL = ID + "event/2024-04-02-phone-call-joe-biden-xi-jinping"
PELOSI_VISIT = ID + "event/2022-08-visit-nancy-pelosi"


def table(
    store_dir: Path | str, fmt: str, ontology_dir: Path | None = None
) -> list[dict[str, str]]:
    """The rows of one export table of a store."""
    out = io.BytesIO()
    store = open_store(store_dir, read_only=True)
    try:
        export(store, fmt, out, (ontology_dir or ROOT / "ontology") / "context.jsonld")
    finally:
        store.close()
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))


def rows_of(rows: list[dict[str, str]], fact: str) -> list[dict[str, str]]:
    return [r for r in rows if r["id"] == fact]


@pytest.fixture(scope="module")
def polecat(built_store_dir: Path) -> list[dict[str, str]]:
    return table(built_store_dir, "polecat")


@pytest.fixture(scope="module")
def cameo(built_store_dir: Path) -> list[dict[str, str]]:
    return table(built_store_dir, "cameo")


def test_columns(polecat: list[dict[str, str]], cameo: list[dict[str, str]]) -> None:
    assert list(polecat[0]) == POLECAT_COLUMNS
    assert list(cameo[0]) == CAMEO_COLUMNS


def test_events_pledges_and_demands_are_rows(
    polecat: list[dict[str, str]], cameo: list[dict[str, str]]
) -> None:
    kinds = {r["kind"]: r["event"] for r in polecat}
    assert kinds == {"event": "CONSULT", "pledge": "AGREE", "demand": "DEMAND"}
    assert {r["kind"] for r in cameo} == {"event", "pledge", "demand"}
    assert len({r["id"] for r in polecat}) == len(polecat), "one POLECAT row per fact"


def test_a_visit_in_polecat_has_the_host_as_recipient(polecat: list[dict[str, str]]) -> None:
    (row,) = rows_of(polecat, YELLEN_VISIT)
    assert (row["source"], row["recipient"]) == ("Janet Yellen", "People's Republic of China")
    assert (row["mode"], row["context"]) == ("visit", "future")  # a planned visit
    assert (row["date"], row["enddate"], row["date_precision"]) == (
        "2024-04-01",
        "2024-04-07",
        "week",
    )


def test_a_call_in_polecat_has_every_participant_as_source(polecat: list[dict[str, str]]) -> None:
    (row,) = rows_of(polecat, BIDEN_XI_CALL)
    assert (row["source"], row["recipient"], row["mode"]) == ("Joe Biden; Xi Jinping", "", "phone")


def test_cameo_codes_a_visit_both_ways(cameo: list[dict[str, str]]) -> None:
    pairs = {(r["source"], r["target"], r["cameo_code"]) for r in rows_of(cameo, YELLEN_VISIT)}
    assert pairs == {
        ("Janet Yellen", "People's Republic of China", "042"),
        ("People's Republic of China", "Janet Yellen", "043"),
    }


def test_cameo_codes_a_call_as_reciprocal_pairs(cameo: list[dict[str, str]]) -> None:
    rows = rows_of(cameo, BIDEN_XI_CALL)
    assert {(r["source"], r["target"]) for r in rows} == {
        ("Joe Biden", "Xi Jinping"),
        ("Xi Jinping", "Joe Biden"),
    }
    assert {(r["cameo_code"], r["cameo_label"]) for r in rows} == {("041", "Discuss by telephone")}
    assert {r["source_wikidata"] for r in rows} == {"Q6279", "Q15031"}


def test_an_event_of_one_actor_has_no_target(cameo: list[dict[str, str]]) -> None:
    (row,) = rows_of(cameo, PELOSI_VISIT)
    assert (row["source"], row["target"], row["target_iri"], row["cameo_code"]) == (
        "Nancy Pelosi",
        "",
        "",
        "042",
    )


def test_every_row_leads_back_to_its_sentence(
    polecat: list[dict[str, str]], cameo: list[dict[str, str]]
) -> None:
    for row in polecat + cameo:
        assert row["id"].startswith(ID)
        assert row["url"] == ""  # the bundled metadata gives no article URLs
        document = row["document"].removeprefix(ID + "document/")
        assert document in row["sources"].split("; ")
        text = (ROOT / "corpus" / f"{document}.txt").read_text(encoding="utf-8")
        assert row["text"] and row["text"] in text, row["id"]


@pytest.mark.slow
def test_codes_follow_the_alignments_in_the_graph(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    scheme = ontology / "schemes" / "event-type.ttl"
    text = scheme.read_text(encoding="utf-8")
    call = text[text.index("this:phone_call\n") :]
    call = call[: call.index("\n\n")]
    changed = call.replace("skos:exactMatch cameo:041", "skos:exactMatch cameo:046").replace(
        "    skos:closeMatch plover-mode:phone ;\n", ""
    )
    assert changed != call
    scheme.write_text(text.replace(call, changed), encoding="utf-8")
    settings = Settings(store=str(tmp_path / "store"), ontology_dir=ontology)
    build(settings)

    cameo = rows_of(table(settings.store, "cameo", ontology), BIDEN_XI_CALL)
    assert {r["cameo_code"] for r in cameo} == {"046"}
    (polecat,) = rows_of(table(settings.store, "polecat", ontology), BIDEN_XI_CALL)
    assert polecat["mode"] == ""


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["polecat", "cameo"])
def test_a_remote_store_gives_the_same_table(
    oxigraph_url: str, built_store_dir: Path, fmt: str
) -> None:
    assert table(oxigraph_url, fmt) == table(built_store_dir, fmt)
