"""The W3C SPARQL query tests through dipkg: every test bare pyoxigraph passes passes through
dipkg as well, and every SERVICE query is refused (docs/w3c-sparql.md has the counts, and must
be regenerated when they change: ``python -m tests.w3c.report``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.w3c.manifest import Entry, load_entries
from tests.w3c.report import DOC, summary_table
from tests.w3c.runner import Outcome, run_suite

pytestmark = pytest.mark.slow  # the whole suite: about a minute

ENTRIES = load_entries()
RUN = [entry for entry in ENTRIES if not entry.skip]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """The whole suite, run once for the module."""
    return {o.entry.id: o for o in run_suite(ENTRIES, tmp_path_factory.mktemp("w3c"))}


@pytest.mark.parametrize("entry", RUN, ids=[entry.id for entry in RUN])
def test_dipkg_passes_what_pyoxigraph_passes(entry: Entry, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[entry.id]
    if entry.policy:
        assert outcome.dipkg.status == "policy", outcome.dipkg.reason
    elif outcome.bare.status != "pass":
        pytest.skip(f"bare pyoxigraph fails it too: {outcome.bare.reason}")
    else:
        assert outcome.dipkg.status == "pass", outcome.dipkg.reason


def test_the_report_has_these_counts(outcomes: dict[str, Outcome]) -> None:
    table = summary_table([outcomes[entry.id] for entry in ENTRIES])
    assert table in Path(DOC).read_text(encoding="utf-8"), "regenerate: python -m tests.w3c.report"
