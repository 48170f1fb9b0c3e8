// Queue tiles: the figures of each queue, coloured by the board's thresholds, waits ticking.
import { boardNow, formatClock, formatDuration, formatPercent, formatSeconds } from "./clock.js";
import { setText } from "./dom.js";
import { format, gettext } from "./i18n.js";
import { showStaffing } from "./staffing.js";

const LEVELS = ["", "warn", "critical"];

/** Worse when higher (waiting, longest wait). */
export function levelAbove(value, warn, critical) {
  if (value === null || value === undefined) return "";
  return value >= critical ? "critical" : value >= warn ? "warn" : "";
}

/** Worse when lower (service level). */
export function levelBelow(value, warn, critical) {
  if (value === null || value === undefined) return "";
  return value <= critical ? "critical" : value <= warn ? "warn" : "";
}

/** Worse when fewer than the threshold (available agents; a threshold of 0 is no alarm). */
export function levelFewer(value, warn, critical) {
  if (value === null || value === undefined) return "";
  return value < critical ? "critical" : value < warn ? "warn" : "";
}

/** Abandoned ÷ the calls that ended (short abandons apart), in percent: docs/design.md#metrics. */
export function abandonRate(today) {
  if (!today) return null;
  const ended = today.answered + today.abandoned + today.timed_out + today.transferred;
  return ended ? Math.round((1000 * today.abandoned) / ended) / 10 : null;
}

const number = (text) => (text === "" || text === "–" || Number.isNaN(Number(text)) ? null : Number(text));

const worst = (levels) => LEVELS[Math.max(...levels.map((level) => LEVELS.indexOf(level)))];

const FORMATS = {
  percent: formatPercent,
  seconds: formatSeconds,
};

export class QueueTiles {
  /** onBreach(number, level) runs when a tile turns warn or critical from something better;
   * alarms (alarms.js) says which figures flash. */
  constructor(container, template, onBreach, alarms) {
    Object.assign(this, { container, template, onBreach, alarms });
    this.tiles = new Map();
    this.thresholds = {};
  }

  /** A new snapshot: rebuild the tiles only if the board's queues changed. */
  setBoard(board) {
    this.thresholds = board.thresholds ?? {};
    this.alarms.setBoard(board.alarms);
    const numbers = board.queues;
    if (numbers.join() === [...this.tiles.keys()].join()) return;
    this.container.replaceChildren();
    this.tiles.clear();
    for (const number of numbers) this.tiles.set(number, this.create(number));
  }

  create(number) {
    const tile = this.template.content.firstElementChild.cloneNode(true);
    tile.dataset.queue = number;
    setText(tile.querySelector(".queue-number"), number);
    setText(tile.querySelector(".queue-name"), format(gettext("Queue %(number)s"), { number }));
    const trend = tile.querySelector(".trend-link"); // the console's, to the queue's intraday page
    if (trend) trend.href = `${trend.dataset.href}?queue=${encodeURIComponent(number)}`;
    this.container.append(tile);
    return tile;
  }

  name(number) {
    return this.tiles.get(number)?.querySelector(".queue-name").textContent ?? number;
  }

  update(number, data) {
    const tile = this.tiles.get(number);
    if (!tile) return;
    if (data) setText(tile.querySelector(".queue-name"), data.name || number);
    setText(tile.querySelector(".waiting"), data ? data.waiting.length : null);
    tile.dataset.oldest = data ? String(data.figures?.longest_wait_since ?? data.waiting[0]?.since ?? "") : "";
    for (const cell of tile.querySelectorAll("[data-figure]")) setText(cell, data?.figures?.[cell.dataset.figure]);
    this.updateToday(tile, data?.today);
    showStaffing(tile, data?.staffing, this.thresholds);
    this.tick(tile);
  }

  updateToday(tile, data) {
    const today = data && { ...data, abandon_rate: abandonRate(data) };
    for (const cell of tile.querySelectorAll("[data-today]")) {
      const value = today?.[cell.dataset.today];
      const show = FORMATS[cell.dataset.format];
      setText(cell, value === null || value === undefined ? null : show ? show(value) : value);
    }
    tile.dataset.serviceLevel = today?.service_level ?? "";
    tile.dataset.abandonRate = today?.abandon_rate ?? "";
    const since = today?.partial ? format(gettext("since %(time)s"), { time: formatClock(today.since) }) : "";
    setText(tile.querySelector(".today-since"), since);
  }

  tickAll() {
    for (const tile of this.tiles.values()) this.tick(tile);
  }

  /** Longest wait from the oldest caller's arrival; then the colours. */
  tick(tile) {
    const oldest = Number(tile.dataset.oldest);
    const waitedMs = oldest ? boardNow() - oldest : null;
    setText(tile.querySelector(".longest"), waitedMs === null ? null : formatDuration(waitedMs));
    this.colour(tile, waitedMs);
  }

  /** Each figure's level against the thresholds, and whether it flashes; the tile's border takes
   * the worst. */
  colour(tile, waitedMs) {
    const t = this.thresholds;
    const levels = {
      waiting: levelAbove(number(tile.querySelector(".waiting").textContent), t.waiting_warn, t.waiting_critical),
      longest: levelAbove(waitedMs === null ? null : waitedMs / 1000, t.longest_wait_warn_s, t.longest_wait_critical_s),
      available: levelFewer(number(tile.querySelector('[data-figure="available"]').textContent), t.available_warn, t.available_critical),
      service_level: levelBelow(number(tile.dataset.serviceLevel), t.service_level_warn, t.service_level_critical),
      abandon_rate: levelAbove(number(tile.dataset.abandonRate), t.abandon_rate_warn, t.abandon_rate_critical),
    };
    for (const [metric, level] of Object.entries(levels)) {
      const cell = tile.querySelector(`[data-metric="${metric}"]`);
      const alarm = this.alarms.update(tile.dataset.queue, metric, level);
      if (cell.dataset.level !== level) cell.dataset.level = level;
      if (cell.dataset.alarm !== alarm) cell.dataset.alarm = alarm;
    }
    const level = worst(Object.values(levels));
    const before = tile.dataset.level ?? "";
    if (level === before) return;
    tile.dataset.level = level;
    if (LEVELS.indexOf(level) > LEVELS.indexOf(before)) this.onBreach(tile.dataset.queue, level);
  }
}
