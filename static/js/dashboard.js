// Draws the dashboard charts from the JSON data island. The tables on the page hold the same figures and
// are what screen readers and browsers without JavaScript use; the charts are shown only once drawn.
(function () {
  "use strict";
  var island = document.getElementById("dashboard-data");
  if (!island || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(island.textContent);
  // GOV.UK colours with enough contrast against white and against each other.
  var colours = ["#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#f47738"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  window.Chart.defaults.font.family = "arial, sans-serif";
  window.Chart.defaults.font.size = 14;
  window.Chart.defaults.color = "#0b0c0c";

  document.querySelectorAll("[data-chart]").forEach(function (figure) {
    var figures = data[figure.getAttribute("data-chart")];
    var canvas = figure.querySelector("canvas");
    if (!figures || !canvas) {
      return;
    }
    var type = figure.getAttribute("data-chart-type");
    var stacked = type === "stacked";
    var horizontal = type === "horizontal";
    figure.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: figures.labels,
        datasets: figures.series.map(function (series, index) {
          return {
            label: series.label,
            data: series.data,
            backgroundColor: colours[index % colours.length],
          };
        }),
      },
      options: {
        animation: reduceMotion ? false : { duration: 300 },
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: true,
        aspectRatio: horizontal ? 3 : 2,
        plugins: {
          legend: { display: figures.series.length > 1, position: "bottom" },
        },
        scales: {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  });
})();
