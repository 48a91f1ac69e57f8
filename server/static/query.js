// The query page: YASGUI (vendored, server/static/vendor/yasgui/) over this server's /sparql.
// Nothing leaves the origin: prefix completion offers this server's prefixes (never prefix.cc),
// the class and property completers (which ask lov.linkeddata.es) are off, and no other
// endpoint is offered. The query lives in the URL's fragment (#query=...), so a link reopens
// it and runs it; result links to this server's IRIs point at its own pages (/id/..., /def#...)
// and read as the resources' labels (from /api/labels). Besides the table, a chart view
// (result-chart.js) draws a label column against numeric ones. Without scripts the form above
// stays, and posts to /sparql.
(function () {
  "use strict";
  const host = document.getElementById("yasgui");
  if (!host || !window.Yasgui) return;
  const Yasgui = window.Yasgui;
  const form = document.getElementById("query-form");
  const share = document.getElementById("share");
  const endpoint = new URL(host.dataset.endpoint, window.location.href).href;
  const local = JSON.parse(host.dataset.local || "{}"); // namespace -> this server's path
  const prefixes = JSON.parse(host.dataset.prefixes || "{}"); // prefix -> namespace
  const labelsUrl = host.dataset.labels;
  const maxLabels = Number(host.dataset.maxLabels) || 100;

  function isLocal(iri) {
    return Object.keys(local).some(function (namespace) { return iri.startsWith(namespace); });
  }

  function localLink(iri) {
    for (const namespace in local) {
      if (iri.startsWith(namespace)) return local[namespace] + iri.slice(namespace.length);
    }
    return iri;
  }

  // The labels of this server's IRIs, asked for once each (a POST of at most maxLabels IRIs per
  // request: one for a page of results); a failed request is not remembered, so a later draw
  // asks again. Resolves to a Map iri -> label of those that have one.
  const known = new Map(); // iri -> label, or "" for an IRI without one
  function labelsOf(iris) {
    const wanted = Array.from(new Set(iris)).filter(isLocal);
    const missing = wanted.filter(function (iri) { return !known.has(iri); });
    const batches = [];
    for (let i = 0; i < missing.length; i += maxLabels) batches.push(missing.slice(i, i + maxLabels));
    return Promise.all(batches.map(function (batch) {
      const body = new URLSearchParams(batch.map(function (iri) { return ["iri", iri]; }));
      return fetch(labelsUrl, { method: "POST", body: body, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer) batch.forEach(function (iri) { known.set(iri, answer.labels[iri] || ""); });
        }, function () { /* offline or refused: the cells keep their IRIs */ });
    })).then(function () {
      const found = new Map();
      wanted.forEach(function (iri) { if (known.get(iri)) found.set(iri, known.get(iri)); });
      return found;
    });
  }

  // A labelled link reads as the label, with the prefixed name or IRI it replaced as its title
  // (the IRI's angle brackets go with it).
  function label(link, text) {
    if (link.classList.contains("labelled")) return;
    link.title = link.textContent;
    link.textContent = text;
    link.classList.add("labelled");
    [link.previousSibling, link.nextSibling].forEach(function (node) {
      if (node && node.nodeType === Node.TEXT_NODE && /^[<>]$/.test(node.textContent)) node.remove();
    });
  }

  // Completion from this server's prefixes only. Yasgui merges its configuration with lodash's
  // merge, which merges arrays index by index, so the list of completers is set on the defaults.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "local-prefixes",
    persistenceId: null,
    get: function () {
      return Promise.resolve(Object.keys(prefixes).sort().map(function (p) {
        return p + ": <" + prefixes[p] + ">";
      }));
    },
  }, false);
  Yasgui.Yasqe.defaults.autocompleters = ["local-prefixes", "variables"];
  if (window.ResultChart && window.Chart) {
    window.ResultChart.defaults.labelsOf = labelsOf;
    Yasgui.Yasr.registerPlugin("chart", window.ResultChart);
  }
  Yasgui.Yasr.defaults.pluginOrder = ["table", "chart", "response"];
  Yasgui.Yasr.defaults.prefixes = prefixes;

  // Result links: this server's pages, in the same window, after every draw (paging included),
  // reading as their labels; the table says when a draw's labels are in (data-labelled, the
  // number of draws done). A click on a link follows it: YASR's cut-off cells would take the
  // first click to widen.
  function follow(event) { event.stopPropagation(); }
  Yasgui.Yasr.plugins.table.defaults.tableConfig.drawCallback = function () {
    const table = this.api().table().node();
    const draw = Number(table.dataset.draws || 0) + 1;
    table.dataset.draws = String(draw);
    const links = Array.from(table.querySelectorAll("tbody a.iri"));
    links.forEach(function (a) {
      if (!a.dataset.iri) a.dataset.iri = a.getAttribute("href");
      a.setAttribute("href", localLink(a.dataset.iri));
      a.removeAttribute("target"); // YASR opens IRIs in a new window whatever its option says
      a.removeAttribute("rel");
      a.addEventListener("click", follow);
    });
    labelsOf(links.map(function (a) { return a.dataset.iri; })).then(function (labels) {
      links.forEach(function (a) {
        if (labels.has(a.dataset.iri)) label(a, labels.get(a.dataset.iri));
      });
      if (Number(table.dataset.draws) === draw) table.dataset.labelled = String(draw);
    });
  };

  // A problem+json answer (RFC 9457) shows its title and detail, not the raw body.
  Yasgui.Yasr.defaults.errorRenderers = [function (error) {
    let problem;
    try { problem = JSON.parse(error.text || ""); } catch (e) { return Promise.resolve(undefined); }
    if (!problem || !problem.title) return Promise.resolve(undefined);
    const box = document.createElement("div");
    box.className = "problem";
    const title = document.createElement("strong");
    title.textContent = problem.title + (problem.status ? " (" + problem.status + ")" : "");
    const detail = document.createElement("p");
    detail.textContent = problem.detail || "";
    box.append(title, detail);
    return Promise.resolve(box);
  }];

  // Accessibility mends of YASGUI's markup, on every tab as YASGUI draws it (tests/browser run
  // axe over the page): names for the editor, the endpoint field, the page-size menu and the
  // completion list (which CodeMirror puts at the end of the body), and keyboard access to the
  // editor's scrolling box. YASGUI's own "+" sits inside its tab list,
  // where only tabs may be; it is hidden (style.css) and #new-tab does its work.
  const NAMES = [
    [".CodeMirror textarea", "SPARQL query"],
    [".autocomplete", "SPARQL endpoint"],
    [".tableSizer", "Rows per page"],
    [".tabsList .tab input", "Tab name"],
    [".CodeMirror-hints", "Completions"],
  ];
  function mend() {
    NAMES.forEach(function (pair) {
      document.querySelectorAll(pair[0] + ":not([aria-label])").forEach(function (element) {
        element.setAttribute("aria-label", pair[1]);
      });
    });
    host.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach(function (element) {
      element.setAttribute("tabindex", "0");
    });
  }
  const watch = new MutationObserver(mend);
  watch.observe(host, { childList: true, subtree: true });
  watch.observe(document.body, { childList: true });

  const shared = new URLSearchParams(window.location.hash.slice(1)).get("query");
  // Shown before it is built: CodeMirror measures its box when it starts.
  form.hidden = true;
  host.hidden = false;
  share.parentElement.hidden = false;
  const yasgui = new Yasgui(host, {
    persistenceId: null, // tabs are not kept between visits: the URL holds what is shared
    populateFromUrl: false, // read below: only the query, never an endpoint or headers from a link
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
    yasqe: { value: shared || form.elements.query.value },
  });

  function linkTo(query) {
    return window.location.pathname + "#" + new URLSearchParams({ query: query }).toString();
  }

  // Each run puts its query in the URL (without a new history entry) and in the share link.
  yasgui.on("query", function (instance, tab) {
    const url = linkTo(tab.getQuery());
    window.history.replaceState(null, "", url);
    share.href = url;
  });
  share.href = linkTo(yasgui.getTab().getQuery());
  document.getElementById("new-tab").addEventListener("click", function () { yasgui.addTab(true); });

  // The saved queries open as tabs of their own.
  document.querySelectorAll("a.example").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      yasgui.addTab(true, {
        name: a.textContent,
        yasqe: { value: a.dataset.query },
        requestConfig: { endpoint: endpoint },
      }, { avoidDuplicateTabs: true });
    });
  });

  if (shared) yasgui.getTab().query();
}());
