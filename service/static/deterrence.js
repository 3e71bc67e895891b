/* 威慑效果: the site's weeks and its neighbours' traffic, from #deterrence-data (the same
   numbers are in the tables under each chart). */
(function () {
  "use strict";
  var node = document.getElementById("deterrence-data");
  if (!node || !window.echarts) return;
  var d = JSON.parse(node.textContent);
  var weeks = d.weeks.map(function (w) { return w.week; });
  var pivotWeek = null;
  weeks.forEach(function (w) { if (w <= d.pivot) pivotWeek = w; });
  var mark = pivotWeek ? { symbol: "none", label: { formatter: "对比日期" }, lineStyle: { color: "#1b1b1b", type: "dashed" },
                           data: [{ xAxis: pivotWeek }] } : undefined;
  var charts = [];
  function draw(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(Object.assign({ animation: false }, option));
    charts.push(c);
  }
  draw("weeks", {
    tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 44, right: 44, top: 48, bottom: 28 },
    xAxis: { type: "category", data: weeks },
    yAxis: [{ type: "value", name: "%" }, { type: "value", name: "百吨王", splitLine: { show: false }, minInterval: 1 }],
    series: [
      { name: "超限率", type: "line", data: d.weeks.map(function (w) { return w.overlimit_rate_pct; }), itemStyle: { color: "#b3261e" }, markLine: mark },
      { name: "百吨王", type: "bar", yAxisIndex: 1, data: d.weeks.map(function (w) { return w.baidunwang; }), itemStyle: { color: "#e8a33d" } }
    ]
  });
  var series = [{ name: d.site_code + "（本点位）", type: "line", data: d.weeks.map(function (w) { return w.checked; }),
                  lineStyle: { width: 3 }, itemStyle: { color: "#b3261e" }, markLine: mark }];
  d.nearby.forEach(function (n) { series.push({ name: n.site_code, type: "line", data: n.weekly_checked }); });
  draw("nearby", {
    tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
    grid: { left: 52, right: 16, top: 48, bottom: 28 },
    xAxis: { type: "category", data: weeks }, yAxis: { type: "value", name: "辆次/周" }, series: series
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
