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
      if (node.dataset.drawing) return;
      node.dataset.drawing = "1";
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.on("click", function (params) {
        var series = data.links[params.seriesIndex] || [];
        var url = series[params.dataIndex];
        if (url) window.location.href = url;
      });
      /* "drawn" once the bars stand at their full height: during the entry animation a bar is
       * still growing from the axis, and a click (a person's or a test's) can miss it. */
      chart.on("finished", function () { node.dataset.drawn = "1"; });
      chart.setOption(data.option);
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
