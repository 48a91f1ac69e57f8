"""One event reported by many documents: does the cost grow with the evidence or its powers?

    python bench/many_reports.py --reports 1000

Builds the bundled corpus into a fresh store, then ingests one article (the Woodside
follow-up, which re-reports the November 2023 meeting and its pledge) again and again under new
document ids, as a second, third, ... outlet's copy. Prints the ingest time of the 1st, 10th,
100th and 1,000th report (a median over the five reports around each), the time of the saved
queries that read the merged nodes at those points, and the ratio of the last report's ingest
time to the 10th's (target: at most 2).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.config import Settings  # noqa: E402
from kg.flows.build import build  # noqa: E402
from kg.flows.ingest import Ingester  # noqa: E402
from kg.query.saved import TermResolver, load_queries, run_saved_query  # noqa: E402
from kg.store import open_store, writing  # noqa: E402

ARTICLE = ROOT / "tests" / "ingest" / "articles" / "woodside_followup.txt"
QUERIES = [
    ("events", {"actor": "Xi"}),
    ("pledges", {"maker": "China"}),
    ("pledge-history", {"topic": "narcotics"}),
    ("provenance", {"resource": "event/2023-11-15-meeting-joe-biden-xi-jinping"}),
]


def time_queries(settings: Settings) -> dict[str, float]:
    """Seconds per saved query (best of three) on the store as it is now."""
    store = open_store(settings.store, read_only=True)
    queries = load_queries(settings.queries_dir)
    resolver = TermResolver(store, settings.base_iri)
    times = {}
    try:
        for name, params in QUERIES:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                run_saved_query(store, queries[name], params, resolver, settings.max_rows)
                runs.append(time.perf_counter() - start)
            times[name] = min(runs)
    finally:
        store.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000)
    args = parser.parse_args(argv)
    marks = [m for m in (1, 10, 100, 1000, 10000) if m <= args.reports]
    with tempfile.TemporaryDirectory(prefix="dipkg-many-") as work:
        settings = Settings(store=str(Path(work) / "store"))
        build(settings)
        ingester = Ingester(settings)
        text = ARTICLE.read_text(encoding="utf-8")
        meta = ARTICLE.with_suffix(".meta.yaml").read_text(encoding="utf-8")
        seconds: list[float] = []
        outcomes = set()
        print("report  ingest_s  " + "  ".join(f"{n}_ms" for n, _ in QUERIES))
        for n in range(1, args.reports + 1):
            path = Path(work) / f"copy-{n:05d}.txt"
            path.write_text(text, encoding="utf-8")
            path.with_suffix(".meta.yaml").write_text(meta, encoding="utf-8")
            start = time.perf_counter()
            with writing(settings.store) as store:
                outcome = ingester.ingest_file(store, path)
            seconds.append(time.perf_counter() - start)
            outcomes.add(outcome.status)
            if outcome.status == "rejected":
                print(f"report {n} rejected: {outcome.reasons}", file=sys.stderr)
            if n in marks:
                window = seconds[max(0, n - 5) : n]
                queries = time_queries(settings)
                cells = "  ".join(f"{queries[q] * 1000:.1f}" for q, _ in QUERIES)
                print(f"{n:6d}  {statistics.median(window):8.3f}  {cells}", flush=True)
        shutil.rmtree(Path(work) / "store", ignore_errors=True)
    if len(marks) >= 2 and 10 in marks:
        tenth = statistics.median(seconds[5:10])
        last = statistics.median(seconds[-5:])
        ratio = last / tenth
        print(f"last report / 10th: {ratio:.2f}x (target <= 2); outcomes: {sorted(outcomes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
