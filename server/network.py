"""Blueprint ``/network``: who meets whom. Actors are nodes; two actors who took part in the same
events (``dip:participant``) share an edge weighted by how many; optionally only events of a
type and in a date range. ``/network/items`` is the graph as JSON, ``/network`` the page that
draws it (cytoscape.js, vendored in static/vendor/) with the filters as a form."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, jsonify, render_template, request
from rdflib.term import Node

from kg.query.internal import internal_query
from kg.query.saved import Parameter
from server.responses import local_link
from server.services import get_services

blueprint = Blueprint("network", __name__)
FILTERS = (
    Parameter("type", "concept", "Event type, e.g. meeting", scheme="event-type"),
    Parameter("from", "date", "Events on or after this date (ISO 8601)", bound="start"),
    Parameter("to", "date", "Events on or before this date (ISO 8601)", bound="end"),
)


@dataclass(slots=True)
class Edge:
    """Two actors and the events they shared (event link -> (label, date, type))."""

    source: str
    target: str
    events: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def network_graph(rows: list[tuple[Node | None, ...]]) -> dict[str, object]:
    """Nodes and weighted edges from the rows of ``actor-network.rq`` (one per event and pair);
    a node's ``events`` counts the distinct events it shares with anyone shown."""
    labels: dict[str, str] = {}
    edges: dict[tuple[str, str], Edge] = {}
    shared: dict[str, set[str]] = {}
    for actor, actor_label, other, other_label, event, event_label, date, kind in rows:
        a, b, e = local_link(actor), local_link(other), local_link(event)
        labels[a] = str(actor_label or actor)
        labels[b] = str(other_label or other)
        edge = edges.setdefault((a, b), Edge(a, b))
        edge.events[e] = (str(event_label or event), str(date or ""), str(kind or ""))
        shared.setdefault(a, set()).add(e)
        shared.setdefault(b, set()).add(e)
    return {
        "nodes": [
            {"id": n, "label": labels[n], "link": n, "events": len(shared[n])}
            for n in sorted(labels)
        ],
        "edges": [
            {
                "id": f"{edge.source} {edge.target}",
                "source": edge.source,
                "target": edge.target,
                "weight": len(edge.events),
                "events": [
                    {"link": link, "label": label, "date": date, "type": kind}
                    for link, (label, date, kind) in sorted(
                        edge.events.items(), key=lambda item: (item[1][1], item[0])
                    )
                ],
            }
            for edge in edges.values()
        ],
    }


def _filters() -> dict[str, str]:
    return {p.name: v for p in FILTERS if (v := request.args.get(p.name, "").strip())}


@blueprint.route("/network/items")
def items() -> Response:
    """``/network/items?type=&from=&to=``: the network as JSON (``truncated`` when the row cap
    cut the rows it is built from)."""
    services = get_services()
    given = _filters()
    slots = {p.name: services.resolver.term(p, given[p.name]) for p in FILTERS if p.name in given}
    result = services.executor.query(
        internal_query("actor-network", **slots), max_rows=services.settings.max_rows
    )
    body = network_graph(result.rows)
    body["truncated"] = result.truncated
    return jsonify(body)


@blueprint.route("/network")
def page() -> str:
    """The network page: the filters and the drawing."""
    types = sorted(get_services().resolver.notations("event-type"))
    return render_template("network.html", filters=_filters(), types=types)
