// Waiting callers and live calls: keyed rows across the board's queues, durations ticking.
import { KeyedRows, element, setSince, setText } from "./dom.js";
import { gettext } from "./i18n.js";

const since = (item) => item.since || 0;

function row(key, cells, className) {
  const tr = element("tr");
  tr.dataset.key = key;
  for (const name of cells) tr.append(element("td", name));
  if (className) tr.className = className;
  return tr;
}

/** Callers waiting now, longest first: caller ID, queue, wait. */
export function waitingList(section, queueName) {
  return new KeyedRows(section.querySelector("tbody"), {
    key: (caller) => caller.call_id,
    create: (key) => row(key, ["caller", "queue", "wait"]),
    update: (tr, caller, queue) => {
      setText(tr.cells[0], caller.caller || gettext("Unknown"));
      setText(tr.cells[1], queueName(queue));
      setSince(tr.cells[2], caller.since);
    },
    sortKey: since,
    queueName,
  });
}

/** Calls in progress: agent, caller, queue, duration, held; a cell for the actions module. */
export function callsList(section, queueName, listeners) {
  return new KeyedRows(section.querySelector("tbody"), {
    key: (call) => call.call_id,
    create: (key) => row(key, ["agent", "caller", "queue", "duration", "held", "call-actions"]),
    update: (tr, call, queue) => {
      setText(tr.cells[0], call.agent_name ? `${call.agent_name} (${call.agent})` : call.agent);
      setText(tr.cells[1], call.caller || gettext("Unknown"));
      setText(tr.cells[2], queueName(queue));
      setSince(tr.cells[3], call.since);
      setText(tr.cells[4], call.held ? gettext("On hold") : "");
      tr.dataset.held = String(Boolean(call.held));
      for (const callback of listeners) callback(tr, call, queue);
    },
    sortKey: since,
    queueName,
  });
}
