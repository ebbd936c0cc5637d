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
      type: data.labels.length < 3 ? "bar" : "line",
      data: data,
      options: {
        responsive: true,
        animation: false,
        scales: { y: { beginAtZero: true, grace: "5%", ticks: { callback: (v) => v + "%" } } },
        plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + (c.raw === null ? "—" : c.raw + "%") } } },
      },
    });
    window.monitoringCharts = window.monitoringCharts || {};
    window.monitoringCharts[canvasId] = data;
  }
  draw("chart-region", "chart-region-data");
  draw("chart-track", "chart-track-data");
})();

// "Recompute all rollups": starts the Celery task, then shows its progress from the task's own meta.
(function () {
  const button = document.getElementById("rebuild");
  if (!button) return;
  const bar = document.getElementById("rebuild-progress");
  const status = document.getElementById("rebuild-status");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  button.addEventListener("click", async () => {
    button.disabled = true;
    bar.hidden = false;
    bar.removeAttribute("value");
    status.textContent = "";
    try {
      const started = await fetch(button.dataset.url, { method: "POST", headers: { "X-CSRFToken": csrf } });
      if (!started.ok) throw new Error(started.status);
      const { task_id } = await started.json();
      const url = button.dataset.progress.replace("TASK", task_id);
      for (;;) {
        const state = await (await fetch(url)).json();
        if (state.state === "PROGRESS") { bar.max = state.total; bar.value = state.current; status.textContent = state.current + " / " + state.total; }
        if (state.state === "SUCCESS") { bar.max = 1; bar.value = 1; status.textContent = "✔"; break; }
        if (state.state === "FAILURE") { status.textContent = "✖ " + (state.error || ""); break; }
        await new Promise((r) => setTimeout(r, 1000));
      }
    } catch (err) {
      status.textContent = "✖ " + err;
    } finally {
      button.disabled = false;
    }
  });
})();
