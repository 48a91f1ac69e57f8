"""The saved-query API over real HTTP: byte-identical CSV with `dipkg query` for every
competency question, and pages that link to each other in the ``Link`` header (the rest of the
API is tested in process, in ``tests/server/test_saved_query_api.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kg.cli import cli
from tests.support import LiveServer

pytestmark = pytest.mark.e2e

COMPETENCY = [
    ("events", {"actor": "Biden", "counterpart": "Xi", "type": "meeting"}),
    ("events", {"actor": "Biden", "counterpart": "Xi", "type": "phone_call"}),
    ("events", {"actor": "Xi", "counterpart": "Trump"}),
    ("timeline", {"actor": "Xi"}),
    ("events", {"actor": "Sullivan"}),
    ("events", {"actor": "Blinken"}),
    ("events", {"status": "planned"}),
    ("events", {"actor": "Xi", "type": "phone_call"}),
    ("events", {"actor": "Pelosi"}),
    ("pledges", {"maker": "China"}),
    ("pledges", {"topic": "military_communication"}),
    ("pledges", {"topic": "climate"}),
    ("pledges", {"maker": "Biden"}),
    ("pledge-history", {"topic": "narcotics"}),
    ("pledge-history", {"topic": "military_communication"}),
    ("demands", {"by": "Xi"}),
    ("demands", {"by": "Biden"}),
    ("statements", {"speaker": "Xi"}),
    ("statements", {"contains": "productive"}),
    ("statements", {"contains": "verify"}),
    ("actor", {"name": "Yellen"}),
    ("actor", {"name": "Xi"}),
    ("actor", {"name": "Biden"}),
    ("provenance", {"resource": "event/2023-11-15-meeting-joe-biden-xi-jinping"}),
]


@pytest.mark.parametrize(
    ("name", "params"), COMPETENCY, ids=[f"{n}-{'-'.join(p.values())}" for n, p in COMPETENCY]
)
def test_http_csv_equals_cli_csv(
    live_server: LiveServer, built_store_dir: Path, name: str, params: dict[str, str]
) -> None:
    response = requests.get(
        f"{live_server.url}/api/queries/{name}", params={**params, "_format": "csv"}
    )
    assert response.status_code == 200, response.text
    args = ["query", name, "--store", str(built_store_dir), "--format", "csv"]
    for key, value in params.items():
        args += ["--param", f"{key}={value}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert response.content == result.stdout_bytes
    assert response.content.count(b"\n") >= 2, "every competency question has an answer"


def test_pages_link_to_each_other(live_server: LiveServer) -> None:
    url = f"{live_server.url}/api/queries/events"
    whole = requests.get(url, params={"_format": "csv", "pageSize": "1000"}, timeout=10)
    rows = whole.text.splitlines()[1:]
    assert "next" not in whole.links and len(rows) > 4
    seen, link = [], f"{url}?pageSize=2&_format=csv"
    while link:
        response = requests.get(link, timeout=10)
        assert response.status_code == 200
        seen += response.text.splitlines()[1:]
        assert response.links["first"]["url"].endswith(
            "/api/queries/events?page=1&pageSize=2&_format=csv"
        )
        link = (
            response.links.get("next", {}).get("url")
            and live_server.url + response.links["next"]["url"]
        )
    assert seen == rows
    assert "prev" in response.links
