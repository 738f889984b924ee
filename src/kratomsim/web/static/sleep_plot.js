// The night page's plot of predicted sleep-stage changes (night --json -> sleep_architecture):
// one point per outcome and night at the median, bars to the 90 % interval; after night 1 a second
// point carries the tolerance bracket. Outcomes with no size (no numeric opioid study) are named
// under the plot, not drawn. Kept apart from app.js so the sleep bridge owns its own picture.
(function () {
  "use strict";

  function series(sleep, key, label, symbol) {
    const xs = [], ys = [], plus = [], minus = [], text = [];
    sleep.nights.forEach((n) => {
      Object.values(n.changes).forEach((c) => {
        const ch = c[key];
        if (!ch || ch.median === null || ch.median === undefined) return;
        xs.push(ch.median);
        ys.push(`${c.outcome}, night ${n.night}`);
        plus.push(ch.high - ch.median);
        minus.push(ch.median - ch.low);
        text.push(`${ch.median.toPrecision(2)} (${ch.low.toPrecision(2)} to ${ch.high.toPrecision(2)}) points`);
      });
    });
    return {
      type: "scatter", mode: "markers", orientation: "h", name: label, x: xs, y: ys, text,
      hovertemplate: "%{y}: %{text}<extra>" + label + "</extra>", marker: { symbol, size: 9 },
      error_x: { type: "data", symmetric: false, array: plus, arrayminus: minus },
    };
  }

  function unsized(sleep) {
    const names = new Set();
    sleep.nights.forEach((n) => Object.values(n.changes).forEach((c) => {
      if (!c.change || c.change.median === null) names.add(c.outcome);
    }));
    return [...names];
  }

  window.renderSleepPlot = function (sleep) {
    const box = document.getElementById("sleep-plot");
    const note = document.getElementById("sleep-plot-note");
    if (!box || !window.Plotly || !sleep) return;
    const traces = [series(sleep, "change", "stimulus only", "circle"),
                    series(sleep, "change_with_tolerance", "with tolerance bracket", "diamond")]
      .filter((t) => t.x.length);
    const level = Math.round(100 * sleep.level);
    const drawn = window.Plotly.react(box, traces, {
      margin: { l: 200, r: 10, t: 10, b: 60 },
      xaxis: { title: { text: `Change vs no kratom (points of total sleep time), median and ${level}% interval` },
               zeroline: true },
      yaxis: { automargin: true, autorange: "reversed" },
      showlegend: true,
    }, { responsive: true, displaylogo: false });
    // Drawn while the results may still be hidden, Plotly falls back to 700 px wide, which scrolls a
    // phone sideways: size it again to its box once the page has been laid out.
    const plots = window.Plotly.Plots;
    if (plots && plots.resize && window.requestAnimationFrame) {
      Promise.resolve(drawn).then(() => window.requestAnimationFrame(() => plots.resize(box)));
    }
    const missing = unsized(sleep);
    if (note) {
      note.textContent = missing.length
        ? `Not drawn (no opioid study gives a size): ${missing.join(", ")}.` : "";
    }
  };
})();
