"""The baseline a Python user would write first: Flask + rdflib's in-memory engine, answering
GET /sparql?query= with SPARQL JSON. Used only by http_bench.py.

    python bench/rdflib_endpoint.py DATA.nq PORT
"""

from __future__ import annotations

import sys

from flask import Flask, Response, request
from rdflib import Dataset

from kg.rdf.files import parse_rdf_file


def create(path: str) -> Flask:
    from pathlib import Path

    dataset = Dataset(default_union=True)
    parse_rdf_file(Path(path), dataset)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        result = dataset.query(request.args["query"])
        return Response(result.serialize(format="json"), mimetype="application/sparql-results+json")

    return app


if __name__ == "__main__":
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"127.0.0.1:{sys.argv[2]}")
            self.cfg.set("workers", 1)
            self.cfg.set("timeout", 300)
            self.cfg.set("limit_request_line", 0)

        def load(self) -> Flask:
            return create(sys.argv[1])

    _App().run()
