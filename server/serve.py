"""``dipkg serve``: the front door (:mod:`server.front`) on the public address, and behind it
the application under gunicorn (a production WSGI server) on a private Unix socket, started
from Python so the settings object reaches the app factory unchanged. Never the Flask
development server, never its debugger.

Processes: this one runs gunicorn's arbiter and its workers (each with its query processes);
a forked child runs the front door, which dies with it. Ctrl-C reaches them all and none
prints a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from typing import Any

import gunicorn.util
from gunicorn.app.base import BaseApplication

from kg.config import Settings
from kg.processes import die_with_parent
from server import create_app
from server.front import Limits, run_front


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, bind: str) -> None:
        self.settings = settings
        self.bind = bind
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": self.bind,
            "workers": self.settings.workers,
            "worker_class": "gthread",
            "threads": self.settings.threads,
            "timeout": int(self.settings.query_timeout) + 30,
            "graceful_timeout": 5,
            "accesslog": None,  # the front door writes the access log, secrets redacted
            "errorlog": "-",
            "limit_request_line": 8190,
            "post_worker_init": _ignore_interrupts,
        }
        for key, value in options.items():
            self.cfg.set(key, value)
        if "control_socket_disable" in self.cfg.settings:
            # recent gunicorn opens a control socket in the user's home by default (a way to
            # change the workers from outside); dipkg serve is controlled by signals only
            self.cfg.set("control_socket_disable", True)

    def load(self) -> Any:
        gunicorn.util.write_error = _write_problem  # in the worker, before any request
        return create_app(self.settings)


def _ignore_interrupts(worker: Any) -> None:
    """A worker ignores Ctrl-C (its arbiter stops it), and so do the query processes it
    starts: an ignored signal stays ignored across exec, so a query process still importing
    when Ctrl-C reaches the process group cannot die with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn answers requests it cannot parse (a request line over 8190 bytes, broken
    headers) itself, before Flask: the same problem+json body as every other error."""
    body = json.dumps(
        {
            "type": f"/problems/{reason.lower().replace(' ', '-')}",
            "title": reason,
            "status": status_int,
            "detail": mesg or reason,
        }
    ).encode("utf-8")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


def limits(settings: Settings) -> Limits:
    """The front door's limits from the settings."""
    return Limits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        keepalive_timeout=settings.keepalive_timeout,
        send_timeout=settings.send_timeout,
        upstream_timeout=settings.query_timeout + 60,
        max_body=settings.max_request_bytes,
        client_connections=settings.client_connections,
    )


def run_server(settings: Settings) -> None:
    """Serve until interrupted.

    Raises:
        OSError: the address cannot be bound (in use, or not this machine's).
    """
    listener = socket.create_server((settings.host, settings.port), backlog=1024)
    private = Path(tempfile.mkdtemp(prefix="dipkg-serve-"))  # mode 0700: only we connect
    upstream = str(private / "app.sock")
    parent = os.getpid()
    door = os.fork()
    if door == 0:  # the front door
        try:
            die_with_parent(parent, signal.SIGTERM)
            run_front(listener, upstream, limits(settings))
        finally:
            os._exit(0)
    listener.close()
    try:
        _Gunicorn(settings, f"unix:{upstream}").run()
    finally:
        # gunicorn forks its workers inside run() and a worker leaves by SystemExit through
        # this frame too: only the arbiter stops the front door and removes the socket
        if os.getpid() == parent:
            try:
                os.kill(door, signal.SIGTERM)
                os.waitpid(door, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            shutil.rmtree(private, ignore_errors=True)
