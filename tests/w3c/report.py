"""The W3C SPARQL suite's report: ``python -m tests.w3c.report`` runs the vendored suite through
dipkg and on bare pyoxigraph and writes docs/w3c-sparql.md (counts per folder, every failure
with its reason, what is skipped and why)."""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.w3c.manifest import NOT_RUN, SUITE, load_entries
from tests.w3c.runner import Outcome, run_suite

DOC = Path(__file__).parents[2] / "docs" / "w3c-sparql.md"
_EXPLAINED = {
    "dipkg-only": "dipkg fails, bare pyoxigraph passes (the target says: none)",
    "both": "both fail (pyoxigraph's deviation from the spec; dipkg inherits it)",
    "pyoxigraph-only": "bare pyoxigraph fails, dipkg passes",
}


def summary_table(outcomes: list[Outcome]) -> str:
    """Counts per folder, dipkg's beside bare pyoxigraph's, as a Markdown table."""
    lines = [
        "| folder | tests | dipkg pass | fail | skip | refused by policy | pyoxigraph pass | fail | skip |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    folders: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        folders.setdefault(outcome.entry.folder, []).append(outcome)
    for folder, group in [*folders.items(), ("**total**", outcomes)]:
        dipkg = Counter(o.dipkg.status for o in group)
        bare = Counter(o.bare.status for o in group)
        lines.append(
            f"| {folder} | {len(group)} | {dipkg['pass']} | {dipkg['fail']} | {dipkg['skip']} "
            f"| {dipkg['policy']} | {bare['pass']} | {bare['fail']} | {bare['skip']} |"
        )
    return "\n".join(lines) + "\n"


def _failures(outcomes: list[Outcome]) -> str:
    groups: dict[str, list[Outcome]] = {key: [] for key in _EXPLAINED}
    for o in outcomes:
        if o.dipkg.status == "fail" and o.bare.status == "pass":
            groups["dipkg-only"].append(o)
        elif o.dipkg.status == "fail":
            groups["both"].append(o)
        elif o.bare.status == "fail":
            groups["pyoxigraph-only"].append(o)
    out = []
    for key, title in _EXPLAINED.items():
        out.append(f"\n### {title}: {len(groups[key])}\n")
        if groups[key]:
            out.append("\n| test | dipkg | bare pyoxigraph |\n|---|---|---|\n")
            for o in groups[key]:
                out.append(f"| {o.entry.id} | {_cell(o.dipkg.reason)} | {_cell(o.bare.reason)} |\n")
    return "".join(out)


def _cell(reason: str) -> str:
    text = reason.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 300 else text[:297] + "..."


def _gate(outcomes: list[Outcome]) -> str:
    negative = [
        o for o in outcomes if o.entry.kind == "negative-syntax" and o.gate_refused is not None
    ]
    refused = [o for o in negative if o.gate_refused]
    positive_refused = [
        o
        for o in outcomes
        if o.entry.kind == "positive-syntax" and o.gate_refused and not o.entry.policy
    ]
    return (
        f"Of {len(negative)} negative syntax tests the gate alone refuses {len(refused)}; "
        f"the others reach the engine, whose parser refuses them (HTTP 400, counted as passes "
        f"above). The gate is a lexical check (SERVICE, updates, nesting, size), not a parser, "
        f"so it is looser than the grammar by design. Positive syntax tests the gate refuses: "
        f"{len(positive_refused)}"
        + (
            ""
            if not positive_refused
            else " (" + ", ".join(o.entry.id for o in positive_refused) + ")"
        )
        + ".\n"
    )


def _skips(outcomes: list[Outcome]) -> str:
    reasons = Counter(o.dipkg.reason for o in outcomes if o.dipkg.status == "skip")
    reasons.update(
        f"bare pyoxigraph only: {o.bare.reason}"
        for o in outcomes
        if o.bare.status == "skip" and o.dipkg.status != "skip"
    )
    lines = [f"- {count} × {reason}\n" for reason, count in sorted(reasons.items())]
    lines += [f"- not vendored, {folders}: {why}\n" for folders, why in NOT_RUN.items()]
    return "".join(lines)


def render_report(outcomes: list[Outcome], seconds: float) -> str:
    """The Markdown of docs/w3c-sparql.md."""
    return (
        "# The W3C SPARQL test suites through dipkg\n\n"
        "The query-evaluation and syntax tests of the W3C SPARQL 1.0 and 1.1 suites "
        "(tests/w3c/suite/, vendored from w3c/rdf-tests; see its README.md), run twice: through "
        "dipkg (a POST to `/sparql` of an app in process: the gate, the executor's query process "
        "and dipkg's result serialisers, each answer asked for in the expected result's format) "
        "and on bare pyoxigraph (the same files in a `pyoxigraph.Store`, the query run directly). "
        "Answers are compared as the suite's rules say: solution multisets (sequences under "
        "ORDER BY, sets under mf:LaxCardinality), blank nodes up to renaming, graphs by "
        "isomorphism, terms exactly (a literal's lexical form counts). Positive syntax tests "
        "must be answered (HTTP 200), negative ones refused (HTTP 400).\n\n"
        "The target, asserted by `tests/w3c/test_suite.py`: every test bare pyoxigraph passes "
        "passes through dipkg as well.\n\n"
        f"Regenerate: `python -m tests.w3c.report` ({seconds:.0f} s on this machine for "
        f"{len(outcomes)} tests).\n\n"
        "## Counts per folder\n\n"
        + summary_table(outcomes)
        + "\n## The gate and the syntax tests\n\n"
        + _gate(outcomes)
        + "\n## Failures\n"
        + _failures(outcomes)
        + "\n## Not run\n\n"
        + _skips(outcomes)
    )


def main() -> None:
    """Run the suite and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        outcomes = run_suite(load_entries(SUITE), Path(workdir))
    args.out.write_text(render_report(outcomes, time.monotonic() - started), encoding="utf-8")
    print(f"{args.out}: {len(outcomes)} tests")


if __name__ == "__main__":
    main()
