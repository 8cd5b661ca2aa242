// The analytics page's charts (Apache ECharts, web_client/vendor/) and the words that say the same: each draw
// function fills a chart element and gives it an aria-label (role="img") that carries the chart's numbers.
// Tooltips are drawn inside the canvas (renderMode "richText"): the pages' CSP allows no inline style, which
// ECharts' HTML tooltips would need.
(function () {
  "use strict";
  const PALETTE = ["#1f5fd1", "#d9822b", "#137a3a", "#8e44ad", "#b3261e", "#0f8b8d", "#5b6475", "#c2185b"];
  const STAGE_COLOURS = ["#0b3a8c", "#1f5fd1", "#4a86e8", "#7fa9ee", "#a8c4f3", "#137a3a"];
  const charts = new Map();  // element id -> ECharts instance

  const sep = () => (I18N.lang === "zh" ? "；" : "; ");
  const colon = I18N.colon;
  const two = (v) => (v == null ? "–" : v.toFixed(2));
  const one = (v) => (v == null ? "–" : v.toFixed(1));
  const pct = (v) => (v == null ? "–" : Math.round(v * 100) + "%");
  const narrow = () => window.innerWidth < 600;

  function chart(el) {
    let c = charts.get(el.id);
    if (!c || c.isDisposed()) { c = echarts.init(el, null, { renderer: "canvas" }); charts.set(el.id, c); }
    return c;
  }
  function draw(el, option, label) {
    el.setAttribute("aria-label", label);
    const base = { color: PALETTE, animation: false, textStyle: { fontFamily: "system-ui, sans-serif" },
      tooltip: { renderMode: "richText", confine: true } };
    chart(el).setOption(Object.assign(base, option), true);
  }
  function clear(el) { const c = charts.get(el.id); if (c) c.clear(); el.removeAttribute("aria-label"); }
  // all charts follow their box (the window, a phone turned, a <details> opened)
  const resize = () => charts.forEach((c) => { if (!c.isDisposed()) c.resize(); });
  if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body); else window.addEventListener("resize", resize);

  // names in the page's language
  // a competency is kept under its plan's key; ``names`` (a report's competency_names) gives what a reader sees
  function competencyName(c, names) {
    if (c === "(all)") return I18N.t("an_all_competencies");
    return (names && names[c] && names[c][I18N.lang]) || c;
  }
  function channelName(ch) {
    const key = "an_ch_" + ch, text = I18N.t(key);
    if (text !== key) return text;
    return ch.endsWith("_import") ? I18N.t("an_ch_other_import", { system: ch.slice(0, -7) }) : ch;
  }
  function stageName(stage) { return I18N.t("an_stage_" + stage); }
  function periodName(p) { return p; }  // "2026-03" / "2026-W09" read the same in both languages

  // --- match scores ---------------------------------------------------------------------------------------
  function histogram(el, r) {
    const labels = r.bins.map((b) => `${Math.round(b.low)}–${Math.round(b.high)}`);
    const label = I18N.t("an_ms_hist_alt", { n: r.n, mean: one(r.mean), median: one(r.median) }) + " "
      + r.bins.map((b, i) => labels[i] + colon() + b.n).join(sep());
    draw(el, {
      grid: { left: 8, right: 12, top: 28, bottom: 24, containLabel: true },
      xAxis: { type: "category", data: labels, name: I18N.t("an_ax_score"), nameLocation: "middle", nameGap: narrow() ? 44 : 28,
        axisLabel: { interval: 0, rotate: narrow() ? 45 : 0, fontSize: 11 } },
      yAxis: { type: "value", name: I18N.t("an_ax_resumes"), minInterval: 1 },
      series: [{ type: "bar", name: I18N.t("an_ax_resumes"), data: r.bins.map((b) => b.n), barCategoryGap: "12%",
        label: { show: true, position: "top" } }],
    }, label);
  }

  function trend(el, r) {
    const periods = r.trend.map((p) => periodName(p.period));
    const label = I18N.t("an_ms_trend_alt") + " " + r.trend.map((p) =>
      I18N.t("an_ms_trend_item", { period: p.period, n: p.n, mean: one(p.mean) })).join(sep());
    draw(el, {
      legend: { top: 0, data: [I18N.t("an_col_mean"), I18N.t("an_col_median"), I18N.t("an_ax_resumes")] },
      grid: { left: 8, right: 8, top: 58, bottom: 8, containLabel: true },
      tooltip: { renderMode: "richText", confine: true, trigger: "axis" },
      xAxis: { type: "category", data: periods, axisLabel: { rotate: narrow() && periods.length > 4 ? 45 : 0 } },
      yAxis: [{ type: "value", min: 0, max: 100, name: I18N.t("an_ax_score") },
        { type: "value", name: "n", minInterval: 1, splitLine: { show: false } }],
      series: [
        { type: "bar", name: I18N.t("an_ax_resumes"), yAxisIndex: 1, data: r.trend.map((p) => p.n), itemStyle: { color: "#d5dbea" },
          label: { show: true, position: "insideBottom", color: "#5b6475", formatter: (p) => (p.value ? "n " + p.value : "") } },
        { type: "line", name: I18N.t("an_col_mean"), data: r.trend.map((p) => p.mean), connectNulls: false, symbolSize: 7,
          label: { show: !narrow(), position: "top", formatter: (p) => one(p.value) } },
        { type: "line", name: I18N.t("an_col_median"), data: r.trend.map((p) => p.median), lineStyle: { type: "dashed" }, symbolSize: 5 },
      ],
    }, label);
  }

  // --- funnel: one group of bars per channel, one bar per stage (each group narrows like a funnel) -------------
  function funnel(el, r) {
    const channels = r.channels.map((c) => channelName(c.channel));
    const label = I18N.t("an_fn_alt", { jobs: r.jobs }) + " " + r.channels.map((c) => channelName(c.channel) + colon()
      + c.stages.map((s) => `${stageName(s.stage)} ${s.n}`).join(", ")).join(sep());
    const phone = narrow();
    el.classList.toggle("taller", channels.length > 5);
    el.classList.toggle("fn-phone", phone);  // taller on a phone: room for every bar's number and the legend below
    draw(el, {
      color: STAGE_COLOURS,
      // every step named in full: above the chart on a wide screen, wrapped in rows under it on a phone (no pager)
      legend: phone ? { bottom: 0, left: "center", type: "plain", itemGap: 12, itemWidth: 14, itemHeight: 10,
        textStyle: { fontSize: 11 }, data: r.stages.map(stageName) } : { top: 0, type: "plain", data: r.stages.map(stageName) },
      grid: { left: 8, right: phone ? 26 : 36, top: phone ? 8 : 40, bottom: phone ? 84 : 26, containLabel: true },
      tooltip: { renderMode: "richText", confine: true, trigger: "item",
        formatter: (p) => `${p.name}\n${p.seriesName}: ${p.value} (${pct(r.channels[p.dataIndex].stages[p.seriesIndex].of_first)})` },
      yAxis: { type: "category", data: channels, inverse: true, axisLabel: { width: narrow() ? 80 : 140, overflow: "break", fontSize: narrow() ? 11 : 12 } },
      xAxis: { type: "value", minInterval: 1, name: I18N.t("an_ax_candidates"), nameLocation: "middle", nameGap: 24 },
      series: r.stages.map((stage, i) => ({
        type: "bar", name: stageName(stage), data: r.channels.map((c) => c.stages[i].n), barGap: "8%", barCategoryGap: "22%",
        label: { show: true, position: "right", fontSize: phone ? 9 : 10, distance: 3 } })),
    }, label);
  }

  // --- intervals: a point with its 95 % range per category ("forest plot"), "too few" where there is no figure ---
  // groups: [{name, values: [{value, ci_low, ci_high, n} per category]}]
  // mark: an x value drawn as a dashed reference line (e.g. 0.75, good agreement)
  function forest(el, categories, groups, range, label, mark) {
    const k = groups.length;
    const series = groups.map((g, gi) => ({
      type: "custom", name: g.name,
      encode: { x: [1, 2, 3], y: 0 },
      data: g.values.map((v, ci) => [ci, v.value == null ? "-" : v.value, v.ci_low == null ? "-" : v.ci_low,
        v.ci_high == null ? "-" : v.ci_high, v.n]),
      renderItem: (params, api) => {
        const cat = api.value(0), band = api.size([0, 1])[1];
        const dy = k > 1 ? (gi - (k - 1) / 2) * Math.min(22, band / (k + 1)) : 0;
        const colour = api.visual("color");
        const at = (x) => { const p = api.coord([x, cat]); return [p[0], p[1] + dy]; };
        const value = api.value(1);
        if (value === "-" || value == null || isNaN(value)) {
          const p = at(range[0]);
          return { type: "text", style: { x: p[0] + 6, y: p[1], text: I18N.t("an_too_few", { n: api.value(4) }),
            fill: "#5b6475", fontSize: 11, verticalAlign: "middle" } };
        }
        const lo = at(api.value(2)), hi = at(api.value(3)), mid = at(value);
        const cap = 5;
        return { type: "group", children: [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: colour, lineWidth: 2 } },
          { type: "line", shape: { x1: lo[0], y1: lo[1] - cap, x2: lo[0], y2: lo[1] + cap }, style: { stroke: colour, lineWidth: 2 } },
          { type: "line", shape: { x1: hi[0], y1: hi[1] - cap, x2: hi[0], y2: hi[1] + cap }, style: { stroke: colour, lineWidth: 2 } },
          { type: "circle", shape: { cx: mid[0], cy: mid[1], r: 5 }, style: { fill: colour, stroke: "#fff", lineWidth: 1 } },
          { type: "text", style: { x: mid[0], y: mid[1] - 7, text: two(value), fill: "#1d2330", fontSize: 11, align: "center",
            verticalAlign: "bottom" } },
        ] };
      },
    }));
    if (mark != null) {
      series[0].markLine = { silent: true, symbol: "none", animation: false, data: [{ xAxis: mark }],
        lineStyle: { color: "#137a3a", type: "dashed" }, label: { formatter: String(mark), color: "#137a3a" } };
    }
    draw(el, {
      legend: k > 1 ? { top: 0, data: groups.map((g) => g.name) } : undefined,
      grid: { left: 8, right: 16, top: k > 1 ? 34 : 12, bottom: 8, containLabel: true },
      tooltip: { renderMode: "richText", confine: true, trigger: "item",
        formatter: (p) => `${categories[p.value[0]]} · ${p.seriesName}\n${p.value[1] === "-" ? I18N.t("an_too_few", { n: p.value[4] })
          : I18N.t("an_value_range", { value: two(p.value[1]), low: two(p.value[2]), high: two(p.value[3]), n: p.value[4] })}` },
      xAxis: { type: "value", min: range[0], max: range[1], splitNumber: 4 },
      yAxis: { type: "category", data: categories, inverse: true, axisLabel: { width: narrow() ? 100 : 160, overflow: "break", fontSize: narrow() ? 11 : 12 } },
      series,
    }, label);
  }

  function rangeText(e, n) {
    return e.value == null ? I18N.t("an_too_few", { n })
      : I18N.t("an_value_range", { value: two(e.value), low: two(e.ci_low), high: two(e.ci_high), n });
  }

  function agreement(el, competencies, measure, competencyNames) {
    const names = competencies.map((c) => competencyName(c.competency, competencyNames));
    const sides = [["ai_vs_human", I18N.t("an_ai_vs_human")], ["human_vs_human", I18N.t("an_human_vs_human")]];
    const groups = sides.map(([side, name]) => ({ name, values: competencies.map((c) =>
      Object.assign({ n: c[side].n }, c[side][measure])) }));
    const lows = groups.flatMap((g) => g.values.map((v) => v.ci_low)).filter((v) => v != null);
    const low = Math.min(0, Math.floor(Math.min(...lows, 0) * 5) / 5);
    const label = I18N.t(measure === "icc" ? "an_cs_alt_icc" : "an_cs_alt_kappa") + " " + competencies.map((c, i) =>
      names[i] + colon() + sides.map(([side, name]) => `${name} ${rangeText(c[side][measure], c[side].n)}`).join(", ")).join(sep());
    forest(el, names, groups, [low, 1], label, 0.75);
  }

  function validity(el, r) {
    const rows = [...r.competencies.map((c) => ({ name: competencyName(c.competency, r.competency_names), e: c.correlation })),
      { name: I18N.t("an_overall_ai"), e: r.overall }];
    if (r.overall_suggested) rows.push({ name: I18N.t("an_overall_suggested"), e: r.overall_suggested });
    const est = (e) => ({ value: e.r, ci_low: e.ci_low, ci_high: e.ci_high, n: e.n });
    const label = I18N.t("an_vd_alt", { n: r.rated_hires }) + " " + rows.map((x) => x.name + colon() + rangeText(est(x.e), x.e.n)).join(sep());
    forest(el, rows.map((x) => x.name), [{ name: I18N.t("an_col_r"), values: rows.map((x) => est(x.e)) }], [-1, 1], label);
  }

  function weights(el, r) {
    const comps = r.competencies;
    const now = comps.map((c) => c.current_weight), next = comps.map((c) => c.suggested_weight);
    const label = I18N.t("an_wt_alt") + " " + comps.map((c) => I18N.t("an_wt_item", { competency: competencyName(c.competency, r.competency_names),
      now: pct(c.current_weight), next: pct(c.suggested_weight) })).join(sep());
    draw(el, {
      color: ["#9aa3b5", "#1f5fd1"],
      legend: { top: 0, data: [I18N.t("an_col_current"), I18N.t("an_col_suggested")] },
      grid: { left: 8, right: 40, top: 34, bottom: 8, containLabel: true },
      tooltip: { renderMode: "richText", confine: true, trigger: "item", formatter: (p) => `${p.name} · ${p.seriesName}: ${pct(p.value)}` },
      xAxis: { type: "value", min: 0, axisLabel: { formatter: (v) => Math.round(v * 100) + "%" } },
      yAxis: { type: "category", data: comps.map((c) => competencyName(c.competency, r.competency_names)), inverse: true, axisLabel: { width: narrow() ? 100 : 160, overflow: "break", fontSize: narrow() ? 11 : 12 } },
      series: [
        { type: "bar", name: I18N.t("an_col_current"), data: now, label: { show: true, position: "right", formatter: (p) => pct(p.value) } },
        { type: "bar", name: I18N.t("an_col_suggested"), data: next, label: { show: true, position: "right", formatter: (p) => pct(p.value) } },
      ],
    }, label);
  }

  window.AnCharts = { histogram, trend, funnel, agreement, validity, weights, clear, resize,
    competencyName, channelName, stageName, rangeText, two, one, pct };
})();
