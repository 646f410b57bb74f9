/* Charts drawn in the browser from JSON the server computes.
 *
 * Markup: <div class="chart" data-chart="KIND" data-chart-url="/…/data/" data-empty-text="…"></div>
 * The server answers {"empty": bool, ...}; a renderer registered for KIND turns that answer into an
 * ECharts option. Data items may carry a "url": clicking them opens it (the accounts behind the mark).
 * Charts use the SVG renderer so that they stay sharp and their marks can be inspected and tested.
 */
(function () {
  "use strict";

  const renderers = {};
  const locale = (document.documentElement.lang || "es").slice(0, 2);
  const numberFormat = new Intl.NumberFormat(locale === "es" ? "es-CL" : "en-US", { maximumFractionDigits: 0 });

  function register(kind, renderer) {
    renderers[kind] = renderer;
  }

  function showEmpty(element, text) {
    element.classList.add("chart-empty");
    element.innerHTML = "";
    const message = document.createElement("p");
    message.className = "chart-empty-text text-body-secondary";
    message.textContent = text || element.dataset.emptyText || "";
    element.appendChild(message);
  }

  async function draw(element) {
    const kind = element.dataset.chart;
    const renderer = renderers[kind];
    if (!renderer || !window.echarts) return;
    const previous = window.echarts.getInstanceByDom(element);
    if (previous) previous.dispose();
    element.classList.remove("chart-empty");
    element.setAttribute("aria-busy", "true");
    let data;
    try {
      const response = await fetch(element.dataset.chartUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      data = await response.json();
    } catch (error) {
      showEmpty(element, element.dataset.errorText);
      element.removeAttribute("aria-busy");
      return;
    }
    element.removeAttribute("aria-busy");
    if (data.empty) {
      showEmpty(element);
      return;
    }
    element.innerHTML = "";
    const chart = window.echarts.init(element, null, { renderer: "svg", locale: locale === "es" ? "ES" : "EN" });
    chart.setOption(renderer(data, element));
    chart.on("click", (params) => {
      const url = (params.data && params.data.url) || (params.value && params.value.url);
      if (url) window.location.assign(url);
    });
    element.dataset.chartReady = "true";
    element.dispatchEvent(new CustomEvent("chart:drawn", { bubbles: true, detail: { chart, data } }));
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-chart]").forEach((element) => draw(element));
  }

  window.addEventListener("resize", () => {
    document.querySelectorAll("[data-chart-ready]").forEach((element) => {
      const chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));

  window.CarteraCharts = { register, draw, drawAll, formatNumber: (value) => numberFormat.format(value) };
})();
