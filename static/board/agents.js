// The agents table: one row per extension across the board's queues, sortable and filterable.
import { DAY_COLUMNS, DAY_SORT_KEYS, addDayHeadings, createDayCells, fillDayCells } from "./agentday.js";
import { setSince, setText, element } from "./dom.js";
import { format, gettext } from "./i18n.js";
import { STATE_LABELS, presenceLabel, registeredLabel } from "./labels.js";
import { SortedRows, same } from "./order.js";

// When an agent's state differs between queues, the row shows the first of these it has.
const STATE_ORDER = ["on_call", "ringing", "wrap_up", "paused", "available", "unavailable", "logged_out"];
const DAY_CELLS = DAY_COLUMNS.map((column) => column.cell);
const CELLS = ["name", "number", "state", "in-state", "pause", "member-of", "answered", "missed", ...DAY_CELLS, "presence", "phone", "agent-actions"];

const NEW_ROW = Symbol("a row with no place yet");
// Rows per tbody, the unit the browser skips off screen (board.css sizes a group it never drew).
const GROUP_ROWS = 32;

const collator = new Intl.Collator(document.documentElement.lang || "en", { numeric: true });
const SORT_KEYS = {
  name: (agent) => agent.name || agent.number,
  number: (agent) => agent.number,
  state: (agent) => STATE_ORDER.indexOf(agent.state),
  since: (agent) => agent.since || Infinity,
  pause: (agent) => agent.pause_reason || "",
  answered: (agent) => agent.today?.answered ?? 0,
  missed: (agent) => agent.today?.missed ?? 0,
  ...DAY_SORT_KEYS,
  presence: (agent) => agent.presence || "",
  registered: (agent) => String(agent.registered ?? ""),
};

function compare(a, b) {
  return typeof a === "number" && typeof b === "number" ? a - b : collator.compare(String(a), String(b));
}

/** One agent as the row shows it: the entry of its most telling state, plus its queues. */
export function mergeAgent(byQueue) {
  const entries = [...byQueue.entries()];
  const rank = ([, agent]) => STATE_ORDER.indexOf(agent.state);
  const [queue, chosen] = entries.reduce((best, entry) => (rank(entry) < rank(best) ? entry : best));
  const states = Object.fromEntries(entries.map(([number, agent]) => [number, agent.state]));
  return { agent: { ...chosen, queues: Object.keys(states), states }, queue };
}

export class AgentsTable {
  constructor(section, queueName) {
    this.queueName = queueName;
    this.agentDayUrl = section.dataset.agentDayUrl; // the reports' agents' day page
    this.entries = new Map(); // extension → Map(queue → agent)
    this.members = new Map(); // queue → its agents' extensions
    this.names = new Map(); // queue → the name its agents' rows show
    this.rows = new Map();
    this.listeners = [];
    this.sort = { key: "number", descending: false };
    this.filter = { text: "", state: "" };
    this.sorted = new SortedRows(section.querySelector("tbody"), this.comparator(), {
      groupSize: GROUP_ROWS,
      shifted: (row) => this.tick(row), // it may have been skipped
    });
    addDayHeadings(section.querySelector('th[data-sort="missed"]'));
    this.wire(section);
  }

  /** A row's ticking cells, brought to now. */
  tick(row) {
    setSince(row.cell["in-state"], row.agent.since);
    fillDayCells(row.cell, row.agent.today);
  }

  wire(section) {
    for (const header of section.querySelectorAll("th[data-sort]")) {
      header.querySelector("button").addEventListener("click", () => this.sortBy(header.dataset.sort, section));
    }
    section.querySelector("#agent-filter").addEventListener("input", (event) => this.filterBy({ text: event.target.value }));
    section.querySelector("#agent-state-filter").addEventListener("change", (event) => this.filterBy({ state: event.target.value }));
  }

  /** Decorators (the actions module) see every row now and after each of its updates. */
  onRow(callback) {
    this.listeners.push(callback);
    for (const row of this.rows.values()) callback(row, row.agent, row.queue);
  }

  /** A queue's agents: only the rows whose agent changed (or joined, or left) are rendered. */
  updateQueue(queue, agents) {
    const renamed = this.names.get(queue) !== this.queueName(queue); // their "Queues" cells
    this.names.set(queue, this.queueName(queue));
    const touched = new Set();
    const numbers = new Set(agents.map((agent) => agent.number));
    for (const number of this.members.get(queue) ?? []) {
      if (!numbers.has(number) && this.entries.get(number)?.delete(queue)) touched.add(number);
    }
    for (const agent of agents) {
      if (!this.entries.has(agent.number)) this.entries.set(agent.number, new Map());
      const byQueue = this.entries.get(agent.number);
      if (renamed || !same(byQueue.get(queue), agent)) touched.add(agent.number);
      byQueue.set(queue, agent);
    }
    this.members.set(queue, numbers);
    this.renderAll(touched);
  }

  /** The board's queues changed (a new snapshot): forget the others, render every row. */
  keepQueues(queues) {
    for (const [queue, numbers] of this.members) {
      if (queues.includes(queue)) continue;
      for (const number of numbers) this.entries.get(number)?.delete(queue);
      this.members.delete(queue);
    }
    this.renderAll(new Set(this.entries.keys()));
  }

