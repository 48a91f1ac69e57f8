"""``dipkg release`` and ``/releases/``: a release directory whose checksums verify, whose DCAT
description parses, describes every file and meets the DCAT-AP shapes (but for the checksum
algorithm, see kg/flows/release.py), served by the application; the CLI's errors."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyshacl
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, SH, XSD

from kg.cli import cli
from kg.config import Settings
from kg.errors import InputError
from kg.flows.ingest import Ingester
from kg.flows.release import (
    PREVIOUS_VERSION,
    SPDX,
    Release,
    list_releases,
    read_release,
    release,
)
from kg.store import writing
from kg.vocab import DIP
from server import create_app
from tests.support import CURATED

HERE = Path(__file__).parent
FILES = {
    "dipkg.nq",
    "dipkg.trig",
    "dipkg.jsonld",
    "dipkg.csv",
    "dipkg.polecat.csv",
    "dipkg.cameo.csv",
    "CHANGES.ttl",
    "dcat.ttl",
}
FIRST = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SECOND = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
URL = "https://dipkg.example.org"


@pytest.fixture(scope="module")
def releases(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two releases of the bundled store, 1.0.0 then 1.0.1."""
    directory = tmp_path_factory.mktemp("releases")
    settings = Settings(store=str(built_store_dir), public_url=URL)
    release(settings, directory, "1.0.0", FIRST)
    release(settings, directory, "1.0.1", SECOND)
    return directory


def description(releases: Path, version: str) -> Graph:
    return Graph().parse(releases / version / "dcat.ttl", format="turtle")


