// The query page: run the query against /sparql for JSON and show the rows as a table.
(function () {
  "use strict";
  const form = document.getElementById("query-form");
  const text = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const local = JSON.parse(form.dataset.local || "{}");  // namespace -> this server's path

  function link(iri) {
    for (const namespace in local) {
      if (iri.startsWith(namespace)) return local[namespace] + iri.slice(namespace.length);
    }
    return iri;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = link(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
    }
    return td;
  }

  function show(data, truncated) {
    results.textContent = "";
    if ("boolean" in data) {
      status.textContent = "ASK: " + data.boolean;
      return;
    }
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      const th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    });
    const body = table.createTBody();
    data.results.bindings.forEach(function (b) {
      const row = body.insertRow();
      data.head.vars.forEach(function (v) { row.appendChild(cell(b[v])); });
    });
    results.appendChild(table);
    status.textContent = data.results.bindings.length + " row(s)" +
      (truncated ? ", cut at the row limit (" + truncated + ")" : "");
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "format") return;  // downloads
    event.preventDefault();
    status.textContent = "Running…";
    const body = new URLSearchParams({ query: text.value });
    fetch(form.action, {
      method: "POST",
      headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.5",
                 "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    }).then(function (response) {
      const type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") >= 0) {
        return response.json().then(function (data) {
          if (!response.ok) { status.textContent = data.detail || data.title; results.textContent = ""; return; }
          show(data, response.headers.get("Dipkg-Truncated"));
        });
      }
      return response.text().then(function (t) {
        status.textContent = response.ok ? "" : "Error";
        results.textContent = "";
        const pre = document.createElement("pre");
        pre.textContent = t;
        results.appendChild(pre);
      });
    }).catch(function (error) { status.textContent = String(error); });
  });

  document.querySelectorAll("a.example").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      text.value = a.dataset.query;
      text.focus();
    });
  });
}());
