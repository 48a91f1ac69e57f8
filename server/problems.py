"""RFC 9457 problem details: ``problem()`` builds them, ``init_app`` makes every error one.

JSON clients get ``application/problem+json``; browsers get the same fields as an HTML page.
No error ever shows a traceback.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, render_template
from werkzeug.exceptions import HTTPException

from kg.errors import (
    BusyError,
    DipkgError,
    MemoryLimitError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    UnknownDocumentError,
    UnknownParameterError,
    UnknownQueryError,
)
from server.negotiation import NotAcceptableError, accepted_ranges, quality

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    410: "Gone",
    413: "Request too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal error",
    503: "Service unavailable",
}


class ProblemError(Exception):
    """Raised by a blueprint for an answer that is a problem: the registered handler writes
    it (JSON or its HTML twin). ``headers`` are added to the response."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.headers = headers or {}
        self.extra = extra


def problem(status: int, kind: str, detail: str, **extra: Any) -> Response:
    """A problem response (JSON or its HTML twin, by the request's Accept)."""
    body = {
        "type": f"/problems/{kind}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    ranges = accepted_ranges()
    if ranges and quality("text/html", ranges) > max(
        quality("application/problem+json", ranges), quality("application/json", ranges)
    ):
        html = render_template("problem.html", problem=body)
        response = Response(html, status=status, mimetype="text/html")
    else:
        response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def from_error(exc: DipkgError) -> Response:
    """The problem for a dipkg error."""
    if isinstance(exc, UnknownQueryError):
        return problem(404, "unknown-query", exc.message, hint=exc.hint)
    if isinstance(exc, UnknownDocumentError):
        return problem(404, "unknown-document", exc.message, hint=exc.hint, document=exc.document)
    if isinstance(exc, UnknownParameterError):
        return problem(
            400, "unknown-parameter", exc.message, hint=exc.hint, parameter=exc.parameter
        )
    if isinstance(exc, QueryError):
        kind = "bad-parameter" if exc.parameter else "bad-query"
        return problem(400, kind, exc.message, hint=exc.hint, parameter=exc.parameter)
    if isinstance(exc, QueryTimeoutError):
        return problem(503, "timeout", exc.message, hint=exc.hint)
    if isinstance(exc, MemoryLimitError):
        return problem(503, "too-much-memory", exc.message, hint=exc.hint)
    if isinstance(exc, BusyError):
        return problem(503, "busy", exc.message, hint=exc.hint)
    if isinstance(exc, StoreError):
        return problem(503, "store-unavailable", exc.message, hint=exc.hint)
    if isinstance(exc, NotAcceptableError):
        return problem(406, "not-acceptable", exc.message, hint=exc.hint)
    return problem(400, "bad-request", exc.message, hint=exc.hint)


def init_app(app: Flask) -> None:
    """Register handlers so every error is a problem response."""

    @app.errorhandler(ProblemError)
    def _problem(exc: ProblemError) -> Response:
        response = problem(exc.status, exc.kind, exc.detail, **exc.extra)
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(DipkgError)
    def _dipkg(exc: DipkgError) -> Response:
        return from_error(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        kind = "unknown-resource" if status == 404 else (exc.name or "error").lower()
        response = problem(
            status, kind.replace(" ", "-"), exc.description or TITLES.get(status, "Error")
        )
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unexpected error")
        return problem(500, "internal-error", "The server failed to answer; the error is logged.")
