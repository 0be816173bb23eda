/* 区域政务诚信监测: the district map (from the shipped GeoJSON) and the 12-month trend. Data come from the
 * page's <script type="application/json" id="ind-data"> (json_script); tooltips are drawn on the canvas
 * (renderMode "richText") because ECharts' HTML tooltips carry inline styles the CSP refuses. Without
 * ECharts or the GeoJSON the grid of districts below the map stays as the fallback. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function trend(el, d) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var keys = ["yellow", "orange", "red"];
    chart.setOption({
      animation: false,
      color: keys.map(function (k) { return d.colours[k]; }),
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, data: keys.map(function (k) { return d.labels[k]; }) },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: d.trend.months || [] },
      yAxis: { type: "value", minInterval: 1 },
      series: keys.map(function (k) {
        return { name: d.labels[k], type: "bar", stack: "all", data: (d.trend.levels || {})[k] || [] };
      })
    });
    return chart;
  }

  function map(el, d, geo) {
    echarts.registerMap("nanjing", geo);
    var order = { none: -1, green: 0, yellow: 1, orange: 2, red: 3 };
    var data = geo.features.map(function (f) {
      var name = f.properties.name, key = "none";
      Object.keys(d.map).forEach(function (org) { if (org.indexOf(name) >= 0) { key = d.map[org]; } });
      return { name: name, value: order[key], itemStyle: { areaColor: d.colours[key] }, level: d.labels[key] };
    });
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText",
                 formatter: function (p) { return p.name + " " + (p.data ? p.data.level : ""); } },
      series: [{ type: "map", map: "nanjing", roam: false, data: data, label: { show: true, fontSize: 10 },
                 emphasis: { label: { show: true } } }]
    });
    return chart;
  }

  function start() {
    var d = readJson("ind-data");
    if (!d || typeof echarts === "undefined") { return; }
    var charts = [];
    var t = document.getElementById("ind-trend");
    if (t) { charts.push(trend(t, d)); }
    var m = document.getElementById("ind-map");
    if (m && Object.keys(d.map).length > 0 && window.fetch) {
      fetch(m.getAttribute("data-geojson")).then(function (r) { return r.json(); }).then(function (geo) {
        charts.push(map(m, d, geo));
        var grid = document.getElementById("ind-grid");
        if (grid) { grid.classList.add("ind-hidden"); }
        m.setAttribute("data-ready", "1");
      }).catch(function () { m.classList.add("ind-map-off"); });
    } else if (m) {
      m.classList.add("ind-map-off");
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
