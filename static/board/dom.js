// Small DOM helpers for keyed, cell-by-cell updates (a delta never re-renders a whole table).
import { formatDuration, serverNow } from "./clock.js";

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

/** A cell that ticks: its duration runs from `since` (epoch ms); tickAll() refreshes it. */
export function setSince(cell, since) {
  const value = since ? String(since) : "";
  if (cell.dataset.since !== value) cell.dataset.since = value;
  setText(cell, since ? formatDuration(serverNow() - since) : "–");
}

/** Advance every ticking cell under `root`: the page's only per-second DOM work. */
export function tickAll(root) {
  const now = serverNow();
  for (const cell of root.querySelectorAll("[data-since]")) {
    const since = Number(cell.dataset.since);
    if (since) setText(cell, formatDuration(now - since));
  }
}

/** Put `rows` in this order under `parent`, moving only the ones out of place. */
export function reorder(parent, rows) {
  rows.forEach((row, index) => {
    if (parent.children[index] !== row) parent.insertBefore(row, parent.children[index] ?? null);
  });
}

/**
 * Rows keyed by id, grouped by queue: each queue's update replaces that queue's items, creating,
 * updating or removing only the rows that changed.
 */
export class KeyedRows {
  constructor(tbody, { key, create, update, order }) {
    Object.assign(this, { tbody, key, create, update, order });
    this.rows = new Map();
    this.byQueue = new Map();
  }

  syncQueue(queue, items) {
    const keys = new Set(items.map(this.key));
    for (const old of this.byQueue.get(queue) ?? []) {
      if (!keys.has(old)) {
        this.rows.get(old)?.remove();
        this.rows.delete(old);
      }
    }
    for (const item of items) {
      const id = this.key(item);
      if (!this.rows.has(id)) this.rows.set(id, this.create(id));
      const row = this.rows.get(id);
      row.item = item;
      this.update(row, item, queue);
    }
    this.byQueue.set(queue, keys);
    reorder(this.tbody, [...this.rows.values()].sort(this.order));
  }

  /** Forget every queue not in `queues` (the board changed). */
  keepQueues(queues) {
    for (const queue of [...this.byQueue.keys()]) if (!queues.includes(queue)) this.syncQueue(queue, []);
  }
}
