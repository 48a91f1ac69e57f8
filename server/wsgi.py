"""``app = create_app()`` for WSGI servers (``gunicorn server.wsgi:app``); settings come from
``DIPKG_*`` environment variables. The only module-level app."""

from __future__ import annotations

from server import create_app

app = create_app()
