/* 统计分析: draws the dashboard's charts with the vendored ECharts from the figures the page
   carries (#dashboard-data); the same numbers are in the tables under each chart. */
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var RED = "#b3261e", BLUE = "#1f5fa8", GREY = "#8a96a3";
  var charts = [];

  function draw(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option));
    charts.push(chart);
  }

  var rows = data.trend.rows;
  draw("trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { fontSize: 11 }, itemGap: 8 },
    grid: { left: 48, right: 40, top: 64, bottom: 28 },
    xAxis: { type: "category", data: rows.map(function (r) { return r.label; }) },
    yAxis: [{ type: "value", name: "辆次" }, { type: "value", name: "%", splitLine: { show: false } }],
    series: [
      { name: "检测车辆", type: "bar", data: rows.map(function (r) { return r.checked; }), itemStyle: { color: "#c9d6e6" } },
      { name: "超限率", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.overlimit_rate_pct; }), itemStyle: { color: RED } },
      { name: "超限率（10%以下除外）", type: "line", yAxisIndex: 1, data: rows.map(function (r) { return r.overlimit_rate_excl10_pct; }), itemStyle: { color: BLUE }, lineStyle: { type: "dashed" } }
    ]
  });

  var sites = data.sites.rows.slice().sort(function (a, b) { return (a.overlimit_rate_pct || 0) - (b.overlimit_rate_pct || 0); });
  var targets = {};
  (data.targets || []).forEach(function (t) { targets[t.site_code] = t.target_pct; });
  draw("sites", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 40, top: 10, bottom: 30, containLabel: true },
    xAxis: { type: "value", name: "%" },
    yAxis: { type: "category", data: sites.map(function (r) { return r.label; }), axisLabel: { width: 120, overflow: "truncate" } },
    series: [{ name: "超限率", type: "bar", data: sites.map(function (r) { return r.overlimit_rate_pct; }), itemStyle: { color: RED },
               label: { show: true, position: "right", formatter: "{c}%" } },
             { name: "目标", type: "scatter", symbol: "rect", symbolSize: [3, 18], itemStyle: { color: "#1b1b1b" },
               data: sites.map(function (r) { return targets[r.code] == null ? null : targets[r.code]; }) }],
    legend: { bottom: 0, data: ["超限率", "目标"] }
  });

  function short(label) { return label.replace("超限车辆：", "").replace("总质量 ", ""); }

  function pie(name, items, colors) {
    draw(name, {
      tooltip: { trigger: "item", formatter: "{b}：{c} 辆次（{d}%）" },
      legend: { bottom: 0 },
      color: colors,
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                 data: items.map(function (i) { return { name: short(i.label), value: i.value }; }),
                 label: { formatter: "{b}\n{c}" } }]
    });
  }
  pie("bands", data.bands, ["#e8a33d", "#d0632a", RED]);
  draw("axles", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 10, top: 20, bottom: 24 },
    xAxis: { type: "category", data: data.axles.map(function (i) { return short(i.label); }), axisLabel: { interval: 0 } },
    yAxis: { type: "value", name: "辆次" },
    series: [{ type: "bar", data: data.axles.map(function (i) { return i.value; }), itemStyle: { color: BLUE },
               label: { show: true, position: "top" } }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
