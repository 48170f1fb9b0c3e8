// Queue tiles: the figures of each queue, coloured by the board's thresholds, waits ticking.
import { boardNow, formatClock, formatDuration, formatPercent, formatSeconds } from "./clock.js";
import { setText } from "./dom.js";
import { format, gettext } from "./i18n.js";

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

const worst = (levels) => LEVELS[Math.max(...levels.map((level) => LEVELS.indexOf(level)))];

const FORMATS = {
  percent: formatPercent,
  seconds: formatSeconds,
};

export class QueueTiles {
  /** onBreach(number, level) runs when a tile turns warn or critical from something better. */
  constructor(container, template, onBreach) {
    Object.assign(this, { container, template, onBreach });
    this.tiles = new Map();
    this.thresholds = {};
  }

  /** A new snapshot: rebuild the tiles only if the board's queues changed. */
  setBoard(board) {
    this.thresholds = board.thresholds ?? {};
    const numbers = board.queues;
    this.layout(numbers.length);
    if (numbers.join() === [...this.tiles.keys()].join()) return;
    this.container.replaceChildren();
    this.tiles.clear();
    for (const number of numbers) this.tiles.set(number, this.create(number));
  }

  /** The TV's grid: up to three tiles a row, figures shrinking as tiles get narrower or stack. */
  layout(count) {
    const cols = Math.max(1, Math.min(count, 3));
    const rows = Math.max(1, Math.ceil(count / cols));
    this.container.style.setProperty("--cols", String(cols));
    this.container.style.setProperty("--scale", String((cols >= 3 ? 0.7 : 1) / rows));
  }

  create(number) {
    const tile = this.template.content.firstElementChild.cloneNode(true);
    tile.dataset.queue = number;
    setText(tile.querySelector(".queue-number"), number);
    setText(tile.querySelector(".queue-name"), format(gettext("Queue %(number)s"), { number }));
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
    this.tick(tile);
  }

  updateToday(tile, today) {
    for (const cell of tile.querySelectorAll("[data-today]")) {
      const value = today?.[cell.dataset.today];
      const show = FORMATS[cell.dataset.format];
      setText(cell, value === null || value === undefined ? null : show ? show(value) : value);
    }
    tile.dataset.serviceLevel = today?.service_level ?? "";
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

  colour(tile, waitedMs) {
    const t = this.thresholds;
    const waiting = Number(tile.querySelector(".waiting").textContent);
    const serviceLevel = tile.dataset.serviceLevel === "" ? null : Number(tile.dataset.serviceLevel);
    const levels = {
      waiting: levelAbove(Number.isNaN(waiting) ? null : waiting, t.waiting_warn, t.waiting_critical),
      longest: levelAbove(waitedMs === null ? null : waitedMs / 1000, t.longest_wait_warn_s, t.longest_wait_critical_s),
      service_level: levelBelow(serviceLevel, t.service_level_warn, t.service_level_critical),
    };
    for (const [metric, level] of Object.entries(levels)) {
      const cell = tile.querySelector(`[data-metric="${metric}"]`);
      if (cell && cell.dataset.level !== level) cell.dataset.level = level;
    }
    const level = worst(Object.values(levels));
    const before = tile.dataset.level ?? "";
    if (level === before) return;
    tile.dataset.level = level;
    if (LEVELS.indexOf(level) > LEVELS.indexOf(before)) this.onBreach(tile.dataset.queue, level);
  }
}
