/* The dashboard's charts (drawn by charts.js from the JSON of /dashboard/…), their table alternatives,
 * and the scope and date controls. */
(function () {
  "use strict";

  const lang = (document.documentElement.lang || "es").slice(0, 2);
  const numberLocale = lang === "es" ? "es-CL" : "en-US";
  const TIER_COLORS = {
    new: "#ced4da",
    prospect: "#adb5bd",
    buyer: "#8ecae6",
    sporadic: "#f4a261",
    frequent: "#2a9d8f",
    loyal: "#123c5a",
  };
  const CLASS_COLORS = { A: "#2a9d8f", B: "#8ab17d", C: "#e9c46a", L: "#e76f51" };
  const TEXT = "#343a40";
  const MUTED = "#6c757d";
  const GRID_LINE = "#e9ecef";
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

  function compactMoney(value, currency) {
    try {
      return new Intl.NumberFormat(numberLocale, {
        style: "currency",
        currency: currency || "CLP",
        notation: "compact",
        maximumFractionDigits: 1,
      }).format(value);
    } catch (error) {
      return window.CarteraCharts.formatNumber(value);
    }
  }

  function percent(value) {
    return new Intl.NumberFormat(numberLocale, { maximumFractionDigits: 0 }).format(value) + "\u00a0%";
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT, color: TEXT },
      animationDuration: 400,
      tooltip: { confine: true },
    };
  }

  // Accounts per loyalty tier: one bar per tier, coloured along the ladder.
  window.CarteraCharts.register("dashboard-tiers", (data) => ({
    ...base(),
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    tooltip: { trigger: "item", confine: true },
    xAxis: {
      type: "category",
      data: data.bars.map((bar) => bar.name),
      axisTick: { show: false },
      axisLabel: { color: TEXT, interval: 0, hideOverlap: false },
    },
    yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { color: MUTED } },
    series: [
      {
        type: "bar",
        name: data.table.caption,
        barMaxWidth: 56,
        cursor: "pointer",
        label: { show: true, position: "top", color: TEXT, formatter: (p) => window.CarteraCharts.formatNumber(p.value) },
        data: data.bars.map((bar) => ({
          value: bar.value,
          url: bar.url,
          itemStyle: { color: TIER_COLORS[bar.key], borderRadius: [4, 4, 0, 0] },
        })),
      },
    ],
  }));

  // Tier moves: a Sankey from "tier (before)" to "tier (now)".
  window.CarteraCharts.register("dashboard-moves", (data) => ({
    ...base(),
    tooltip: {
      trigger: "item",
      confine: true,
      formatter: (p) =>
        p.dataType === "edge"
          ? `${p.data.source} → ${p.data.target}: <b>${window.CarteraCharts.formatNumber(p.data.value)}</b>`
          : `${p.name}: <b>${window.CarteraCharts.formatNumber(p.value)}</b>`,
    },
    series: [
      {
        type: "sankey",
        left: 8,
        right: 150,
        top: 12,
        bottom: 12,
        nodeWidth: 14,
        nodeGap: 14,
        nodeAlign: "justify",
        draggable: false,
        cursor: "pointer",
        emphasis: { focus: "adjacency" },
        label: { color: TEXT, fontSize: 12 },
        lineStyle: { color: "gradient", opacity: 0.45, curveness: 0.5 },
        data: data.nodes.map((node) => ({
          name: node.name,
          url: node.url,
          itemStyle: { color: TIER_COLORS[node.tier] || MUTED, borderWidth: 0 },
          depth: node.side === "before" ? 0 : 1,
        })),
        links: data.links.map((link) => ({
          source: link.source,
          target: link.target,
          value: link.value,
          url: link.url,
        })),
      },
    ],
  }));

  // The profitability curve, its profit-class bands, and the 100 % line.
  window.CarteraCharts.register("dashboard-curve", (data) => ({
    ...base(),
    grid: { left: 8, right: 28, top: 28, bottom: 28, containLabel: true },
    tooltip: {
      trigger: "item",
      confine: true,
      formatter: (p) =>
        p.data && p.data.value
          ? `${percent(p.data.value[0])} → <b>${percent(p.data.value[1])}</b> (${p.data.profit_class})`
          : p.name,
    },
    xAxis: {
      type: "value",
      min: 0,
      max: 100,
      name: data.labels.x,
      nameLocation: "middle",
      nameGap: 24,
      nameTextStyle: { color: MUTED, fontSize: 11 },
      axisLabel: { color: MUTED, formatter: (v) => percent(v) },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      name: data.labels.y,
      nameTextStyle: { color: MUTED, fontSize: 11, align: "left" },
      axisLabel: { color: MUTED, formatter: (v) => percent(v) },
      splitLine: { lineStyle: { color: GRID_LINE } },
    },
    series: [
      {
        type: "line",
        smooth: false,
        showSymbol: true,
        symbolSize: 4,
        cursor: "pointer",
        lineStyle: { width: 2.5, color: "#123c5a" },
        areaStyle: { color: "rgba(18, 60, 90, 0.07)" },
        data: data.points.map((point) => ({
          value: point.value,
          url: point.url,
          profit_class: point.profit_class,
          itemStyle: { color: CLASS_COLORS[point.profit_class] },
        })),
        markArea: {
          silent: true,
          data: data.bands.map((band) => [
            {
              xAxis: band.from,
              name: band.profit_class,
              itemStyle: { color: CLASS_COLORS[band.profit_class], opacity: 0.1 },
              label: { color: MUTED, position: "insideTop", fontWeight: "bold" },
            },
            { xAxis: band.to },
          ]),
        },
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { color: MUTED, type: "dashed" },
          label: { formatter: percent(100), color: MUTED, position: "insideStartTop" },
          data: [{ yAxis: 100 }],
        },
      },
    ],
  }));

  // Net profit per segment or territory: horizontal bars, losses in red.
  window.CarteraCharts.register("dashboard-profit-bars", (data) => {
    const bars = data.bars.slice().reverse(); // the best on top
    return {
      ...base(),
      grid: { left: 132, right: 64, top: 8, bottom: 28 },
      tooltip: { trigger: "item", confine: true, formatter: (p) => `${p.name}: <b>${p.data.text}</b>` },
      xAxis: {
        type: "value",
        splitNumber: 4,
        axisLabel: { color: MUTED, hideOverlap: true, formatter: (v) => compactMoney(v, data.currency) },
        splitLine: { lineStyle: { color: GRID_LINE } },
      },
      yAxis: {
        type: "category",
        data: bars.map((bar) => bar.name),
        axisTick: { show: false },
        axisLine: { onZero: false, lineStyle: { color: GRID_LINE } },
        axisLabel: { color: TEXT, width: 120, overflow: "truncate" },
      },
      series: [
        {
          type: "bar",
          barMaxWidth: 26,
          cursor: "pointer",
          label: { show: true, color: TEXT, formatter: (p) => compactMoney(p.value, data.currency) },
          data: bars.map((bar) => ({
            value: bar.value,
            name: bar.name,
            text: bar.text,
            url: bar.url,
            // A loss's label goes to the right of its bar, over the empty side of zero, clear of the names.
            label: { position: "right" },
            itemStyle: { color: bar.value < 0 ? "#e76f51" : "#2a9d8f", borderRadius: bar.value < 0 ? [4, 0, 0, 4] : [0, 4, 4, 0] },
          })),
        },
      ],
    };
  });

  // The table alternative of each chart, from the same JSON.
  function fillTable(container, table) {
    container.textContent = "";
    if (!table) return;
    const element = document.createElement("table");
    element.className = "table table-sm mb-0";
    const caption = document.createElement("caption");
    caption.textContent = table.caption;
    element.appendChild(caption);
    const head = element.createTHead().insertRow();
    table.columns.forEach((name, index) => {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = name;
      if (index > 0 && table.rows.length && table.rows[0][index].num) cell.className = "num";
      head.appendChild(cell);
    });
    const body = element.createTBody();
    table.rows.forEach((row) => {
      const line = body.insertRow();
      row.forEach((item) => {
        const cell = line.insertCell();
        if (item.num) cell.className = "num";
        if (item.url) {
          const link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.text;
          cell.appendChild(link);
        } else {
          cell.textContent = item.text;
        }
      });
    });
    container.appendChild(element);
  }

  function tableFor(chart) {
    const card = chart.closest(".card-body");
    return card && card.querySelector("[data-chart-table]");
  }

  document.addEventListener("chart:drawn", (event) => {
    const container = tableFor(event.target);
    if (container) fillTable(container, event.detail.data.table);
  });

  document.addEventListener("DOMContentLoaded", () => {
    // The scope applies as soon as it is chosen; the button stays for keyboards and no-script.
    const scope = document.querySelector(".dashboard-scope select");
    if (scope) scope.addEventListener("change", () => scope.form.requestSubmit());

    // A new date redraws the flow chart only, and keeps the date in the address.
    const movesForm = document.querySelector(".moves-form");
    const moves = document.querySelector('[data-chart="dashboard-moves"]');
    if (movesForm && moves) {
      movesForm.addEventListener("submit", (event) => {
        const since = movesForm.elements.since;
        if (!since.value || !since.checkValidity()) return; // let the server explain
        event.preventDefault();
        const chartUrl = new URL(moves.dataset.chartUrl, window.location.href);
        chartUrl.searchParams.set("since", since.value);
        moves.dataset.chartUrl = chartUrl.pathname + chartUrl.search;
        const pageUrl = new URL(window.location.href);
        pageUrl.searchParams.set("since", since.value);
        window.history.replaceState(null, "", pageUrl.pathname + pageUrl.search);
        const container = tableFor(moves);
        if (container) container.textContent = "";
        window.CarteraCharts.draw(moves);
      });
      movesForm.elements.since.addEventListener("change", () => movesForm.requestSubmit());
    }
  });
})();
