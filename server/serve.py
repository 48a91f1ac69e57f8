"""``dipkg serve``: the application under gunicorn (a production WSGI server), started from
Python so the settings object reaches the app factory unchanged. Never the Flask development
server, never its debugger."""

from __future__ import annotations

import json
from typing import Any

import gunicorn.util
from gunicorn.app.base import BaseApplication

from kg.config import Settings
from server import create_app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread",
            "threads": self.settings.threads,
            "timeout": int(self.settings.query_timeout) + 30,
            "graceful_timeout": 5,
            "accesslog": "-",
            "errorlog": "-",
            "limit_request_line": 8190,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        gunicorn.util.write_error = _write_problem  # in the worker, before any request
        return create_app(self.settings)


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


def run_server(settings: Settings) -> None:
    """Serve until interrupted."""
    _Gunicorn(settings).run()
