/* Charts of the team home (ECharts). Each <div class="chart" data-chart="ID"> reads its option
 * and bar links from the json_script block with that id: no inline script, CSP-safe.
 * A click on a bar opens the list behind that number. */
(function () {
  "use strict";
  var charts = [];

  function draw(root) {
    if (typeof window.echarts === "undefined") return;
    var nodes = (root || document).querySelectorAll(".chart[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      if (node.dataset.drawn) return;
      var source = document.getElementById(node.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(data.option);
      chart.on("click", function (params) {
        var series = data.links[params.seriesIndex] || [];
        var url = series[params.dataIndex];
        if (url) window.location.href = url;
      });
      node.dataset.drawn = "1";
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
