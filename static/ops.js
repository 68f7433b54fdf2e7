// The workers page's charts: uPlot (from npm) draws jobs finished per minute; a table lists durations.
(function () {
  "use strict";
  function seconds(s) { return s < 60 ? s.toFixed(1) + " s" : (s / 60).toFixed(1) + " min"; }
  function draw() {
    var box = document.getElementById("chart-finished");
    if (!box || !window.uPlot) return;
    fetch(box.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      box.textContent = "";
      var style = getComputedStyle(document.body);
      new window.uPlot({
        width: Math.max(320, box.clientWidth), height: 220,
        series: [{}, { label: "Jobs finished", stroke: style.color || "#2563eb", width: 1.5 }],
        axes: [{ stroke: style.color }, { stroke: style.color }],
      }, [data.per_minute.t, data.per_minute.n], box);
      var body = document.querySelector("#durations tbody");
      body.textContent = "";
      data.durations.forEach(function (d) {
        var row = document.createElement("tr");
        [d.label, String(d.count), seconds(d.p50), seconds(d.p95)].forEach(function (text) {
          var cell = document.createElement("td"); cell.textContent = text; row.appendChild(cell);
        });
        body.appendChild(row);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
