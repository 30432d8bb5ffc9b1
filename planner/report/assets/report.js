// berth plan report: filter the rows, sort the hosts, open and close the
// groups, and open everything for printing. No network, no libraries.
(function () {
  "use strict";
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");
  var groups = Array.prototype.slice.call(document.querySelectorAll("details.group"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-k]"));
  var hostRows = rows.filter(function (r) { return r.classList.contains("host"); });
  var saved = null; // the groups' open state before a filter opened them

  function setShown(n) {
    if (shown) { shown.textContent = n + " of " + hostRows.length + " hosts"; }
  }

  // Filter: a row stays when its words contain every word typed.
  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && saved === null) {
      saved = groups.map(function (g) { return g.open; });
    }
    var n = 0;
    rows.forEach(function (r) {
      var k = r.getAttribute("data-k");
      var ok = words.every(function (w) { return k.indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok && r.classList.contains("host")) { n++; }
    });
    groups.forEach(function (g, i) {
      var any = g.querySelector("tr.host:not([hidden])") !== null;
      g.hidden = !any;
      if (words.length) { g.open = any; } else if (saved) { g.open = saved[i]; }
    });
    if (!words.length) { saved = null; }
    setShown(n);
  }
  if (filter) {
    var timer = null;
    filter.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(applyFilter, rows.length > 2000 ? 120 : 0);
    });
  }

  // Sort: a header sorts every group's hosts by its column; again reverses.
  function key(row, col) {
    if (col < 0) { return row.getAttribute("data-name"); }
    return parseFloat(row.getAttribute("data-v").split(" ")[col]) || 0;
  }
  function sortBy(col, dir) {
    document.querySelectorAll("table.hosts tbody").forEach(function (tb) {
      var list = Array.prototype.slice.call(tb.rows);
      list.sort(function (a, b) {
        var x = key(a, col), y = key(b, col);
        var c = typeof x === "string" ? x.localeCompare(y, undefined, {numeric: true}) : x - y;
        return dir * c;
      });
      list.forEach(function (r) { tb.appendChild(r); });
    });
    document.querySelectorAll("table.hosts th.sortable").forEach(function (th) {
      if (+th.getAttribute("data-col") === col) {
        th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      } else {
        th.removeAttribute("aria-sort");
      }
    });
  }
  document.querySelectorAll("table.hosts th.sortable").forEach(function (th) {
    th.addEventListener("click", function () {
      var col = +th.getAttribute("data-col");
      // Names sort A→Z first, numbers fullest first; a second click reverses.
      var cur = th.getAttribute("aria-sort");
      var dir = cur ? (cur === "ascending" ? -1 : 1) : (col < 0 ? 1 : -1);
      sortBy(col, dir);
    });
  });

  function openAll(open) { groups.forEach(function (g) { g.open = open; }); }
  var expand = document.getElementById("expand");
  var collapse = document.getElementById("collapse");
  if (expand) { expand.addEventListener("click", function () { openAll(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { openAll(false); }); }

  // Printing shows everything; the page is put back afterwards.
  var beforePrint = null;
  window.addEventListener("beforeprint", function () {
    var all = Array.prototype.slice.call(document.querySelectorAll("details"));
    beforePrint = all.map(function (d) { return [d, d.open]; });
    all.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    if (beforePrint) { beforePrint.forEach(function (p) { p[0].open = p[1]; }); }
    beforePrint = null;
  });
})();
