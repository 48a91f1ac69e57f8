"""Slow and greedy clients against `dipkg serve`'s front door: connections dribbling their
head, bodies sent a byte at a time, dumps read a byte at a time and too many connections
from one address cost no request thread, so a fresh client's query still answers at once;
each limit ends what breaks it with the right status."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(built_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        built_store_dir,
        log_dir=tmp_path_factory.mktemp("slow"),
        header_timeout="4",
        body_timeout="4",
        client_connections="8",
        workers="1",
        threads="2",
    )
    yield live
    live.stop()


def connect(server: LiveServer, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(
        ("127.0.0.1", server.port), timeout=10, source_address=(source, 0)
    )


def ask_quickly(server: LiveServer) -> float:
    """Seconds a fresh client waits for `ASK {}`; the answer must be right."""
    start = time.monotonic()
    response = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=10)
    assert response.status_code == 200 and response.json()["boolean"] is True
    return time.monotonic() - start


class Crowd:
    """Connections that each run ``behave(sock)`` on a thread of their own until stopped."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.sockets: list[socket.socket] = []

    def add(self, sock: socket.socket, behave) -> None:  # type: ignore[no-untyped-def]
        self.sockets.append(sock)
        thread = threading.Thread(target=behave, args=(sock, self.stop), daemon=True)
        thread.start()
        self.threads.append(thread)

    def close(self) -> None:
        self.stop.set()
        for sock in self.sockets:
            sock.close()
        for thread in self.threads:
            thread.join(5)


def dribble_head(sock: socket.socket, stop: threading.Event) -> None:
    try:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        while not stop.wait(0.5):
            sock.sendall(b"X-a: b\r\n")
    except OSError:
        pass


def test_fifty_slowloris_connections_leave_queries_fast(server: LiveServer) -> None:
    crowd = Crowd()
    try:
        for n in range(50):
            crowd.add(connect(server, f"127.0.0.{10 + n}"), dribble_head)
        time.sleep(1)
        waits = [ask_quickly(server) for _ in range(5)]
        assert max(waits) < 1.0, waits
    finally:
        crowd.close()


def test_a_dribbled_head_is_cut_off_at_the_deadline(server: LiveServer) -> None:
    sock = connect(server, "127.0.0.200")
    start = time.monotonic()
    try:
        sock.sendall(b"GET /sparql HTTP/1.1\r\n")
        reply = b""
        while time.monotonic() - start < 15:
            try:
                sock.sendall(b"X-a: b\r\n")
            except OSError:
                break
            sock.settimeout(0.5)
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            if not data:
                break
            reply += data
    finally:
        sock.close()
    assert 3.5 < time.monotonic() - start < 10
    assert reply.startswith(b"HTTP/1.1 408"), reply


def trickle_body(sock: socket.socket, stop: threading.Event) -> None:
    try:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\n"
        )
        while not stop.wait(0.5):
            sock.sendall(b"A")
    except OSError:
        pass


def test_bodies_sent_a_byte_at_a_time_leave_queries_fast(server: LiveServer) -> None:
    crowd = Crowd()
    try:
        for n in range(8):
            crowd.add(connect(server, f"127.0.1.{10 + n}"), trickle_body)
        time.sleep(1)
        assert max(ask_quickly(server) for _ in range(3)) < 1.0
    finally:
        crowd.close()


def test_a_trickled_body_gets_408(server: LiveServer) -> None:
    sock = connect(server, "127.0.1.200")
    try:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK"
        )
        sock.settimeout(10)
        assert sock.recv(4096).startswith(b"HTTP/1.1 408")
    finally:
        sock.close()


def read_slowly(sock: socket.socket, stop: threading.Event) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /dump.nt HTTP/1.1\r\nHost: x\r\n\r\n")
        while not stop.wait(0.5):
            sock.recv(1)
    except OSError:
        pass


def test_dumps_read_a_byte_at_a_time_leave_queries_fast(server: LiveServer) -> None:
    crowd = Crowd()
    try:
        for n in range(8):
            crowd.add(connect(server, f"127.0.2.{10 + n}"), read_slowly)
        time.sleep(2)
        assert max(ask_quickly(server) for _ in range(3)) < 1.0
    finally:
        crowd.close()


def test_one_address_may_hold_only_so_many_connections(server: LiveServer) -> None:
    held = [connect(server, "127.0.3.1") for _ in range(8)]
    try:
        extra = connect(server, "127.0.3.1")
        extra.settimeout(10)
        reply = b""
        while data := extra.recv(4096):  # the door answers, then closes
            reply += data
        extra.close()
        assert reply.startswith(b"HTTP/1.1 503") and b"too-many-connections" in reply
    finally:
        for sock in held:
            sock.close()
    assert ask_quickly(server) < 1.0  # another address is not affected


def test_a_chunked_body_over_the_cap_is_413(server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"#" * 50_000  # 1.5 MB in all, over the 1 MB cap

    response = requests.post(
        server.url + "/sparql",
        data=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/request-too-large"


def test_secrets_in_query_strings_never_reach_the_log(server: LiveServer) -> None:
    requests.get(server.url + "/api/queries/events", params={"token": "s3cret-value"}, timeout=10)
    time.sleep(0.5)
    log = server.log.read_text()
    assert "token=REDACTED" in log and "s3cret-value" not in log
