// The intraday page's arithmetic (docs/design.md#trends): an interval's figures from its
// counters, and the current interval counted on from the board's socket.

// Every counter of a queue's day or interval: counts, or sums of times (dashboard/live/today.py).
const COUNTERS = [
  ...["offered", "answered", "abandoned", "short_abandoned", "timed_out", "transferred"],
  ...["answered_in_sl", "abandoned_after_sl", "answered_wait_ms", "handled", "talk_ms", "waits_unknown"],
];

/** Several queues' counters as one. */
export function added(days) {
  return Object.fromEntries(COUNTERS.map((name) => [name, days.reduce((sum, day) => sum + (day?.[name] ?? 0), 0)]));
}

/** Service level (%), ASA and AHT (s) beside the counters, as the server figures them (None:
 * nothing to divide); answered calls whose wait is not known yet count in neither. */
export function figures(counters) {
  const timed = counters.answered - counters.waits_unknown;
  const slBase = timed + counters.abandoned_after_sl;
  return {
    ...counters,
    service_level: slBase ? Math.round((1000 * counters.answered_in_sl) / slBase) / 10 : null,
    asa_s: timed > 0 ? Math.round(counters.answered_wait_ms / timed / 1000) : null,
    aht_s: counters.handled ? Math.round(counters.talk_ms / counters.handled / 1000) : null,
  };
}

/** The current interval now: its counters as the worker last wrote them (`stored`), plus what
 * today's figures on the socket (`now`) counted since today's were written with them
 * (`baseline`). Never below zero: the socket may not yet carry a call the worker wrote. */
export function liveInterval(stored, baseline, now) {
  return Object.fromEntries(COUNTERS.map((name) => [name, Math.max(0, stored[name] + now[name] - baseline[name])]));
}
