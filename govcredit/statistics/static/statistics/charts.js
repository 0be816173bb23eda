/* 双公示统计 charts: the monthly trend (with the 100% target line) and the department ranking.
 * Data come from <script type="application/json"> blocks written by the page (json_script). Tooltips are
 * drawn on the canvas (renderMode "richText"): ECharts' HTML tooltips carry inline style attributes, which
 * the site's Content-Security-Policy refuses. */
(function () {
  "use strict";
  var RED = "#b71c1c";
  var LABELS = { on_time: "及时率", completeness: "完整率", publication: "公示率", target: "目标" };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function percent(v) { return v === null || v === undefined ? "—" : v + "%"; }

  function targetLine(target) {
    return {
      silent: true, symbol: "none",
      lineStyle: { color: RED, type: "dashed", width: 2 },
      label: { formatter: LABELS.target + " " + target + "%", position: "insideEndTop", color: RED },
      data: [{ yAxis: target, name: LABELS.target + " " + target + "%" }]
    };
  }

  function trendChart(el, d) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      color: ["#1d4ed8", "#15803d", "#a16207"],
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: percent },
      legend: { top: 0, data: [LABELS.on_time, LABELS.completeness, LABELS.publication] },
      grid: { left: 56, right: 32, top: 40, bottom: 36 },
      xAxis: { type: "category", data: d.months, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: LABELS.on_time, type: "line", data: d.on_time, symbolSize: 7, markLine: targetLine(d.target) },
        { name: LABELS.completeness, type: "line", data: d.completeness, symbolSize: 7 },
        { name: LABELS.publication, type: "line", data: d.publication, symbolSize: 5, lineStyle: { type: "dotted" } }
      ]
    });
    return chart;
  }

  function rankingChart(el, d) {
    var names = d.names.slice().reverse();
    var bars = d.on_time.slice().reverse().map(function (v) {
      return { value: v, itemStyle: { color: v !== null && v < d.target ? RED : "#15803d" } };
    });
    el.style.height = Math.min(900, Math.max(180, 64 + 30 * names.length)) + "px";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" }, valueFormatter: percent },
      grid: { left: 200, right: 48, top: 16, bottom: 32 },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: names, axisLabel: { width: 190, overflow: "truncate" } },
      series: [{
        name: LABELS.on_time, type: "bar", data: bars, barMaxWidth: 18,
        label: { show: true, position: "right", formatter: function (p) { return percent(p.value); } },
        markLine: {
          silent: true, symbol: "none", lineStyle: { color: RED, type: "dashed", width: 2 },
          label: { formatter: LABELS.target + " " + d.target + "%", color: RED }, data: [{ xAxis: d.target }]
        }
      }]
    });
    return chart;
  }

  function start() {
    if (typeof echarts === "undefined") { return; }
    LABELS = readJson("chart-labels") || LABELS;  // the page's language
    var charts = [];
    var trend = document.getElementById("trend-chart");
    var trendData = readJson("trend-data");
    if (trend && trendData) { charts.push(trendChart(trend, trendData)); trend.setAttribute("data-rendered", "1"); }
    var ranking = document.getElementById("ranking-chart");
    var rankingData = readJson("ranking-data");
    if (ranking && rankingData) { charts.push(rankingChart(ranking, rankingData)); ranking.setAttribute("data-rendered", "1"); }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
