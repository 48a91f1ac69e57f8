"""Stopping `dipkg serve` as a user does: Ctrl-C reaches the whole process group (the
server, its workers and their query processes), SIGTERM only the server; all end, and the log
shows no traceback. A worker that dies is replaced while the server goes on."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest
import requests

from tests.support import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _wait_for_group_to_end(group: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # is any process of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("processes of the server's group are still running")


def test_ctrl_c_stops_every_process_without_a_traceback(
    built_store_dir: Path, tmp_path: Path
) -> None:
    server = LiveServer(built_store_dir, log_dir=tmp_path)
    response = requests.get(f"{server.url}/api/queries/events", params={"actor": "Xi"}, timeout=10)
    assert response.status_code == 200  # the query processes have answered once
    os.killpg(server.process.pid, signal.SIGINT)
    server.process.wait(30)
    _wait_for_group_to_end(server.process.pid)
    server.stop()
    log = server.log.read_text()
    assert "Shutting down: Master" in log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log, log


def _log_value(log: str, pattern: str) -> list[str]:
    return re.findall(pattern, log)


def test_sigterm_to_the_server_stops_it_cleanly(built_store_dir: Path, tmp_path: Path) -> None:
    """SIGTERM to the server process alone (as systemd, Docker or `timeout` send it): every
    process of the group ends, no traceback, the private socket's directory is removed."""
    server = LiveServer(built_store_dir, log_dir=tmp_path)
    assert requests.get(f"{server.url}/health", timeout=10).status_code == 200
    os.kill(server.process.pid, signal.SIGTERM)
    server.process.wait(30)
    _wait_for_group_to_end(server.process.pid)
    server.stop()
    log = server.log.read_text()
    assert "Traceback" not in log, log
    (socket_dir,) = _log_value(log, r"Listening at: unix:(\S+)/app\.sock")
    assert not Path(socket_dir).exists()
    assert "Control socket" not in log, "dipkg serve opens no control socket"


def test_a_worker_that_dies_is_replaced_and_the_front_door_stays(
    built_store_dir: Path, tmp_path: Path
) -> None:
    """gunicorn replaces a worker that exits; the front door and the private socket outlive
    it (a worker leaving must not run the arbiter's clean-up)."""
    server = LiveServer(built_store_dir, log_dir=tmp_path)
    try:
        workers = _log_value(server.log.read_text(), r"Booting worker with pid: (\d+)")
        os.kill(int(workers[0]), signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            booted = _log_value(server.log.read_text(), r"Booting worker with pid: (\d+)")
            if len(booted) > len(workers):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the worker was not replaced")
        for _ in range(6):  # both workers answer through the front door
            response = requests.get(f"{server.url}/api/queries/events", timeout=30)
            assert response.status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.log.read_text()
