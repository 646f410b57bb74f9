/* The coverage pages: a portfolio's small charts, the map of the regions, and the tick boxes of the
 * assignment list. Charts are drawn by charts.js (CarteraCharts); this file only turns each JSON answer
 * into an ECharts option.
 */
(function () {
  "use strict";

  const BRAND = "#123c5a";
  const TIER_COLORS = {
    prospect: "#adb5bd",
    buyer: "#6ea8d9",
    sporadic: "#e0a800",
    frequent: "#2f9e5b",
    loyal: BRAND,
  };
  // Territories in focus on the map, one colour each (regions outside them are grey).
  const TERRITORY_COLORS = ["#1f6fa8", "#2f9e5b", "#c9731b", "#7b4fa6", "#b8354a", "#168a8a", "#8a6d1f", "#4a5fc1"];
  const OUTSIDE = "#e9ecef";

  function horizontalBars(items, colorOf) {
    return {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${CarteraCharts.formatNumber(p.value)}` },
      xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef0f2" } } },
      yAxis: { type: "category", inverse: true, data: items.map((item) => item.name), axisTick: { show: false } },
      series: [
        {
          type: "bar",
          barMaxWidth: 22,
          label: { show: true, position: "right", formatter: (p) => CarteraCharts.formatNumber(p.value) },
          data: items.map((item, index) => ({
            ...item,
            itemStyle: { color: colorOf(item, index), borderRadius: [0, 3, 3, 0] },
          })),
          cursor: "pointer",
        },
      ],
    };
  }

  function registerCharts() {
    CarteraCharts.register("portfolio-tiers", (data) =>
      horizontalBars(data.items, (item) => TIER_COLORS[item.key] || BRAND)
    );
    CarteraCharts.register("portfolio-segments", (data) =>
      horizontalBars(data.items, (item, index) => TERRITORY_COLORS[index % TERRITORY_COLORS.length])
    );
  }

  /* The region map. The GeoJSON (Natural Earth admin-1, simplified) names each feature by its ISO 3166-2
   * code in `properties.code`; the JSON endpoint gives, per code, its territory and counts. */
  function mapOption(data, element) {
    const labels = element.dataset;
    const colours = {};
    let next = 0;
    const items = data.items.map((item) => {
      let colour = OUTSIDE;
      if (item.in_focus) {
        if (!(item.territory in colours)) colours[item.territory] = TERRITORY_COLORS[next++ % TERRITORY_COLORS.length];
        colour = colours[item.territory];
      }
      return {
        ...item,
        value: item.accounts,
        itemStyle: { areaColor: colour },
        emphasis: { itemStyle: { areaColor: colour, borderColor: "#212529", borderWidth: 1.5 } },
      };
    });
    element.territoryColours = colours;
    return {
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          const item = p.data;
          if (!item) return p.name;
          const territory = item.territory || labels.labelNone;
          return (
            `<strong>${escapeHtml(item.label)}</strong><br>${escapeHtml(labels.labelTerritory)}: ${escapeHtml(territory)}` +
            `<br>${escapeHtml(labels.labelAccounts)}: ${CarteraCharts.formatNumber(item.accounts)}` +
            `<br>${escapeHtml(labels.labelProspects)}: ${CarteraCharts.formatNumber(item.prospects)}`
          );
        },
      },
      series: [
        {
          type: "map",
          map: `regions-${data.country}`,
          nameProperty: "code",
          roam: false,
          aspectScale: 0.85,
          top: 6,
          bottom: 6,
          selectedMode: false,
          label: { show: false },
          emphasis: { label: { show: false } },
          itemStyle: { borderColor: "#ffffff", borderWidth: 0.6 },
          data: items,
          cursor: "pointer",
        },
      ],
    };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  const geoLoads = {};
  function loadGeo(url, name) {
    if (!geoLoads[url]) {
      geoLoads[url] = fetch(url, { credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then((geojson) => window.echarts.registerMap(name, geojson));
    }
    return geoLoads[url];
  }

  const domReady = new Promise((resolve) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve, { once: true });
    else resolve();
  });

  /* The map renderer is registered only once its GeoJSON is in ECharts, and after charts.js's first pass
   * (which skips kinds nobody registered yet), so each map is drawn exactly once. */
  function setUpMaps() {
    const maps = document.querySelectorAll('[data-chart="region-map"]');
    if (!maps.length || !window.echarts) return;
    const url = maps[0].dataset.geojsonUrl;
    Promise.all([loadGeo(url, "regions-CL"), domReady])
      .then(() => {
        CarteraCharts.register("region-map", mapOption);
        maps.forEach((element) => CarteraCharts.draw(element));
      })
      .catch(() => {
        maps.forEach((element) => {
          element.classList.add("chart-empty");
          element.innerHTML = "";
          const message = document.createElement("p");
          message.className = "chart-empty-text text-body-secondary";
          message.textContent = element.dataset.errorText || "";
          element.appendChild(message);
        });
      });
  }

  /* The map's key: elements marked data-territory-swatch="<territory name>" get that territory's colour. */
  document.addEventListener("chart:drawn", (event) => {
    const colours = event.target.territoryColours;
    if (!colours) return;
    document.querySelectorAll("[data-territory-swatch]").forEach((swatch) => {
      const colour = colours[swatch.dataset.territorySwatch];
      if (colour) {
        swatch.style.backgroundColor = colour;
        swatch.hidden = false;
      }
    });
  });

  /* The assignment list: a box that ticks every row of the page, and how many are ticked. */
  function setUpTicks() {
    const form = document.querySelector('[data-testid="assign-form"]');
    if (!form) return;
    const counter = form.querySelector("[data-ticked-count]");
    const template = counter ? counter.dataset.template || "" : "";
    function refresh() {
      const boxes = form.querySelectorAll('input[name="accounts"]');
      const ticked = form.querySelectorAll('input[name="accounts"]:checked').length;
      const all = form.querySelector("[data-tick-all]");
      if (all) {
        all.checked = boxes.length > 0 && ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      if (counter) counter.textContent = ticked ? template.replace("{n}", ticked) : "";
    }
    form.addEventListener("change", (event) => {
      if (event.target.matches("[data-tick-all]")) {
        form.querySelectorAll('input[name="accounts"]').forEach((box) => {
          box.checked = event.target.checked;
        });
      }
      refresh();
    });
    document.addEventListener("htmx:afterSettle", refresh);
    refresh();
  }

  if (window.CarteraCharts) registerCharts();
  setUpMaps();
  domReady.then(setUpTicks);
})();
