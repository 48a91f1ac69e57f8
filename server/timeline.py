"""Blueprint ``/timeline``: an actor's (or a pair's) events, pledges, demands and statements on a
time axis: the SVG picture :func:`server.responses.timeline_svg` draws (``/timeline``, the view
without scripts), the items as JSON (``/timeline/items``) and the page that draws them as an
interactive, zoomable timeline (``/timeline/view``, vis-timeline vendored in static/vendor/)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from server.problems import ProblemError
from server.responses import timeline_data, timeline_svg, timeline_title

blueprint = Blueprint("timeline", __name__)


def _actor() -> str:
    actor = request.args.get("actor")
    if not actor:
        raise ProblemError(
            400, "missing-parameter", "Give an actor: /timeline?actor=Xi", parameter="actor"
        )
    return actor


@blueprint.route("/timeline")
def timeline() -> Response:
    """``/timeline?actor=...&counterpart=...``: the SVG picture."""
    actor = _actor()
    return Response(timeline_svg(actor, request.args.get("counterpart")), mimetype="image/svg+xml")


@blueprint.route("/timeline/items")
def items() -> Response:
    """``/timeline/items?actor=...&counterpart=...``: the dated items, with the days each
    covers, the count of undated ones and the first view's window."""
    return jsonify(timeline_data(_actor(), request.args.get("counterpart") or None))


@blueprint.route("/timeline/view")
def view() -> str:
    """``/timeline/view?actor=...&counterpart=...``: the interactive timeline page."""
    actor = _actor()
    counterpart = request.args.get("counterpart") or None
    return render_template(
        "timeline.html",
        title=timeline_title(actor, counterpart),
        actor=actor,
        counterpart=counterpart,
    )
