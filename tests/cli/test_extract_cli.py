"""`dipkg extract` as an analyst uses it: extract, review (edit the YAML), ingest the reviewed
file beside the article, and find the edit in the graph; several files, exit codes, and the
written coding of every training article loading with the curated loader."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg import iris
from kg.cli import cli
from kg.config import Settings
from kg.flows.extract import CodingDrafter
from kg.flows.ingest import read_article
from kg.sources.coding import parse_coding, read_coding_file
from kg.store import open_store
from tests.support import ROOT, run_dipkg, select

TRAIN = ROOT / "eval" / "train"
ARTICLE = "dev04_singapore_summit"
TRAIN_ARTICLES = sorted(
    p for p in TRAIN.iterdir() if p.suffix in (".txt", ".md", ".html") and p.name != "README.md"
)


def _copy_article(name: str, into: Path) -> Path:
    for path in TRAIN.glob(f"{name}.*"):
        if not path.name.endswith(".coding.yaml"):  # the gold coding stays behind
            shutil.copy(path, into)
    return into / f"{name}.txt"


@pytest.fixture(scope="module")
def drafter() -> CodingDrafter:
    return CodingDrafter(Settings())


@pytest.mark.slow
def test_extract_review_ingest_round_trip(built_store_dir: Path, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    article = _copy_article(ARTICLE, articles)
    extracted = run_dipkg("extract", str(article), "--out", str(articles))
    assert extracted.returncode == 0, extracted.stderr
    coding_file = articles / f"{ARTICLE}.coding.yaml"
    assert f"wrote {coding_file}" in extracted.stderr
    text = coding_file.read_text(encoding="utf-8")
    assert text.startswith("# Automatic coding of") and "TO BE REVIEWED" in text

    # the loader takes the file as written: evidence substrings, actors, provisional entries
    drafter = CodingDrafter(Settings())
    document = read_article(article)
    written = read_coding_file(coding_file, document, drafter.registry, drafter.notations)
    assert "kim-jong-un" in {a.id for a in written.actors}

    # the analyst's review: a pledge's topic corrected, an event deleted
    data = yaml.safe_load(text)
    [pledge] = [p for p in data["pledges"] if p["content"].startswith("provide security")]
    pledge["topics"] = ["defence"]
    referenced = {p.get("made_at") for p in data["pledges"]} | {
        s.get("at") for s in data.get("statements", [])
    }
    deleted = next(e for e in reversed(data["events"]) if e["id"] not in referenced)
    data["events"].remove(deleted)
    coding_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    ingested = run_dipkg("ingest", str(article), "--store", str(store), "--format", "json")
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert '"source": "curated"' in ingested.stdout

    graph = iris.document_graph_iri(Settings().base_iri, ARTICLE).n3()
    source = open_store(str(store), read_only=True)
    try:
        topics = select(
            source,
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            f"SELECT ?notation WHERE {{ GRAPH {graph} {{ ?p a dip:Pledge ; dip:topic ?t }} "
            '?p dip:content "provide security guarantees to North Korea"@en . '
            "?t skos:notation ?notation }",
        )
        assert [str(t[0]) for t in topics] == ["defence"]
        events = select(source, f"SELECT ?e WHERE {{ GRAPH {graph} {{ ?e a dip:Event }} }}")
        assert len(events) == len(data["events"])
        [[coded]] = select(
            source,
            f'SELECT ?s WHERE {{ ?d dip:codingSource ?s ; dcterms:identifier "{ARTICLE}" }}',
        )
        assert str(coded) == "curated"
        provisional = select(
            source,
            f"SELECT ?a WHERE {{ GRAPH {graph} {{ ?a dip:isProvisional true }} }}",
        )
        assert {str(a[0]).rsplit("/", 1)[-1] for a in provisional} == {a.id for a in written.actors}
    finally:
        source.close()


@pytest.mark.slow
def test_two_files_write_two_codings_and_stdout_takes_one(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    paths = [
        _copy_article(n, articles) for n in ("dev04_singapore_summit", "dev08_xi_zelensky_call")
    ]
    out = tmp_path / "out"
    both = run_dipkg("extract", *map(str, paths), "--out", str(out))
    assert both.returncode == 0, both.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "dev04_singapore_summit.coding.yaml",
        "dev08_xi_zelensky_call.coding.yaml",
    ]
    again = run_dipkg("extract", str(paths[0]), "--out", str(out))
    assert again.returncode == 1 and "exists; not overwritten" in again.stderr
    assert "--force" in again.stderr and "Traceback" not in again.stderr
    no_out = run_dipkg("extract", *map(str, paths))
    assert no_out.returncode == 2 and "--out" in no_out.stderr


def test_missing_file_exits_2_naming_it(runner: CliRunner, tmp_path: Path) -> None:
    missing = runner.invoke(cli, ["extract", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    assert "nope.txt: no such file or directory" in missing.stderr
    assert missing.exception is None or isinstance(missing.exception, SystemExit)
    assert missing.stdout == ""


def test_a_document_that_cannot_be_read_is_its_draft_s_error_the_others_are_drafted(
    drafter: CodingDrafter, tmp_path: Path
) -> None:
    good = _copy_article(ARTICLE, tmp_path)
    bad = tmp_path / "bad name!.txt"
    bad.write_text("Xi met Biden.", encoding="utf-8")
    drafts = list(drafter.draft_many([bad, good]))
    assert drafts[0].error is not None and "bad name!.txt" in drafts[0].error
    assert drafts[1].error is None and drafts[1].text


def test_the_written_coding_reads_back_as_the_extraction(drafter: CodingDrafter) -> None:
    article = TRAIN / f"{ARTICLE}.txt"
    extraction = drafter.extractor.extract(read_article(article))
    draft = drafter.draft(article, extraction)
    assert draft.text is not None
    assert draft.text == drafter.draft(article, extraction).text  # deterministic
    read = parse_coding(
        draft.text, "draft", extraction.coding.document, drafter.registry, drafter.notations
    )
    assert dataclasses.replace(read.coding, source="automatic") == extraction.coding
    assert (read.actors, read.places) == (extraction.actors, extraction.places)
    assert all(0 < p.confidence < 1 for p in read.coding.pledges)


@pytest.mark.slow
@pytest.mark.parametrize("article", TRAIN_ARTICLES, ids=lambda p: p.name)
def test_every_training_article_s_coding_loads(drafter: CodingDrafter, article: Path) -> None:
    [draft] = drafter.draft_many([article])
    assert draft.error is None, draft.error
    assert draft.text is not None
    document = read_article(article)
    read = parse_coding(draft.text, article.name, document, drafter.registry, drafter.notations)
    for fact in (*read.coding.events, *read.coding.pledges, *read.coding.statements):
        assert all(document.text[s.start : s.end] == s.text for s in fact.evidence)
