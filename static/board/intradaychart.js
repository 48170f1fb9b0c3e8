// The intraday chart (uPlot 1.6.32, vendored: docs/design.md#trends): calls per interval on the
// left, service level on the right coloured by the board's thresholds, ASA and AHT in seconds,
// and last week's offered calls and service level as faint lines.
import uPlot from "../vendor/uplot-1.6.32/uPlot.esm.js";
import { formatClock } from "./clock.js";
import { gettext } from "./i18n.js";

const HEIGHT_PX = 320;
// Colours of their own: amber and red belong to the service level's thresholds.
const [OFFERED, ABANDONED, TIMED_OUT] = ["#6cb4ff", "#e58fff", "#b0a4ff"];
const FAINT = 0.35; // last week's lines: there to compare with, not to read first

/** The page's colours (board.css), so the chart matches the tiles. */
function palette() {
  const css = getComputedStyle(document.documentElement);
  const colour = (name) => css.getPropertyValue(name).trim();
  const names = { ok: "--live", warn: "--warn", critical: "--critical", muted: "--muted", line: "--line", text: "--text" };
  return Object.fromEntries(Object.entries(names).map(([key, name]) => [key, colour(name)]));
}

/** A vertical gradient with hard stops at the thresholds: the service-level line takes the level
 * the tiles would give each of its values (at or below warn: amber; at or below critical: red). */
export function levelStroke(thresholds, colours) {
  return (u) => {
    const { service_level_warn: warn, service_level_critical: critical } = thresholds;
    if (warn === undefined || critical === undefined) return colours.ok;
    const top = u.bbox.top;
    const gradient = u.ctx.createLinearGradient(0, top, 0, top + u.bbox.height);
    const at = (value) => Math.min(1, Math.max(0, (100 - value) / 100)); // the % scale is 0–100
    // Each band from its upper edge to its lower: ok above warn, warn down to critical, then red.
    const bands = [[0, at(warn), colours.ok], [at(warn), at(critical), colours.warn], [at(critical), 1, colours.critical]];
    for (const [from, to, colour] of bands) {
      gradient.addColorStop(from, colour);
      gradient.addColorStop(to, colour);
    }
    return gradient;
  };
}

function seriesOf(thresholds, colours) {
  const line = (label, stroke, scale, extra = {}) => ({ label, stroke, scale, width: 2, spanGaps: false, ...extra });
  const faint = { width: 1.5, dash: [6, 4], alpha: FAINT, points: { show: false } };
  return [
    { label: gettext("Interval"), value: (u, seconds) => (seconds === null ? "–" : formatClock(seconds * 1000)) },
    line(gettext("Offered"), OFFERED, "calls"),
    line(gettext("Answered"), colours.ok, "calls"),
    line(gettext("Abandoned"), ABANDONED, "calls", { dash: [2, 3] }),
    line(gettext("Timed out"), TIMED_OUT, "calls", { dash: [2, 3] }),
    line(gettext("Service level"), levelStroke(thresholds, colours), "%", { width: 3 }),
    line(gettext("ASA"), colours.muted, "s", { width: 1 }),
    line(gettext("AHT"), colours.text, "s", { width: 1, dash: [8, 3] }),
    line(gettext("Offered last week"), OFFERED, "calls", faint),
    line(gettext("Service level last week"), colours.muted, "%", faint),
  ];
}

/** Legend swatches in plain colours (a gradient is no CSS colour). */
const legendColours = (colours) => ["", OFFERED, colours.ok, ABANDONED, TIMED_OUT, colours.ok, colours.muted, colours.text, OFFERED, colours.muted];

/** The canvas's type in the page's family (board.css: Noto Sans Thai first, for Thai). */
function fonts() {
  const family = getComputedStyle(document.body).fontFamily;
  return { font: `12px ${family}`, labelFont: `bold 12px ${family}` };
}

function axesOf(colours) {
  const axis = (scale, side, label) => ({ scale, side, label, stroke: colours.muted, grid: { stroke: colours.line, width: 1, show: side === 3 }, ...fonts() });
  // Times as the table shows them: the page's language, the PBX's zone.
  const times = (u, splits) => splits.map((seconds) => formatClock(seconds * 1000));
  return [{ stroke: colours.muted, grid: { stroke: colours.line, width: 1 }, values: times, ...fonts() }, axis("calls", 3, gettext("Calls")), axis("%", 1, "%"), axis("s", 1, gettext("Seconds"))];
}

export class IntradayChart {
  /** target: an empty element; zone: the PBX's time zone (the axis shows its wall clock). */
  constructor(target, zone, thresholds) {
    const colours = palette();
    const options = {
      width: target.clientWidth || 800,
      height: HEIGHT_PX,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), zone),
      scales: { x: { time: true }, "%": { range: [0, 100] }, calls: { range: (u, min, max) => [0, Math.max(5, max)] } },
      series: seriesOf(thresholds, colours),
      axes: axesOf(colours),
      legend: { markers: { stroke: (u, index) => legendColours(colours)[index] } },
      cursor: { drag: { x: false, y: false } },
    };
    this.plot = new uPlot(options, [[], [], [], [], [], [], [], [], [], []], target);
    // Drawn again once the web font is in: a canvas keeps the glyphs it was drawn with.
    document.fonts.ready.then(() => this.plot.redraw(false, true));
    new ResizeObserver(() => this.plot.setSize({ width: target.clientWidth, height: HEIGHT_PX })).observe(target);
  }

  /** rows: the day's slots, each {start, today: figures or null, lastWeek: figures or null}. */
  draw(rows) {
    const pick = (side, name) => rows.map((row) => row[side]?.[name] ?? null);
    this.plot.setData([
      rows.map((row) => row.start / 1000),
      ...["offered", "answered", "abandoned", "timed_out", "service_level", "asa_s", "aht_s"].map((name) => pick("today", name)),
      pick("lastWeek", "offered"),
      pick("lastWeek", "service_level"),
    ]);
  }
}
