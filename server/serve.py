"""``dipkg serve``: the application under gunicorn (a production WSGI server), started from
Python so the settings object reaches the app factory unchanged. Never the Flask development
server, never its debugger."""

from __future__ import annotations

from typing import Any

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
        return create_app(self.settings)


def run_server(settings: Settings) -> None:
    """Serve until interrupted."""
    _Gunicorn(settings).run()
