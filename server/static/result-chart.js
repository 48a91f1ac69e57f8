// The query page's chart view: a YASR plugin (registered by query.js as "chart") that draws a
// SELECT result with a label column and one or more numeric columns as a bar or line chart,
// with Chart.js (vendored, server/static/vendor/chart.js/). The label column is the first
// column of text literals, else the first of IRIs (shown by their labels, through
// ResultChart.defaults.labelsOf); each numeric column is one series. A column is numeric when
// every value it has is an XSD number. Dates in the label column make a line chart the first
// choice; the view's own control switches between the two.
window.ResultChart = (function () {
  "use strict";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = new Set([
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
  ].map(function (name) { return XSD + name; }));
  const DATES = new Set(["date", "dateTime", "gYear", "gYearMonth"].map(function (name) {
    return XSD + name;
  }));
  const ISO_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
  const MAX_POINTS = 1000; // a chart of more shows the first ones and says so
  const COLOURS = ["#1f6feb", "#bf3989", "#1a7f37", "#9a6700", "#6639ba", "#a40e26"];
  const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="15" height="15" ' +
    'aria-hidden="true"><rect x="1" y="8" width="3" height="7"/><rect x="6" y="3" width="3" ' +
    'height="12"/><rect x="11" y="6" width="3" height="9"/></svg>';

  function isNumber(value) {
    return value.type !== "uri" && value.type !== "bnode" && NUMBERS.has(value.datatype);
  }

  function isDate(value) {
    return DATES.has(value.datatype) || (!value.datatype && ISO_DATE.test(value.value));
  }

  // The columns to chart, or null when the result has no label column or no numeric one.
  function shape(results) {
    if (!results || !results.getVariables || !results.getBindings) return null;
    const names = results.getVariables() || [];
    const rows = results.getBindings() || [];
    if (!rows.length) return null;
    function values(name) {
      return rows.map(function (row) { return row[name]; }).filter(Boolean);
    }
    const numeric = names.filter(function (name) {
      const seen = values(name);
      return seen.length > 0 && seen.every(isNumber);
    });
    const others = names.filter(function (name) { return numeric.indexOf(name) < 0; });
    const literal = others.find(function (name) {
      const seen = values(name);
      return seen.length > 0 && seen.every(function (v) { return v.type !== "uri" && v.type !== "bnode"; });
    });
    const label = literal || others.find(function (name) { return values(name).length > 0; });
    if (!label || !numeric.length) return null;
    return {
      label: label,
      numeric: numeric,
      rows: rows,
      dated: values(label).every(isDate),
      iris: values(label).some(function (v) { return v.type === "uri"; }),
    };
  }

  class ResultChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.label = "Chart";
      this.priority = 5; // below the table: the table stays the first view
      this.kind = null; // the reader's choice, kept while the view lives
      this.chart = null;
      this.controls = null;
    }

    canHandleResults() {
      return shape(this.yasr.results) !== null;
    }

    getIcon() {
      const icon = document.createElement("div");
      icon.innerHTML = ICON;
      return icon;
    }

    // The text each row is drawn under: the literal, or an IRI's label (its prefixed name or the
    // IRI itself when it has none).
    names(found) {
      const prefixes = this.yasr.getPrefixes() || {};
      function short(iri) {
        for (const prefix in prefixes) {
          if (iri.indexOf(prefixes[prefix]) === 0) return prefix + ":" + iri.slice(prefixes[prefix].length);
        }
        return iri;
      }
      const column = found.label;
      const iris = found.iris ? found.rows.map(function (row) {
        return row[column] && row[column].type === "uri" ? row[column].value : null;
      }).filter(Boolean) : [];
      const lookup = found.iris && ResultChart.defaults.labelsOf
        ? ResultChart.defaults.labelsOf(iris).catch(function () { return new Map(); })
        : Promise.resolve(new Map());
      return lookup.then(function (labels) {
        return found.rows.map(function (row) {
          const value = row[column];
          if (!value) return "";
          if (value.type !== "uri") return value.value;
          return labels.get(value.value) || short(value.value);
        });
      });
    }

    draw() {
      const found = shape(this.yasr.results);
      if (!found) return Promise.resolve();
      this.destroyChart();
      const kind = this.kind || (found.dated ? "line" : "bar");
      this.drawControls(kind);
      const rows = found.rows.slice(0, MAX_POINTS);
      const box = document.createElement("div");
      box.className = "result-chart";
      const canvas = document.createElement("canvas");
      const title = (kind === "bar" ? "Bar" : "Line") + " chart of " + found.numeric.join(", ") +
        " by " + found.label + ", " + rows.length + " row(s)";
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", title);
      canvas.textContent = title;
      box.appendChild(canvas);
      this.yasr.resultsEl.appendChild(box);
      if (found.rows.length > rows.length) {
        const note = document.createElement("p");
        note.className = "result-chart-note";
        note.textContent = "The chart shows the first " + rows.length + " of " + found.rows.length + " rows.";
        this.yasr.resultsEl.appendChild(note);
      }
      const self = this;
      return this.names({ label: found.label, iris: found.iris, rows: rows }).then(function (labels) {
        if (!box.isConnected) return; // drawn again meanwhile
        self.chart = new window.Chart(canvas, {
          type: kind,
          data: {
            labels: labels,
            datasets: found.numeric.map(function (name, i) {
              return {
                label: name,
                data: rows.map(function (row) { return row[name] ? Number(row[name].value) : null; }),
                backgroundColor: COLOURS[i % COLOURS.length],
                borderColor: COLOURS[i % COLOURS.length],
                spanGaps: true,
              };
            }),
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            color: "#1b1f24",
            plugins: { legend: { display: found.numeric.length > 1 } },
            scales: {
              x: {
                ticks: {
                  color: "#1b1f24",
                  callback: function (value) {
                    const text = String(this.getLabelForValue(value));
                    return text.length > 30 ? text.slice(0, 29) + "…" : text;
                  },
                },
              },
              y: { beginAtZero: true, ticks: { color: "#1b1f24" } },
            },
          },
        });
        box.dataset.kind = kind;
        box.dataset.points = String(rows.length);
      });
    }

    drawControls(kind) {
      this.removeControls();
      const controls = document.createElement("div");
      controls.className = "chartControls";
      const label = document.createElement("label");
      label.textContent = "Chart: ";
      const select = document.createElement("select");
      select.className = "chartKind";
      [["bar", "bars"], ["line", "line"]].forEach(function (choice) {
        const option = document.createElement("option");
        option.value = choice[0];
        option.textContent = choice[1];
        option.selected = choice[0] === kind;
        select.appendChild(option);
      });
      const self = this;
      select.addEventListener("change", function () {
        self.kind = select.value;
        while (self.yasr.resultsEl.firstChild) self.yasr.resultsEl.firstChild.remove();
        self.draw();
      });
      label.appendChild(select);
      controls.appendChild(label);
      this.yasr.pluginControls.appendChild(controls);
      this.controls = controls;
    }

    removeControls() {
      if (this.controls) this.controls.remove();
      this.controls = null;
    }

    destroyChart() {
      if (this.chart) this.chart.destroy();
      this.chart = null;
    }

    destroy() {
      this.destroyChart();
      this.removeControls();
    }
  }

  ResultChart.defaults = { labelsOf: null }; // iris -> Promise of a Map iri -> label
  return ResultChart;
}());
