/* The B2C profiles chart: revenue and margin of the last 12 months per profile (horizontal bars). */
(function () {
  "use strict";

  const locale = (document.documentElement.lang || "es").slice(0, 2) === "es" ? "es-CL" : "en-US";

  window.CarteraCharts.register("profile-figures", (data) => {
    const full = new Intl.NumberFormat(locale, { style: "currency", currency: data.currency, maximumFractionDigits: 0 });
    const compact = new Intl.NumberFormat(locale, {
      style: "currency", currency: data.currency, notation: "compact", maximumFractionDigits: 1,
    });
    const profiles = data.profiles.slice().reverse(); // the first profile on top
    const names = profiles.map((item) => (item.active ? item.name : `${item.name} (${data.labels.inactive})`));
    const bar = (key, color) => ({
      name: data.labels[key],
      type: "bar",
      barMaxWidth: 18,
      itemStyle: { color },
      data: profiles.map((item) => ({ value: item[key], url: item.url })),
    });
    return {
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (value) => full.format(value) },
      xAxis: { type: "value", splitNumber: 3, axisLabel: { formatter: (value) => compact.format(value) } },
      yAxis: { type: "category", data: names, axisLabel: { width: 150, overflow: "truncate" } },
      series: [bar("revenue", "#123c5a"), bar("margin", "#3c9d6e")],
    };
  });
})();
