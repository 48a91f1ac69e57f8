// Interactive timelines (vis-timeline, vendored in static/vendor/vis-timeline/): one lane per
// kind (events, pledges, demands, statements); items at the precision of their date (a day is a
// box, a month or a year a bar over its days); items on the same day stack instead of drawing
// over each other; zoom and drag to move. The first view is the dense part of the dates the
// server chose (/timeline/items "window"); "Show all" fits every item. Each item links to its
// page. Once drawn, the SVG picture (the view without scripts) is hidden.
(function () {
  "use strict";
  if (!window.vis) return;
  const KINDS = ["event", "pledge", "demand", "statement"];

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function content(item) {
    return '<a href="' + text(item.link).replace(/"/g, "&quot;") + '">' + text(item.label) + "</a>";
  }

  function draw(view, data) {
    const canvas = view.querySelector(".timeline-canvas");
    const kinds = KINDS.filter(function (k) { return data.items.some(function (i) { return i.kind === k; }); });
    const groups = new vis.DataSet(kinds.map(function (k, n) {
      return { id: k, content: k + "s", order: n, className: "lane-" + k };
    }));
    const items = new vis.DataSet(data.items.map(function (item, n) {
      const range = item.start !== item.end;
      return {
        id: n,
        group: item.kind,
        content: content(item),
        title: text(item.date + ": " + item.label + (item.sources.length ? " (" + item.sources.join(", ") + ")" : "")),
        start: item.start,
        end: range ? item.end + "T23:59:59" : undefined,
        type: range ? "range" : "box",
        className: "kind-" + item.kind + " precision-" + (item.datePrecision || "day"),
        link: item.link,
      };
    }));
    const options = {
      stack: true,
      zoomKey: "ctrlKey",
      horizontalScroll: true,
      orientation: { axis: "top", item: "top" },
      margin: { item: { horizontal: 4, vertical: 6 } },
      zoomMin: 1000 * 60 * 60 * 24 * 7,
      maxHeight: 600,
      tooltip: { followMouse: true },
      showCurrentTime: false,
    };
    if (data.window) { options.start = data.window.start; options.end = data.window.end; }
    const timeline = new vis.Timeline(canvas, items, groups, options);
    timeline.on("click", function (props) {
      if (props.item === null || props.item === undefined) return;
      if (props.event && props.event.target && props.event.target.closest("a")) return;
      window.location.href = items.get(props.item).link;
    });
    view.querySelector("button.fit").addEventListener("click", function () { timeline.fit(); });
    const notes = [];
    if (data.before) notes.push(data.before + " earlier item(s) outside this view");
    if (data.after) notes.push(data.after + " later item(s) outside this view");
    if (data.undated) notes.push(data.undated + " undated item(s) not shown");
    view.querySelector(".timeline-note").textContent =
      data.items.length + " dated item(s). " + (notes.length ? notes.join("; ") + ". " : "") +
      "Drag to move, Ctrl+wheel to zoom.";
    view.timeline = timeline;
  }

  document.querySelectorAll(".timeline-view").forEach(function (view) {
    fetch(view.dataset.items, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return response.json();
      })
      .then(function (data) {
        view.hidden = false;
        draw(view, data);
        if (view.dataset.replaces) {
          document.querySelectorAll(view.dataset.replaces).forEach(function (e) { e.hidden = true; });
        }
        view.dataset.drawn = String(data.items.length);
      })
      .catch(function (error) {
        view.hidden = false;
        view.querySelector(".timeline-note").textContent = "The interactive timeline failed: " + error.message;
      });
  });
}());
