"""grlc (CLARIAH, 1.3.11) serving queries/ as it is, in local-folder mode, over dipkg's /sparql:
its API describes every saved query (summary, optional parameters, concepts to choose from) and
gives, for each query with no parameters and with its example, the rows /api/queries/NAME gives.

grlc pastes a value where the parameter's variable stands; dipkg binds the checked RDF term in
the same place, so for an IRI both send the same query. grlc takes IRIs only (it resolves no
names): its calls carry the IRI that dipkg resolves the example's name to."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator

import pytest
import requests
from rdflib.query import Result

from kg.config import Settings
from kg.query.results import sort_multivalued
from kg.query.saved import SavedQuery, TermResolver, load_queries
from kg.store import open_store
from kg.store.base import QueryResult
from tests.support import GRLC, ROOT, LiveServer, grlc_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
QUERIES = load_queries(ROOT / "queries")


@pytest.fixture(scope="module")
def grlc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = GRLC / "bin" / "python"
    if not python.exists() or subprocess.run([python, "-c", "import grlc"]).returncode:
        pytest.skip(f"grlc 1.3.11 is not installed in {GRLC} (make grlc)")
    with grlc_server(ROOT / "queries", tmp_path_factory.mktemp("grlc")) as url:
        yield url


def test_grlc_describes_every_query_with_optional_parameters(grlc: str) -> None:
    spec = requests.get(f"{grlc}/api-local/swagger", timeout=60).json()
    for name, query in QUERIES.items():
        operation = spec["paths"][f"/{name}"]["get"]
        assert operation["summary"] == query.title and operation["tags"] == list(query.tags)
        params = {p["name"]: p for p in operation["parameters"]}
        assert set(params) == {*query.params, "endpoint", *(("page",) if query.page_size else ())}
        assert not any(p.get("required") for p in params.values()), name
        for param in query.params.values():
            assert params[param.name].get("enum", []) == sorted(param.enumerate), param.name


def rows(body: bytes, query: SavedQuery | None = None) -> QueryResult:
    """A SPARQL JSON body as rows of RDF terms; with ``query``, its multi-valued cells sorted
    as the saved-query API sorts them (GROUP_CONCAT's order, which /sparql keeps, is the
    engine's)."""
    parsed = Result.parse(io.BytesIO(body), format="json")
    result = QueryResult("select", [str(v) for v in parsed.vars or ()], [tuple(r) for r in parsed])
    return sort_multivalued(result, query.multi) if query else result


@pytest.mark.parametrize("example", [False, True], ids=["no-parameters", "example"])
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_grlc_gives_the_rows_of_the_saved_query_api(
    grlc: str, live_server: LiveServer, settings: Settings, name: str, example: bool
) -> None:
    query = QUERIES[name]
    params = dict(query.example) if example else {}
    store = open_store(settings.store, read_only=True)
    try:
        resolver = TermResolver(store, settings.base_iri)
        terms = {k: str(resolver.term(query.params[k], v)) for k, v in params.items()}
    finally:
        store.close()
    dipkg = requests.get(f"{live_server.url}/api/queries/{name}", params=params, timeout=60)
    answer = requests.get(
        f"{grlc}/api-local/{name}",
        params={**terms, "endpoint": f"{live_server.url}/sparql"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert dipkg.status_code == 200 and answer.status_code == 200, answer.text
    ours, theirs = rows(dipkg.content), rows(answer.content, query)
    assert theirs.variables == ours.variables == list(query.columns)
    assert theirs.rows == ours.rows
    assert ours.rows, f"{name} returns no rows: nothing compared"
