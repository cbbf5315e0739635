/* The statistics dashboard: draws the charts from the JSON block the page carries (no inline script).
   Every bar or point links to the filtered list behind it. */
(function () {
  "use strict";
  var block = document.getElementById("stats-charts");
  var data = block ? JSON.parse(block.textContent) : {};

  function draw(el) {
    var spec = data[el.getAttribute("data-chart")];
    if (!spec || typeof echarts === "undefined") { return; }
    var isTrend = el.getAttribute("data-chart") === "trend";
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var horizontal = el.getAttribute("data-chart") === "by_unit";
    var category = { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: horizontal ? 0 : 30 } };
    var value = { type: "value", minInterval: 1 };
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({}, category, { axisLabel: { interval: 0 } }) : value,
      series: spec.series.map(function (s) {
        return { name: s.name, type: isTrend ? "line" : "bar", data: s.data, stack: isTrend ? undefined : "all", smooth: false };
      })
    });
    chart.on("click", function (params) {
      var series = spec.series[params.seriesIndex];
      if (!series || !series.base) { return; }
      var i = params.dataIndex;
      var joiner = series.base.indexOf("?") >= 0 ? "&" : "?";
      var extra = spec.periods
        ? "from=" + spec.periods[i][0] + "&to=" + spec.periods[i][1]
        : encodeURIComponent(series.param) + "=" + encodeURIComponent(spec.ids[i]);
      window.location.href = series.base + joiner + extra;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var charts = document.querySelectorAll("[data-chart]");
  for (var i = 0; i < charts.length; i++) { draw(charts[i]); }

  /* The period picker: show only the fields of the chosen kind. */
  var kind = document.getElementById("f-period");
  function sync() {
    if (!kind) { return; }
    var k = kind.value;
    var show = { "f-year": k !== "custom", "f-quarter": k === "quarter", "f-month": k === "month", "f-from": k === "custom", "f-to": k === "custom" };
    Object.keys(show).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) { field.parentElement.classList.toggle("d-none", !show[id]); field.disabled = !show[id]; }
    });
  }
  if (kind) { kind.addEventListener("change", sync); sync(); }
})();
