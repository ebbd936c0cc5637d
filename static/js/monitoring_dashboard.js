// Draws the monitoring dashboard's charts with the Chart.js that django-unfold ships (no CDN).
(function () {
  const colours = ["#6366f1", "#10b981", "#f59e0b", "#ef4444", "#0ea5e9", "#a855f7", "#84cc16", "#f97316"];
  function draw(canvasId, dataId) {
    const canvas = document.getElementById(canvasId);
    const source = document.getElementById(dataId);
    if (!canvas || !source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    data.datasets.forEach((d, i) => { d.borderColor = d.backgroundColor = colours[i % colours.length]; d.spanGaps = true; });
    canvas.chart = new Chart(canvas, {
      type: "line",
      data: data,
      options: {
        responsive: true,
        scales: { y: { beginAtZero: true, ticks: { callback: (v) => v + "%" } } },
        plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + (c.raw === null ? "—" : c.raw + "%") } } },
      },
    });
    window.monitoringCharts = window.monitoringCharts || {};
    window.monitoringCharts[canvasId] = data;
  }
  draw("chart-region", "chart-region-data");
  draw("chart-track", "chart-track-data");
})();
