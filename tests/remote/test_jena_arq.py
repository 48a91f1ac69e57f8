"""Every saved query gives the same rows, in the same order, on Apache Jena as on the embedded
store: ARQ over a TDB2 dataset with the union default graph, the engine and store of the Fuseki
recipe in docs/remote-stores.md. Jena 4.5 comes from Debian (libapache-jena-java, which
`make test` installs); Fuseki itself is not packaged there, so the queries run through Jena's
own `tdb2.tdbquery`, not over HTTP."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from kg.config import Settings
from kg.query.saved import SavedQuery, TermResolver, load_queries, run_saved_query
from kg.store import open_store
from kg.store.base import QueryResult
from kg.store.remote import json_term

JARS = Path("/usr/share/java")
# Jena's jars and the libraries they need, as Debian installs them (its jars name no class path)
CLASSPATH = [
    *sorted(str(path) for path in JARS.glob("jena-*.jar") if not re.search(r"-[\d.]+$", path.stem)),
    *(
        str(JARS / f"{name}.jar")
        for name in (
            "commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3 "
            "commons-logging dexx.collection gson guava httpclient httpcore jackson-annotations "
            "jackson-core jackson-databind jsonld-java protobuf slf4j-api slf4j-nop thrift "
            "titanium-json-ld"
        ).split()
    ),
]
QUERIES = sorted(load_queries(Settings().queries_dir).values(), key=lambda q: q.name)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None or not (JARS / "jena-cmds.jar").exists(),
        reason="Jena is not installed (apt-get install libapache-jena-java)",
    ),
]


def _messages(work: Path) -> Path:
    """Debian's jena-core holds its XML Schema code as package ``xerces`` but that code's
    message files under ``org/apache/jena/ext/xerces``, and Jena then fails to start ("internal
    error" in XSSimpleTypeDecl): a directory with the messages where the code looks for them."""
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = work / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return work


def _jena(messages: Path, *args: str) -> str:
    classpath = ":".join([str(messages), *CLASSPATH])
    result = subprocess.run(
        ["java", "-cp", classpath, *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class JenaTDB2:
    """A TDB2 dataset queried with Jena's command line (one JVM per query)."""

    def __init__(self, location: Path, messages: Path) -> None:
        self.location = location
        self.messages = messages

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        max_rows: int | None = None,
    ) -> QueryResult:
        path = self.location.with_suffix(".rq")
        path.write_text(sparql, encoding="utf-8")
        out = _jena(
            self.messages,
            "tdb2.tdbquery",
            f"--loc={self.location}",
            "--set=tdb:unionDefaultGraph=true",
            "--results=json",
            f"--query={path}",
        )
        result = json.loads(out)
        variables = result["head"]["vars"]
        rows = [
            tuple(json_term(b.get(v)) for v in variables) for b in result["results"]["bindings"]
        ]
        return QueryResult("select", variables, rows)


@pytest.fixture(scope="module")
def jena(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> JenaTDB2:
    work = tmp_path_factory.mktemp("jena")
    dump = work / "dump.nq"
    store = open_store(built_store_dir, read_only=True)
    with dump.open("wb") as out:
        store.dump(out, "nq")
    store.close()
    messages = _messages(work / "messages")
    _jena(messages, "tdb2.tdbloader", f"--loc={work / 'tdb2'}", str(dump))
    return JenaTDB2(work / "tdb2", messages)


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_a_saved_query_answers_alike_on_jena(
    query: SavedQuery, jena: JenaTDB2, built_store_dir: Path
) -> None:
    settings = Settings()
    store = open_store(built_store_dir, read_only=True)
    try:
        resolver = TermResolver(store, settings.base_iri)
        expected = run_saved_query(store, query, query.example, resolver, settings.max_rows)
        answered = run_saved_query(jena, query, query.example, resolver, settings.max_rows)
    finally:
        store.close()
    assert expected.rows, f"{query.name}: its example finds nothing to compare"
    assert answered.variables == expected.variables
    assert answered.rows == expected.rows
