// Small DOM helpers for keyed, cell-by-cell updates (a delta never re-renders a whole table).
import { boardNow, formatDuration } from "./clock.js";
import { SortedRows, same } from "./order.js";

/** Set text only when it changed, so unchanged cells cost no layout. */
export function setText(element, text) {
  const value = text === null || text === undefined ? "–" : String(text);
  if (element.textContent !== value) element.textContent = value;
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A cell that ticks: its duration runs from `since` (epoch ms); a Ticker refreshes it. */
export function setSince(cell, since) {
  const value = since ? String(since) : "";
  if (cell.dataset.since !== value) cell.dataset.since = value;
  setText(cell, since ? formatDuration(boardNow() - since) : "–");
}

/** Bring the ticking cells under `scope` to `now`. */
function tickUnder(scope, now) {
  for (const cell of scope.querySelectorAll("[data-since]")) {
    const since = Number(cell.dataset.since);
    if (since) setText(cell, formatDuration(now - since));
  }
}

// Chromium, Firefox 125+ and Safari 18+ say when a `content-visibility: auto` box starts or
// stops being rendered; without that event every ticking cell ticks.
const TOLD_WHEN_SHOWN = "oncontentvisibilityautostatechange" in HTMLElement.prototype;

/**
 * The page's per-second DOM work: durations tick only in what is being rendered. Row groups
 * and panels that the browser skips off screen (content-visibility: auto, board.css) are left
 * alone, and brought up to date the moment it starts rendering them again.
 */
export class Ticker {
  constructor(root) {
    this.root = root;
    this.shown = new Set(); // content-visibility: auto boxes being rendered now
    if (!TOLD_WHEN_SHOWN) return;
    root.addEventListener("contentvisibilityautostatechange", (event) => this.changed(event), { capture: true });
    // Skipping starts only now, so that we hear whether each box starts shown or skipped.
    root.classList.add("skips-off-screen");
  }

  changed(event) {
    if (event.skipped) return this.shown.delete(event.target);
    this.shown.add(event.target);
    tickUnder(event.target, boardNow());
  }

  tick() {
    const now = boardNow();
    if (!TOLD_WHEN_SHOWN) return tickUnder(this.root, now);
    for (const scope of this.shown) {
      if (scope.isConnected) tickUnder(scope, now);
      else this.shown.delete(scope); // a group that went while on screen
    }
  }
}

/**
 * Rows keyed by id, grouped by queue: each queue's update replaces that queue's items, creating,
 * updating or removing only the rows that changed. Rows stay in `sortKey` order (then first come,
 * first shown); only rows that came, went or changed their key move.
 */
export class KeyedRows {
  constructor(tbody, { key, create, update, sortKey, queueName }) {
    Object.assign(this, { key, create, update, sortKey, queueName });
    this.rows = new Map();
    this.byQueue = new Map();
    this.created = 0;
    this.sorted = new SortedRows(tbody, (a, b) => a.sortKey - b.sortKey || a.serial - b.serial);
  }

  syncQueue(queue, items) {
    const keys = new Set(items.map(this.key));
    const [moved, gone] = [new Set(), new Set()];
    for (const old of this.byQueue.get(queue) ?? []) if (!keys.has(old) && this.rows.has(old)) gone.add(this.drop(old));
    const label = this.queueName(queue); // shown in each row: a new name redraws them
    for (const item of items) {
      const row = this.rowFor(this.key(item), moved);
      if (row.queue === queue && row.queueLabel === label && same(row.item, item)) continue;
      const sortKey = this.sortKey(item);
      if (row.sortKey !== sortKey) moved.add(row);
      Object.assign(row, { item, queue, queueLabel: label, sortKey });
      this.update(row, item, queue);
    }
    this.byQueue.set(queue, keys);
    this.sorted.place(moved, gone);
  }

  rowFor(id, moved) {
    if (this.rows.has(id)) return this.rows.get(id);
    const row = this.create(id);
    row.serial = this.created++;
    this.rows.set(id, row);
    moved.add(row);
    return row;
  }

  drop(id) {
    const row = this.rows.get(id);
    row.remove();
    this.rows.delete(id);
    return row;
  }

  /** Forget every queue not in `queues` (the board changed). */
  keepQueues(queues) {
    for (const queue of [...this.byQueue.keys()]) if (!queues.includes(queue)) this.syncQueue(queue, []);
  }
}
