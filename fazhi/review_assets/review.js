/* fazhi review site: sortable tables and the figure panel of a document page. No library, no network. */
(function () {
  "use strict";

  function cellValue(row, index, type) {
    var cell = row.cells[index];
    var raw = !cell ? "" : cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (type === "num") {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.trim();
  }

  function sortBy(th) {
    var table = th.closest("table");
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var type = th.getAttribute("data-type");
    var current = th.getAttribute("aria-sort");
    // Numbers sort largest first on the first select (most flagged, most misses), text A to Z.
    var dir = current === "none" ? (type === "num" ? "descending" : "ascending")
      : current === "ascending" ? "descending" : "ascending";
    var sign = dir === "ascending" ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, type), y = cellValue(b, index, type);
      var c = type === "num" ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y, "zh");
      return c * sign;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir);
  }

  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });

  var data = document.getElementById("figures");
  var text = document.getElementById("text");
  var panel = document.getElementById("panel");
  if (!data || !text || !panel) return;
  var payload = JSON.parse(data.textContent);
  var figures = payload.figures;
  var selected = null;

  function show(mark) {
    var f = figures[Number(mark.getAttribute("data-i"))];
    if (!f) return;
    if (selected) selected.classList.remove("selected");
    selected = mark;
    mark.classList.add("selected");
    panel.textContent = "";
    var title = document.createElement("h2");
    title.textContent = f.fields[0][1];
    var badge = document.createElement("span");
    badge.className = "fig k-" + f.kind + (f.flagged ? " flagged" : "");
    badge.textContent = f.kind + (f.flagged ? " · flagged" : "");
    title.appendChild(document.createTextNode(" "));
    title.appendChild(badge);
    panel.appendChild(title);
    var table = document.createElement("table");
    table.className = "fields";
    f.fields.forEach(function (row) {
      var tr = table.insertRow();
      tr.setAttribute("data-field", row[0]);
      if (row[0] === "flagged") tr.className = "failed";
      tr.insertCell().textContent = row[0];
      var cell = tr.insertCell();
      var value = document.createElement("div");
      value.className = "value";
      value.textContent = row[1];
      cell.appendChild(value);
      if (row[2] >= 0) {  // what set the field, under its value
        var by = document.createElement("div");
        by.className = "hint";
        by.textContent = payload.by[row[2]];
        cell.appendChild(by);
      }
    });
    panel.appendChild(table);
  }

  text.addEventListener("click", function (e) {
    var mark = e.target.closest("mark.fig");
    if (mark) show(mark);
  });
  text.addEventListener("keydown", function (e) {
    var mark = e.target.closest && e.target.closest("mark.fig");
    if (mark && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); show(mark); }
  });

  function fromHash() {
    if (location.hash.indexOf("#f-") !== 0) return;
    var mark = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (mark && mark.classList.contains("fig")) {
      show(mark);
      mark.scrollIntoView({block: "center"});
      mark.focus({preventScroll: true});
    }
  }
  window.addEventListener("hashchange", fromHash);
  // After load, so the browser's own jump to the fragment does not put the figure back at the top edge.
  if (document.readyState === "complete") fromHash(); else window.addEventListener("load", fromHash);
})();