def test_checksums_verify(releases: Path) -> None:
    lines = (releases / "1.0.0" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ")
        listed[name] = digest
    assert set(listed) == FILES
    for name, digest in listed.items():
        assert hashlib.sha256((releases / "1.0.0" / name).read_bytes()).hexdigest() == digest


def test_dcat_describes_every_dump(releases: Path) -> None:
    graph = description(releases, "1.0.0")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(dataset, DCTERMS.issued) == Literal(FIRST.isoformat(), datatype=XSD.dateTime)
    assert graph.value(dataset, DCTERMS.license) is not None
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(FILES) - 1  # every file but the description itself
    for distribution in distributions:
        url = str(graph.value(distribution, DCAT.downloadURL))
        name = url.removeprefix(f"{URL}/releases/1.0.0/")
        data = (releases / "1.0.0" / name).read_bytes()
        size = graph.value(distribution, DCAT.byteSize)
        assert isinstance(size, Literal) and size.toPython() == len(data)
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert str(graph.value(distribution, DCAT.mediaType)).startswith(
            "http://www.iana.org/assignments/media-types/"
        )


def test_temporal_coverage_spans_the_dated_events(releases: Path) -> None:
    table = (releases / "1.0.0" / "dipkg.polecat.csv").read_text(encoding="utf-8")
    dated = [r for r in csv.DictReader(io.StringIO(table)) if r["kind"] == "event"]
    dated = [r for r in dated if r["date_precision"]]
    graph = description(releases, "1.0.0")
    period = graph.value(next(graph.subjects(RDF.type, DCAT.Dataset)), DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == min(r["date"] for r in dated)
    assert str(graph.value(period, DCAT.endDate)) == max(r["enddate"] for r in dated)


def test_dcat_meets_the_dcat_ap_shapes_but_for_the_checksum_algorithm(releases: Path) -> None:
    shapes = Graph().parse(HERE / "dcat-ap_shacl_shapes.excerpt.ttl", format="turtle")
    graph = description(releases, "1.0.0")
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    paths = {report.value(r, SH.resultPath) for r in results}
    components = {report.value(r, SH.sourceConstraintComponent) for r in results}
    # DCAT-AP 2.1.1 admits SHA-1 alone; a release gives SHA-256 (one result per checksum).
    assert paths == {SPDX.algorithm}
    assert components == {SH.HasValueConstraintComponent}
    assert len(results) == len(FILES) - 1


def test_a_broken_description_fails_the_shapes(releases: Path) -> None:
    shapes = Graph().parse(HERE / "dcat-ap_shacl_shapes.excerpt.ttl", format="turtle")
    graph = description(releases, "1.0.0")
    for distribution in list(graph.subjects(RDF.type, DCAT.Distribution))[:1]:
        graph.remove((distribution, DCAT.accessURL, None))
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes)
    paths = {report.value(r, SH.resultPath) for r in report.subjects(RDF.type, SH.ValidationResult)}
    assert DCAT.accessURL in paths


def test_the_newest_release_is_listed_first_and_links_the_previous(releases: Path) -> None:
    found: list[Release] = list_releases(releases)
    assert [r.version for r in found] == ["1.0.1", "1.0.0"]
    graph = description(releases, "1.0.1")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    assert graph.value(dataset, PREVIOUS_VERSION) == URIRef(
        f"{URL}/releases/1.0.0/dcat.ttl#dataset"
    )


@pytest.fixture(scope="module")
def release_client(built_store_dir: Path, releases: Path) -> Iterator[FlaskClient]:
    application = create_app(
        Settings(store=str(built_store_dir), releases_dir=releases, public_url=URL)
    )
    yield application.test_client()
    application.extensions["dipkg"].executor.close()


def test_the_index_lists_releases_newest_first(release_client: FlaskClient) -> None:
    page = release_client.get("/releases/").get_data(as_text=True)
    assert page.index("1.0.1 (latest)") < page.index("1.0.0")
    assert "/releases/1.0.0/dipkg.cameo.csv" in page


@pytest.mark.parametrize("version", ["latest", "1.0.1"])
def test_files_are_served(release_client: FlaskClient, releases: Path, version: str) -> None:
    response = release_client.get(f"/releases/{version}/dipkg.nq")
    data = response.data
    response.close()  # the served file's handle
    assert response.status_code == 200
    assert response.mimetype == "application/n-quads"
    assert data == (releases / "1.0.1" / "dipkg.nq").read_bytes()
    sums = release_client.get(f"/releases/{version}/SHA256SUMS")
    data = sums.data
    sums.close()
    assert data == (releases / "1.0.1" / "SHA256SUMS").read_bytes()


@pytest.mark.parametrize(
    "path",
    ["/releases/9.9/dipkg.nq", "/releases/1.0.0/nothing.csv", "/releases/1.0.0/..%2Fx"],
    ids=["unknown-version", "unlisted-file", "traversal"],
)
def test_anything_else_is_a_404_problem(release_client: FlaskClient, path: str) -> None:
    response = release_client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_void_links_the_latest_release(release_client: FlaskClient) -> None:
    void = Graph().parse(data=release_client.get("/.well-known/void").data, format="turtle")
    dumps = {str(o) for o in void.objects(None, URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert f"{URL}/releases/1.0.1/dipkg.nq" in dumps
    assert f"{URL}/dump.nq" in dumps
    assert f"{URL}/dump.csv" not in dumps  # void:dataDump is RDF


def test_cli_refuses_an_existing_version(
    runner: CliRunner, built_store_dir: Path, releases: Path
) -> None:
    args = ["release", "--store", str(built_store_dir), "--out", str(releases)]
    result = runner.invoke(cli, [*args, "--version", "1.0.0"])
    assert result.exit_code == 2
    assert "exists already" in result.output
    result = runner.invoke(cli, [*args, "--version", "../up"])
    assert result.exit_code == 2
    assert "not usable as a directory name" in result.output
    assert [r.version for r in list_releases(releases)] == ["1.0.1", "1.0.0"]


def test_cli_refuses_an_unwritable_out(
    runner: CliRunner, built_store_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    args = ["release", "--store", str(built_store_dir), "--out", str(blocker / "releases")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert "cannot write a release there" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_export_refuses_an_unknown_format_and_an_unwritable_out(
    runner: CliRunner, built_store_dir: Path, tmp_path: Path
) -> None:
    store = ["--store", str(built_store_dir)]
    result = runner.invoke(cli, ["export", "--format", "gdelt", *store])
    assert result.exit_code == 2
    assert "polecat" in result.output and "cameo" in result.output  # the choices are named
    out = tmp_path / "missing" / "table.csv"
    result = runner.invoke(cli, ["export", "--format", "cameo", "--out", str(out), *store])
    assert result.exit_code == 2
    assert "cannot write the export there" in result.output


def test_export_writes_a_table(runner: CliRunner, built_store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "polecat.csv"
    args = ["export", "--format", "polecat", "--out", str(out), "--store", str(built_store_dir)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("id,kind,date,enddate,")


def test_a_listed_name_outside_the_release_is_refused(releases: Path, tmp_path: Path) -> None:
    copy = tmp_path / "1.0.0"
    shutil.copytree(releases / "1.0.0", copy)
    sums = copy / "SHA256SUMS"
    sums.write_text(sums.read_text(encoding="utf-8") + "0" * 64 + "  ../1.0.1/dipkg.nq\n")
    with pytest.raises(InputError, match=f"SHA256SUMS, line {len(FILES) + 1}"):
        read_release(copy)


def test_a_new_release_is_not_answered_from_a_cached_index(
    built_store_dir: Path, releases: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "releases"
    shutil.copytree(releases, directory)
    settings = Settings(store=str(built_store_dir), releases_dir=directory, public_url=URL)
    application = create_app(settings)
    try:
        client = application.test_client()
        first = client.get("/releases/")
        etag = first.headers["ETag"]
        assert client.get("/releases/", headers={"If-None-Match": etag}).status_code == 304
        release(settings, directory, "1.0.2", datetime(2026, 3, 4, tzinfo=UTC))
        again = client.get("/releases/", headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert "1.0.2 (latest)" in again.get_data(as_text=True)
    finally:
        application.extensions["dipkg"].executor.close()


@pytest.mark.slow
def test_each_release_carries_the_changes_since_the_one_before(
    built_store_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(built_store_dir, store)
    settings = Settings(store=str(store), public_url=URL)
    release(settings, tmp_path / "releases", "1")
    with writing(store) as target:
        outcome = Ingester(settings).ingest_file(target, CURATED / "hotline_fulfilled.txt")
    assert outcome.status == "added", outcome.reasons
    release(settings, tmp_path / "releases", "2")

    def kinds(version: str) -> list[str]:
        graph = Graph().parse(tmp_path / "releases" / version / "CHANGES.ttl", format="turtle")
        changes = graph.subjects(RDF.type, DIP.Change)
        return sorted(str(graph.value(c, DIP.changeKind)).rsplit("/", 1)[-1] for c in changes)

    assert kinds("1") == ["build"], "a first release: every change so far"
    assert kinds("2") == ["ingest"], "then only what happened since"
