"""The lists to browse (``/events``, ``/demands``, ``/statements``, ``/pledges`` and the home
page's facet counts) timed in process through Flask's test client, over the bundled corpus or a
synthetic graph (``bench/synth.py``, loaded by ``dipkg load --bulk``).

    python bench/browse_bench.py                       # the bundled corpus
    python bench/browse_bench.py --triples 1000000     # a synthetic store (made once, kept)

Each page is asked for once to warm it, then ``--runs`` times; p50 and p95 of the whole
answer (every query the page runs, through the killable executor, and its rendering). The
baseline is what a facet count done in Python needs before it can count anything: every row of
the list's saved query (``/api/queries/NAME`` with one page of ``max_rows``), timed the same
way. Prints Markdown.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import write_graph  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.flows.build import build  # noqa: E402
from server import create_app  # noqa: E402
from tests.support import DIPKG  # noqa: E402

PAGES = [
    "/",
    "/events",
    "/events?type=meeting",
    "/events?_sort=label",
    "/events?_page=3&_size=20",
    "/events?type=meeting&_format=csv",
    "/demands",
    "/demands?topic=taiwan",
    "/statements",
    "/statements?_sort_desc=speaker",
    "/pledges",
    "/pledges?status=made",
    "/pledges?_sort=quiet",
]
ACTOR_PAGE = "/events?actor={actor}"
"""One participant's events: the actor with the most events (found from the facet counts)."""
BASELINES = ["events", "demands", "statements", "pledges"]


def store_for(triples: int, work: Path) -> Path:
    """The store to time: the bundled corpus built, or a synthetic graph bulk-loaded."""
    store = work / (f"store-{triples}" if triples else "store-bundled")
    if store.exists():
        return store
    if not triples:
        build(Settings(store=str(store)))
        return store
    source = work / f"graph-{triples}.nq"
    if not source.exists():
        write_graph(triples, source)
    command = [*DIPKG, "load", "--bulk", str(source), "--store", str(store)]
    try:
        subprocess.run(command, check=True, capture_output=True)
    except subprocess.CalledProcessError:
        shutil.rmtree(store, ignore_errors=True)
        raise
    return store


def timed(client: object, url: str, runs: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds and the answer's status."""
    get = client.get  # type: ignore[attr-defined]
    status = get(url, headers={"Accept": "text/html"}).status_code
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        get(url, headers={"Accept": "text/html"})
        seconds.append(time.perf_counter() - start)
    seconds.sort()
    p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
    return statistics.median(seconds) * 1000, p95 * 1000, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=0, help="0: the bundled corpus")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--page", action="append", help="time only this page (repeatable; {actor} as above)"
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the saved queries")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    store = store_for(args.triples, args.work)
    settings = Settings(store=str(store))
    client = create_app(settings).test_client()
    print(f"store: {store} ({args.triples or 'bundled corpus'}), {args.runs} runs each\n")
    facets = client.get("/events?_format=json&_size=1").get_json()["facets"]["actor"]
    actor = quote(facets[0]["value"]) if facets else "nobody"
    pages = args.page or [*PAGES[:2], ACTOR_PAGE, *PAGES[2:]]
    print("| page | p50 ms | p95 ms | status |\n|---|---|---|---|")
    for url in (page.format(actor=actor) for page in pages):
        p50, p95, status = timed(client, url, args.runs)
        print(f"| `{url}` | {p50:.1f} | {p95:.1f} | {status} |")
    if args.no_baseline:
        return 0
    print("\nbaseline: every row of the saved query (what a count in Python reads first)\n")
    print("| saved query | p50 ms | p95 ms | status |\n|---|---|---|---|")
    for name in BASELINES:
        url = f"/api/queries/{name}?_format=json&pageSize={settings.max_rows}"
        p50, p95, status = timed(client, url, args.runs)
        print(f"| `{url}` | {p50:.1f} | {p95:.1f} | {status} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
