(function () {
  "use strict";
  // The situation picker: show the pre-rendered block whose answers match the selects, hide the
  // others. It only toggles the hidden attribute and a class: it never builds markup from data.
  var form = document.getElementById("situation-picker");
  if (!form) { return; }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
  var blocks = Array.prototype.slice.call(document.querySelectorAll("div[data-situation]"));
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-row]"));
  var missing = document.getElementById("situation-missing");
  var picks = blocks.map(function (b) { return JSON.parse(b.getAttribute("data-picks")); });
  function matches(p, chosen) {
    return Object.keys(p).every(function (q) { return chosen[q] === p[q]; });
  }
  function show() {
    var chosen = {};
    selects.forEach(function (s) { chosen[s.name] = s.value; });
    var found = -1;
    picks.forEach(function (p, i) { if (found < 0 && matches(p, chosen)) { found = i; } });
    blocks.forEach(function (b, i) { b.hidden = i !== found; });
    rows.forEach(function (r, i) { r.classList.toggle("picked", i === found); });
    if (missing) { missing.hidden = found >= 0; }
    selects.forEach(function (s) {
      var asked = found < 0 || Object.prototype.hasOwnProperty.call(picks[found], s.name);
      s.parentNode.classList.toggle("unasked", !asked);
    });
  }
  selects.forEach(function (s) { s.addEventListener("change", show); });
  form.hidden = false;
  show();
}());
