// Draws the awards dashboard's charts with the Chart.js that django-unfold ships (no CDN).
(function () {
  const colours = ["#6366f1", "#10b981", "#f59e0b", "#ef4444"];
  const won = new Intl.NumberFormat("ko-KR");
  function draw(canvasId, dataId) {
    const canvas = document.getElementById(canvasId);
    const source = document.getElementById(dataId);
    if (!canvas || !source || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    data.datasets.forEach((d, i) => { d.backgroundColor = colours[i % colours.length]; });
    canvas.chart = new Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        responsive: true,
        animation: false,
        scales: { y: { beginAtZero: true, grace: "5%", ticks: { callback: (v) => won.format(v / 100000000) + "억" } } },
        plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + won.format(c.raw) + "원" } } },
      },
    });
    window.awardsCharts = window.awardsCharts || {};
    window.awardsCharts[canvasId] = data;
  }
  draw("chart-year", "chart-year-data");
  draw("chart-region", "chart-region-data");
})();
