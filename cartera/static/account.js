/* The account page (360°): its two charts, and the quick actions that refresh the page in place.
 *
 * Quick actions answer with HX-Trigger events: "quick-action-done" closes the modal and shows a toast,
 * "account-changed" re-fetches the health header (which keeps asking until the insights refresh queued
 * by the action has run), and "<section>-changed" events make sections fetch themselves (hx-trigger).
 */
(function () {
  "use strict";

  // Invalid input (422) and a stale version (409) come back as fragments to show in place.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true, error: false },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  const COLORS = {
    revenue: "#2f6f9f",
    cost: "#d9822b",
    profit: "#2e8b57",
    loss: "#c0392b",
    margin: "#6aa6c8",
  };

  // Axis and bar labels in the page's language ("1,5 M", "275 k"; "1.5M", "2.3B" in English): the
  // browser's compact notation, so no unit abbreviation is hard-coded here.
  const compactFormat = new Intl.NumberFormat(
    (document.documentElement.lang || "es").startsWith("es") ? "es-CL" : "en-US",
    { notation: "compact", maximumFractionDigits: 1 },
  );

  function compact(value) {
    return compactFormat.format(value);
  }

  // Axis labels on at most two short lines ("Costo de la\nmercadería"), so that they never overlap.
  function wrap(label, width) {
    const lines = [""];
    label.split(" ").forEach((word) => {
      const line = lines[lines.length - 1];
      if (line && (line + " " + word).length > width) lines.push(word);
      else lines[lines.length - 1] = line ? line + " " + word : word;
    });
    return lines.join("\n");
  }

  /* Revenue as a bar from zero, each cost as a bar hanging from the running total, net profit from zero. */
  function waterfall(data) {
    let running = 0;
    const items = data.steps.map((step, index) => {
      let low;
      let high;
      if (step.total) {
        low = Math.min(0, step.value);
        high = Math.max(0, step.value);
        running = step.value;
      } else {
        const end = running + step.value;
        low = Math.min(running, end);
        high = Math.max(running, end);
        running = end;
      }
      let color = COLORS.cost;
      if (step.key === "revenue") color = COLORS.revenue;
      if (step.key === "net_profit") color = step.value >= 0 ? COLORS.profit : COLORS.loss;
      return { value: [index, low, high, step.value], text: step.text, label: step.label, color };
    });
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 24, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: (params) => `${params.data.label}<br><strong>${params.data.text}</strong>`,
      },
      xAxis: {
        type: "category",
        data: data.steps.map((step) => wrap(step.label, 12)),
        axisTick: { show: false },
        axisLabel: { interval: 0, fontSize: 11, lineHeight: 13 },
      },
      yAxis: { type: "value", axisLabel: { formatter: compact }, splitLine: { lineStyle: { color: "#eef0f2" } } },
      series: [
        {
          type: "custom",
          name: "waterfall",
          encode: { x: 0, y: [1, 2] },
          data: items,
          renderItem: (params, api) => {
            const index = api.value(0);
            const top = api.coord([index, api.value(2)]);
            const bottom = api.coord([index, api.value(1)]);
            const width = api.size([1, 0])[0] * 0.6;
            const item = items[params.dataIndex];
            return {
              type: "group",
              children: [
                {
                  type: "rect",
                  shape: { x: top[0] - width / 2, y: top[1], width, height: Math.max(1, bottom[1] - top[1]) },
                  style: { fill: item.color },
                },
                {
                  type: "text",
                  style: {
                    text: compact(api.value(3)),
                    x: top[0],
                    y: top[1] - 4,
                    align: "center",
                    verticalAlign: "bottom",
                    fontSize: 11,
                    fill: "#343a40",
                  },
                },
              ],
            };
          },
        },
      ],
    };
  }

  function trend(data) {
    const byKey = Object.fromEntries(data.series.filter((s) => s.charted).map((series) => [series.key, series]));
    const series = [
      { key: "revenue", type: "bar", color: COLORS.margin, barMaxWidth: 18 },
      { key: "gross_margin", type: "line", color: COLORS.revenue, symbolSize: 4 },
      { key: "net_profit", type: "line", color: COLORS.profit, symbolSize: 4 },
    ].map((spec) => ({
      name: byKey[spec.key].label,
      type: spec.type,
      data: byKey[spec.key].values,
      itemStyle: { color: spec.color },
      lineStyle: { width: 2 },
      symbolSize: spec.symbolSize,
      barMaxWidth: spec.barMaxWidth,
    }));
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      tooltip: {
        trigger: "axis",
        formatter: (params) => {
          const month = params.length ? params[0].axisValue : "";
          const charted = data.series.filter((s) => s.charted);
          const rows = params.map((p) => {
            const text = charted[p.seriesIndex].texts[p.dataIndex];
            return `${p.marker} ${p.seriesName}: <strong>${text}</strong>`;
          });
          return [month, ...rows].join("<br>");
        },
      },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", axisLabel: { formatter: compact }, splitLine: { lineStyle: { color: "#eef0f2" } } },
      series,
    };
  }

  // The trend's table alternative, built from the same JSON once the chart is drawn: a month per row.
  function trendTable(data, container) {
    const table = document.createElement("table");
    table.className = "table table-sm mb-0";
    const head = table.createTHead().insertRow();
    [data.month_label, ...data.series.map((s) => s.label)].forEach((text, index) => {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = text;
      if (index) cell.className = "num";
      head.appendChild(cell);
    });
    const body = table.createTBody();
    data.months.forEach((month, row) => {
      const line = body.insertRow();
      const label = document.createElement("th");
      label.scope = "row";
      label.className = "nowrap";
      label.textContent = month;
      line.appendChild(label);
      data.series.forEach((s) => {
        const cell = line.insertCell();
        cell.className = "num";
        cell.textContent = s.texts[row];
      });
    });
    container.replaceChildren(table);
  }

  document.addEventListener("chart:drawn", (event) => {
    const details = document.querySelector(`[data-chart-table="${event.target.id}"]`);
    if (!details) return;
    trendTable(event.detail.data, details.querySelector(".table-responsive"));
    details.hidden = false;
  });

  CarteraCharts.register("account-waterfall", waterfall);
  CarteraCharts.register("account-trend", trend);

  function refreshHeader(since) {
    const page = document.querySelector("[data-header-url]");
    const header = document.getElementById("account-header");
    if (!page || !header || !window.htmx) return;
    htmx.ajax("GET", page.dataset.headerUrl, {
      target: header,
      swap: "outerHTML",
      values: since ? { since } : {},
    });
  }

  document.body.addEventListener("account-changed", (event) => {
    refreshHeader(event.detail && event.detail.since);
  });

  document.body.addEventListener("quick-action-done", (event) => {
    const modal = document.getElementById("quick-action");
    if (modal && window.bootstrap) bootstrap.Modal.getOrCreateInstance(modal).hide();
    const toast = document.getElementById("quick-action-toast");
    if (toast && window.bootstrap) {
      toast.querySelector(".toast-body").textContent = (event.detail && event.detail.message) || "";
      bootstrap.Toast.getOrCreateInstance(toast).show();
    }
  });

  // A form swapped into the modal gets the focus on its first field; errors put it on the first invalid one.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id !== "quick-action-content") return;
    const field =
      event.target.querySelector(".is-invalid") ||
      event.target.querySelector(".modal-body input:not([type=hidden]), .modal-body select, .modal-body textarea");
    if (field) field.focus();
  });

  // The modal starts from its loading state each time it opens, so an old form never flashes.
  document.addEventListener("DOMContentLoaded", () => {
    const modal = document.getElementById("quick-action");
    if (!modal) return;
    const content = document.getElementById("quick-action-content");
    const loading = content.innerHTML;
    modal.addEventListener("hidden.bs.modal", () => {
      content.innerHTML = loading;
    });
  });
})();
