// Who meets whom (cytoscape.js, vendored in static/vendor/cytoscape/): actors as nodes sized by
// the events they shared with anyone shown, edges as wide as the number of events the two
// shared. Selecting an actor or an edge lists its events, each a link to its page; the actor
// has a link to its own page. The data is /network/items with the page's filters.
(function () {
  "use strict";
  const host = document.getElementById("network");
  if (!host || !window.cytoscape) return;
  const status = document.getElementById("network-status");
  const detail = document.getElementById("network-detail");

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function listEvents(title, events, actorLink) {
    detail.textContent = "";
    const h = document.createElement("h2");
    h.textContent = title;
    detail.appendChild(h);
    if (actorLink) {
      const p = document.createElement("p");
      p.appendChild(link(actorLink, "Open the actor's page"));
      detail.appendChild(p);
    }
    const ul = document.createElement("ul");
    ul.className = "network-events";
    events.forEach(function (e) {
      const li = document.createElement("li");
      li.appendChild(link(e.link, e.label));
      if (e.type) li.appendChild(document.createTextNode(" (" + e.type.replace("_", " ") + ")"));
      ul.appendChild(li);
    });
    detail.appendChild(ul);
  }

  fetch(host.dataset.items, { headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
        return body;
      });
    })
    .then(function (data) {
      const byNode = {};
      data.edges.forEach(function (e) {
        [e.source, e.target].forEach(function (n) {
          byNode[n] = (byNode[n] || []).concat(e.events);
        });
      });
      const elements = data.nodes.map(function (n) {
        return { group: "nodes", data: { id: n.id, label: n.label, link: n.link, events: n.events } };
      }).concat(data.edges.map(function (e) {
        return { group: "edges", data: { id: e.id, source: e.source, target: e.target, weight: e.weight, events: e.events } };
      }));
      const cy = cytoscape({
        container: host,
        elements: elements,
        layout: {
          name: "cose", animate: false, randomize: true, padding: 40, nodeDimensionsIncludeLabels: true,
          nodeRepulsion: function () { return 30000; }, idealEdgeLength: function () { return 80; },
          componentSpacing: 60, nodeOverlap: 40,
        },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
            "background-color": "#1f6feb", "width": "mapData(events, 1, 8, 14, 42)",
            "height": "mapData(events, 1, 8, 14, 42)", "color": "#1b1f24",
            "text-background-color": "#fff", "text-background-opacity": 0.8 } },
          { selector: "edge", style: {
            "width": "mapData(weight, 1, 6, 1.5, 9)", "line-color": "#8c959f", "curve-style": "bezier",
            "label": "data(weight)", "font-size": 9, "color": "#57606a" } },
          { selector: ":selected", style: { "background-color": "#bf3989", "line-color": "#bf3989" } },
        ],
      });
      cy.on("tap", "node", function (event) {
        const n = event.target.data();
        const seen = {};
        const events = (byNode[n.id] || []).filter(function (e) { return !seen[e.link] && (seen[e.link] = true); });
        listEvents(n.label, events, n.link);
      });
      cy.on("tap", "edge", function (event) {
        const e = event.target;
        listEvents(e.source().data("label") + " and " + e.target().data("label") + ": " +
                   e.data("weight") + " event(s)", e.data("events"));
      });
      host.cy = cy;
      status.textContent = data.nodes.length + " actor(s), " + data.edges.length + " pair(s) who shared events" +
        (data.truncated ? " (cut at the row limit)" : "") + ". Select one to list the events.";
      host.dataset.drawn = "true";
    })
    .catch(function (error) { status.textContent = "The network could not be drawn: " + error.message; });
}());
