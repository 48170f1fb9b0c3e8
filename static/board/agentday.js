// An agent's day in the console's agents table: talk, hold and pause time so far, by reason,
// ticking while they run (docs/protocol.md, agents[].today and its `running`).
import { boardNow, formatDuration } from "./clock.js";
import { element, setText } from "./dom.js";
import { gettext } from "./i18n.js";

// The worker's key for a pause with no reason (an auto-pause).
const NO_REASON = "(no reason)";

/** The columns after "Missed": sort key, cell class, heading and what it counts. */
export const DAY_COLUMNS = [
  { key: "talk", cell: "talk-time", label: gettext("Talk time"), title: gettext("Time on the queue calls this agent answered today, hold included; a call in progress counts so far") },
  { key: "hold", cell: "hold-time", label: gettext("Hold time"), title: gettext("Time the queue calls this agent answered were on hold today") },
  { key: "pause_time", cell: "pause-time", label: gettext("Pause time"), title: gettext("Time paused today (in a queue the agent is logged in to), in all and by reason") },
];

const elapsed = (starts, now) => (starts ?? []).reduce((sum, start) => sum + Math.max(0, now - start), 0);

/** The day so far at `now`: each figure plus what runs of it; `pauses` by reason. */
export function daySoFar(today, now = boardNow()) {
  const running = today?.running ?? {};
  const pauses = { ...(today?.pause_ms ?? {}) };
  if (running.pause) pauses[running.pause.reason] = (pauses[running.pause.reason] ?? 0) + elapsed([running.pause.since], now);
  return {
    talk: (today?.talk_ms ?? 0) + elapsed(running.talk, now),
    hold: (today?.hold_ms ?? 0) + elapsed(running.hold, now),
    pause: Object.values(pauses).reduce((sum, ms) => sum + ms, 0),
    pauses,
  };
}

/** Sort keys by column: the figure so far. */
export const DAY_SORT_KEYS = {
  talk: (agent) => daySoFar(agent.today).talk,
  hold: (agent) => daySoFar(agent.today).hold,
  pause_time: (agent) => daySoFar(agent.today).pause,
};

/** Sortable headings for the day's columns, after `missed` (the one before them). */
export function addDayHeadings(missed) {
  const headings = DAY_COLUMNS.map(({ key, label, title }) => {
    const heading = element("th");
    heading.setAttribute("role", "columnheader");
    heading.setAttribute("aria-sort", "none");
    heading.dataset.sort = key;
    const button = element("button", null, label);
    button.type = "button";
    button.title = title;
    heading.append(button);
    return heading;
  });
  missed.after(...headings);
}

/** Make the day's cells: a total each; under the pause time, a line per reason. */
export function createDayCells(cell) {
  for (const { cell: name } of DAY_COLUMNS) cell[name].append(element("span", "day-total"));
  cell["pause-time"].append(element("ul", "pause-reasons"));
}

/** Fill the day's cells from the agent's `today`: durations, running ones ticking. */
export function fillDayCells(cell, today) {
  const now = boardNow();
  const day = daySoFar(today, now);
  const running = today?.running ?? {};
  showDuration(cell["talk-time"].firstElementChild, day.talk, running.talk?.length > 0, now);
  showDuration(cell["hold-time"].firstElementChild, day.hold, running.hold?.length > 0, now);
  showDuration(cell["pause-time"].firstElementChild, day.pause, Boolean(running.pause), now);
  showReasons(cell["pause-time"].lastElementChild, day.pauses, running.pause?.reason, now);
}

/**
 * A duration, ticking while it runs: the board's Ticker shows now - data-since, so a running
 * figure's since is set back by what it already holds (now - since = that figure, and on).
 */
function showDuration(node, ms, runs, now) {
  if (runs) node.dataset.since = String(now - ms);
  else delete node.dataset.since;
  setText(node, formatDuration(ms));
}

/** One line per reason, longest first: visible text, which a touch screen can read. */
function showReasons(list, pauses, runningReason, now) {
  const reasons = Object.entries(pauses).sort(([, a], [, b]) => b - a);
  const names = reasons.map(([reason]) => reason).join("\n");
  if (list.dataset.reasons !== names) {
    list.replaceChildren(...reasons.map(([reason]) => reasonLine(reason)));
    list.dataset.reasons = names;
  }
  reasons.forEach(([reason, ms], index) => showDuration(list.children[index].lastElementChild, ms, reason === runningReason, now));
}

function reasonLine(reason) {
  const line = element("li");
  line.append(element("span", "pause-reason", reason === NO_REASON ? gettext("No reason") : reason), " ", element("span", "pause-duration"));
  return line;
}
