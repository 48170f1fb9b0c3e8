// Alarms: a figure that turns critical flashes for the board's flash_s, or until a supervisor
// acknowledges it; then it stays red. The acknowledgement reaches every screen in the board's
// settings (docs/protocol.md, "Alarms").
import { gettext } from "./i18n.js";

const RANK = { "": 0, warn: 1, critical: 2 };

export class Alarms {
  constructor() {
    this.flashMs = 60_000;
    this.figures = new Map(); // "queue metric" → { queue, metric, level, risenAt, acked (a rank) }
    this.applied = new Map(); // queue → `at` of the acknowledgement applied last
    this.listeners = [];
  }

  /** A snapshot's board.alarms: the flash time, and each queue's last acknowledgement. */
  setBoard(alarms) {
    this.flashMs = (alarms?.flash_s ?? 60) * 1000;
    this.acknowledge(alarms?.acknowledged);
  }

  /** Apply each queue's acknowledgement once: a later figure's fall below it undoes it. */
  acknowledge(acknowledged) {
    for (const [queue, { at, alarms }] of Object.entries(acknowledged ?? {})) {
      if (at <= (this.applied.get(queue) ?? 0)) continue;
      this.applied.set(queue, at);
      for (const [metric, level] of Object.entries(alarms)) this.figure(queue, metric).acked = RANK[level] ?? 0;
    }
    this.changed();
  }

  figure(queue, metric) {
    const key = `${queue} ${metric}`;
    if (!this.figures.has(key)) this.figures.set(key, { queue, metric, level: "", risenAt: 0, acked: 0 });
    return this.figures.get(key);
  }

  /** A figure's level now; "new" while it should flash (critical, recent, not acknowledged). */
  update(queue, metric, level) {
    const figure = this.figure(queue, metric);
    const rank = RANK[level];
    if (rank > RANK[figure.level]) figure.risenAt = Date.now();
    if (level !== figure.level) {
      figure.level = level;
      this.changed();
    }
    // Below what was acknowledged: crossing back up is a new alarm.
    figure.acked = Math.min(figure.acked, rank);
    const recent = Date.now() - figure.risenAt < this.flashMs;
    return level === "critical" && figure.acked < rank && recent ? "new" : "";
  }

  /** The alarms not yet acknowledged, of these queues (null: all). */
  unacknowledged(queues) {
    return [...this.figures.values()].filter((f) => RANK[f.level] > f.acked && (!queues || queues.includes(f.queue)));
  }

  /** A queue's figures in alarm now: { metric: level }. */
  levels(queue) {
    const inAlarm = [...this.figures.values()].filter((f) => f.queue === queue && f.level);
    return Object.fromEntries(inAlarm.map((f) => [f.metric, f.level]));
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }
}

/** The console's "Acknowledge alarms" button: posts the alarms its supervisor may acknowledge. */
export function acknowledgeButton(button, alarms, queues) {
  const refresh = () => {
    button.disabled = alarms.unacknowledged(queues).length === 0;
  };
  alarms.onChange(refresh);
  refresh();
  button.addEventListener("click", async () => {
    // Every alarm of each queue named: the server keeps a queue's latest acknowledgement only.
    const named = {};
    for (const { queue } of alarms.unacknowledged(queues)) named[queue] = alarms.levels(queue);
    button.disabled = true;
    const answer = await fetch(button.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": button.dataset.csrf },
      body: JSON.stringify({ alarms: named }),
    }).catch(() => null);
    const body = answer ? await answer.json().catch(() => ({})) : {};
    if (answer?.ok) alarms.acknowledge(body.acknowledged);
    button.title = answer?.ok ? "" : body.error ?? gettext("Could not reach the server: try again.");
    refresh();
  });
}