  renderAll(numbers) {
    const [moved, gone] = [new Set(), new Set()];
    for (const number of numbers) this.render(number, moved, gone);
    this.sorted.place(moved, gone);
  }

  /** One agent's row, made, filled or removed; `moved` gets it when its place may change. */
  render(number, moved, gone) {
    const byQueue = this.entries.get(number);
    if (!byQueue || byQueue.size === 0) {
      if (this.rows.has(number)) gone.add(this.removeRow(number));
      this.entries.delete(number);
      return;
    }
    if (!this.rows.has(number)) this.rows.set(number, this.createRow(number));
    const row = this.rows.get(number);
    const key = SORT_KEYS[this.sort.key];
    const before = row.agent ? key(row.agent) : NEW_ROW;
    Object.assign(row, mergeAgent(byQueue));
    if (before !== key(row.agent)) moved.add(row);
    this.fill(row, row.agent);
    row.hidden = !this.matches(row.agent);
    for (const callback of this.listeners) callback(row, row.agent, row.queue);
  }

  removeRow(number) {
    const row = this.rows.get(number);
    row.remove();
    this.rows.delete(number);
    return row;
  }

  createRow(number) {
    const row = element("tr");
    row.dataset.agent = number;
    row.setAttribute("role", "row"); // a grid of rows (board.css) is still a table to a reader
    row.cell = {};
    for (const name of CELLS) {
      row.cell[name] = element("td", name);
      row.cell[name].setAttribute("role", "cell");
      row.append(row.cell[name]);
    }
    row.cell.state.append(element("span", "state-chip"));
    row.cell.name.append(agentDayLink(this.agentDayUrl, number));
    createDayCells(row.cell);
    return row;
  }

  fill(row, agent) {
    const cell = row.cell;
    setText(cell.name.firstElementChild, agent.name || agent.number);
    setText(cell.number, agent.number);
    const chip = cell.state.firstElementChild;
    if (chip.dataset.state !== agent.state) chip.dataset.state = agent.state;
    setText(chip, STATE_LABELS[agent.state] ?? agent.state);
    if (row.dataset.state !== agent.state) row.dataset.state = agent.state;
    setSince(cell["in-state"], agent.since);
    setText(cell.pause, pauseText(agent));
    cell.pause.title = agent.auto_paused ? missedCallsText(agent) : "";
    setText(cell["member-of"], agent.queues.map((queue) => queueText(queue, agent.states[queue], this.queueName)).join(", "));
    setText(cell.answered, agent.today?.answered);
    setText(cell.missed, agent.today?.missed);
    fillDayCells(cell, agent.today);
    setText(cell.presence, presenceLabel(agent.presence));
    setText(cell.phone, registeredLabel(agent.registered));
    cell.phone.dataset.registered = String(agent.registered ?? "");
  }

  sortBy(key, section) {
    const descending = this.sort.key === key && !this.sort.descending;
    this.sort = { key, descending };
    for (const header of section.querySelectorAll("th[data-sort]")) {
      const sorted = header.dataset.sort === key;
      header.setAttribute("aria-sort", sorted ? (descending ? "descending" : "ascending") : "none");
    }
    this.sorted.resort(this.comparator());
  }

  filterBy(change) {
    Object.assign(this.filter, change);
    for (const row of this.rows.values()) row.hidden = !this.matches(row.agent);
  }

  matches(agent) {
    const { text, state } = this.filter;
    if (state && agent.state !== state) return false;
    const haystack = `${agent.name} ${agent.number} ${agent.pause_reason ?? ""}`.toLowerCase();
    return !text || haystack.includes(text.trim().toLowerCase());
  }

  /** Rows by the chosen column, then by extension (unique: the order is total). */
  comparator() {
    const key = SORT_KEYS[this.sort.key];
    const sign = this.sort.descending ? -1 : 1;
    return (a, b) => sign * compare(key(a.agent), key(b.agent)) || compare(a.agent.number, b.agent.number);
  }
}

/** The agent's name links to its day so far on the reports' agents' day page (docs/design.md#reports). */
function agentDayLink(url, number) {
  const link = element("a", "agent-day-link");
  link.href = `${url}#agent-${encodeURIComponent(number)}`;
  return link;
}

function pauseText(agent) {
  if (agent.state !== "paused" && !agent.paused) return "";
  if (!agent.auto_paused) return agent.pause_reason || gettext("Paused");
  return format(gettext("Auto-paused after %(count)s missed calls"), { count: agent.missed_calls?.length ?? 0 });
}

function missedCallsText(agent) {
  const callers = (agent.missed_calls ?? []).map((call) => call.caller).filter(Boolean);
  return callers.length ? format(gettext("Missed calls from %(callers)s"), { callers: callers.join(", ") }) : "";
}

function queueText(queue, state, queueName) {
  const name = queueName(queue);
  return state === "logged_out" || state === "paused" ? `${name} (${STATE_LABELS[state]})` : name;
}
