// The query page: YASGUI (vendored, server/static/vendor/yasgui/) over this server's /sparql.
// Nothing leaves the origin: prefix completion offers this server's prefixes (never prefix.cc),
// the class and property completers (which ask lov.linkeddata.es) are off, and no other
// endpoint is offered. The query lives in the URL's fragment (#query=...), so a link reopens
// it and runs it; result links to this server's IRIs point at its own pages (/id/..., /def#...).
// Without scripts the form above stays, and posts to /sparql.
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

  function localLink(iri) {
    for (const namespace in local) {
      if (iri.startsWith(namespace)) return local[namespace] + iri.slice(namespace.length);
    }
    return iri;
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
  Yasgui.Yasr.defaults.pluginOrder = ["table", "response"];
  Yasgui.Yasr.defaults.prefixes = prefixes;

  // Result links: this server's pages, in the same window, after every draw (paging included).
  // A click on a link follows it: YASR's cut-off cells would take the first click to widen.
  function follow(event) { event.stopPropagation(); }
  Yasgui.Yasr.plugins.table.defaults.tableConfig.drawCallback = function () {
    this.api().table().node().querySelectorAll("a.iri").forEach(function (a) {
      a.setAttribute("href", localLink(a.getAttribute("href")));
      a.removeAttribute("target"); // YASR opens IRIs in a new window whatever its option says
      a.removeAttribute("rel");
      a.addEventListener("click", follow);
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
