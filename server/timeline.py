"""Blueprint ``/timeline``: an actor's (or a pair's) events, pledges, demands and statements on a
time axis, as the SVG picture :func:`server.responses.timeline_svg` draws."""

from __future__ import annotations

from flask import Blueprint, Response, request

from server.problems import ProblemError
from server.responses import timeline_svg

blueprint = Blueprint("timeline", __name__)


@blueprint.route("/timeline")
def timeline() -> Response:
    """``/timeline?actor=...&counterpart=...``: the SVG picture."""
    actor = request.args.get("actor")
    if not actor:
        raise ProblemError(
            400, "missing-parameter", "Give an actor: /timeline?actor=Xi", parameter="actor"
        )
    return Response(timeline_svg(actor, request.args.get("counterpart")), mimetype="image/svg+xml")
