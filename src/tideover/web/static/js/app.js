// Tideover console: the little script the pages need (no inline script anywhere).
"use strict";

// Every htmx request that changes something carries the session's CSRF token.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

// Charts: a <div class="chart" data-chart="ID"> draws the ECharts option kept in the
// JSON block <script type="application/json" id="ID"> (data, never code).
function drawCharts() {
  if (typeof echarts === "undefined") {
    return;
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || element.dataset.drawn) {
      return;
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(source.textContent));
    element.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", drawCharts);
document.addEventListener("htmx:afterSettle", drawCharts);
