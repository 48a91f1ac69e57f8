"""dipkg's HTTP surfaces: the Flask application factory.

``create_app(settings)`` wires configuration, the store services, one blueprint per surface,
CORS and caching headers, the ``local`` link filter and the problem+json error handlers;
nothing else happens here.
"""

from __future__ import annotations

from flask import Flask

from kg.config import Settings
from server import (
    api,
    changes,
    documents,
    dumps,
    network,
    pages,
    problems,
    releases,
    resources,
    responses,
    review,
    search,
    services,
    sparql,
    timeline,
)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the WSGI application over a store.

    Args:
        settings: dipkg settings; default ``Settings.from_env()``.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        DIPKG_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    services.init_app(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(documents.blueprint)
    app.register_blueprint(changes.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(resources.blueprint)
    app.register_blueprint(search.blueprint)
    app.register_blueprint(timeline.blueprint)
    app.register_blueprint(network.blueprint)
    app.register_blueprint(dumps.blueprint)
    app.register_blueprint(releases.blueprint)
    app.register_blueprint(review.blueprint)
    app.before_request(responses.not_modified)
    app.after_request(responses.cors)
    app.after_request(responses.cache_headers)
    app.add_template_filter(responses.local_link, "local")
    problems.init_app(app)
    return app
