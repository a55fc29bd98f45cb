/**
 * The two charts, drawn with Chart.js (its UMD build, loaded before this module, defines `window.Chart`). Each
 * chart has a table with the same numbers beside it (views.js); the charts are a picture of those tables. No
 * animation: the numbers are there at once, and people who asked for reduced motion get none.
 */

/** At most this many alerts in the bar chart (the table lists them all). */
export const CHART_ALERTS = 15;

const COLOURS = { shown: '#1f4e99', accepted: '#2e7d32', overridden: '#b3261e', bar: '#b3261e' };

function chartLibrary() {
  const Chart = window.Chart;
  if (!Chart) throw new Error('the chart library did not load');
  return Chart;
}

function redraw(canvas, config) {
  const Chart = chartLibrary();
  Chart.getChart(canvas)?.destroy();
  return new Chart(canvas, config);
}

const shorten = (text, max = 48) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Horizontal bars: the override rate (percent) of the alerts most often shown that have feedback. */
export function drawAlertChart(canvas, rows) {
  const rated = rows.filter((r) => r.overrideRate !== null && r.overrideRate !== undefined).slice(0, CHART_ALERTS);
  return redraw(canvas, {
    type: 'bar',
    data: {
      labels: rated.map((r) => shorten(r.label ?? r.key)),
      datasets: [
        {
          label: 'Override rate (%)',
          data: rated.map((r) => Math.round(r.overrideRate * 1000) / 10),
          backgroundColor: COLOURS.bar,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { min: 0, max: 100, title: { display: true, text: 'Override rate (%)' } } },
      plugins: { legend: { display: false } },
    },
  });
}

/** Lines: shown, accepted and overridden each week (dashes as well as colours tell them apart). */
export function drawWeeklyChart(canvas, weekly) {
  const value = {
    shown: (w) => w.shown,
    accepted: (w) => (w.accepted ?? 0) + (w.acceptedInferred ?? 0),
    overridden: (w) => (w.overridden ?? 0) + (w.overriddenInferred ?? 0),
  };
  const line = (label, key, dash) => ({
    label,
    data: weekly.map(value[key]),
    borderColor: COLOURS[key],
    backgroundColor: COLOURS[key],
    borderDash: dash,
    tension: 0,
  });
  return redraw(canvas, {
    type: 'line',
    data: {
      labels: weekly.map((w) => w.week),
      datasets: [
        line('Shown', 'shown', []),
        line('Accepted', 'accepted', [2, 3]),
        line('Overridden', 'overridden', [8, 4]),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Cards' } } },
    },
  });
}
