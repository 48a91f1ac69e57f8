"""Stopping `dipkg serve` as a user does: Ctrl-C reaches the whole process group (the
server, its workers and their query processes); all end, and the log shows no traceback."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.support import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_ctrl_c_stops_every_process_without_a_traceback(
    built_store_dir: Path, tmp_path: Path
) -> None:
    server = LiveServer(built_store_dir, log_dir=tmp_path)
    response = requests.get(f"{server.url}/api/queries/events", params={"actor": "Xi"}, timeout=10)
    assert response.status_code == 200  # the query processes have answered once
    os.killpg(server.process.pid, signal.SIGINT)
    server.process.wait(30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(server.process.pid, 0)  # is any process of the group left?
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("processes of the server's group are still running")
    server.stop()
    log = server.log.read_text()
    assert "Shutting down: Master" in log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log
