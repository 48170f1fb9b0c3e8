// The intraday page (docs/design.md#trends): today's closed intervals and last week's from the
// server, the current interval counted on live from the board's own socket.
import { formatClock, formatPercent, formatSeconds, serverNow } from "./clock.js";
import { element, setText } from "./dom.js";
import { gettext } from "./i18n.js";
import { IntradayChart } from "./intradaychart.js";
import { added, figures, liveInterval } from "./intradayfigures.js";
import { BoardSocket } from "./protocol.js";
import { levelBelow } from "./tiles.js";

const RELOAD_MS = 60_000; // the worker writes the current interval every 10 s: catch up now and then
const RETRY_MS = 5_000; // a new interval began: ask again until the server's clock agrees
// The table's columns after the interval's time: [today or last week, figure, format].
const COLUMNS = [
  ...["offered", "answered", "abandoned", "timed_out"].map((name) => ["today", name]),
  ["today", "service_level", formatPercent],
  ["today", "asa_s", formatSeconds],
  ["today", "aht_s", formatSeconds],
  ["lastWeek", "offered"],
  ["lastWeek", "service_level", formatPercent],
];
const BADGES = { live: gettext("LIVE"), connecting: gettext("CONNECTING") };

const root = document.getElementById("board");
const body = root.querySelector(".intraday-table tbody");
let chart = null; // made at the first snapshot, which brings the thresholds
const thresholds = {}; // the board's, as its snapshots bring them (the chart reads them here)
let served = null; // the JSON of /api/boards/<slug>/intraday/
let loadedAt = 0;
const todays = new Map(); // queue number → today's counters, as the socket last sent them
let firstToday = null; // the baseline when the worker has written nothing today yet
let renderQueued = false;

async function load() {
  loadedAt = serverNow();
  const query = root.dataset.queue ? `?queue=${encodeURIComponent(root.dataset.queue)}` : "";
  const answer = await fetch(`${root.dataset.api}${query}`, { credentials: "same-origin" });
  if (answer.status === 401) return location.assign(`${root.dataset.loginUrl}?next=${encodeURIComponent(location.pathname + location.search)}`);
  if (!answer.ok) return;
  served = await answer.json();
  firstToday = null;
  render();
}

/** The current interval's figures now, or null until both the server and the socket spoke. */
function current() {
  if (!served) return null;
  const known = served.queues.filter((number) => todays.has(number));
  if (known.length < served.queues.length) return figures(served.live.interval);
  const now = added(known.map((number) => todays.get(number)));
  firstToday ??= now;
  return figures(liveInterval(served.live.interval, served.live.today ?? firstToday, now));
}

/** The day's slots: today's closed intervals, the current one, the rest to come (for the axis). */
function rows() {
  const live = current();
  const first = served.start - (served.start % served.interval_ms);
  return Array.from({ length: served.slots }, (_, at) => {
    const start = first + at * served.interval_ms;
    const today = start === served.current ? live : (served.today[at] ?? null);
    return { start, today, lastWeek: served.last_week.intervals[at] ?? null, current: start === served.current };
  });
}

function render() {
  if (!served || !chart) return;
  const all = rows();
  chart.draw(all);
  body.replaceChildren(...all.filter((row) => row.today).map(tableRow));
}

function tableRow(row) {
  const tr = element("tr", row.current ? "current" : "");
  if (row.current) tr.setAttribute("aria-current", "time");
  const th = element("th", "", formatClock(row.start) + (row.current ? ` (${gettext("now")})` : ""));
  th.scope = "row";
  tr.append(th);
  for (const [side, name, show] of COLUMNS) {
    const value = row[side]?.[name];
    const cell = element("td", "", value === null || value === undefined ? "–" : show ? show(value) : value);
    cell.dataset.figure = `${side}.${name}`;
    if (name === "service_level") cell.dataset.level = levelBelow(value, thresholds.service_level_warn, thresholds.service_level_critical);
    tr.append(cell);
  }
  return tr;
}

function onSnapshot(frame) {
  Object.assign(thresholds, frame.board.thresholds);
  chart ??= new IntradayChart(root.querySelector("#intraday-chart"), root.dataset.timeZone, thresholds);
  for (const [name, entry] of Object.entries(frame.streams)) onStream(name, entry.data);
  render();
}

function onStream(name, data) {
  if (!name.startsWith("queue:") || !data?.today) return;
  todays.set(name.slice("queue:".length), data.today);
  if (served?.queues.includes(name.slice("queue:".length))) renderSoon();
}

/** At most once a frame, however many queues' deltas come in it. */
function renderSoon() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function onStatus(state) {
  root.dataset.freshness = state;
  const badge = root.querySelector("#freshness");
  badge.className = `freshness ${state === "live" ? "live" : "connecting"}`;
  setText(badge, BADGES[state === "live" ? "live" : "connecting"]);
  if (state === "signed-out") location.assign(`${root.dataset.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
}

const socket = new BoardSocket({ onSnapshot, onStream, onStatus });
socket.open(root.dataset.slug);
load();
setInterval(() => {
  socket.check();
  const now = serverNow();
  const rolledOver = served && now - (now % served.interval_ms) !== served.current;
  if ((rolledOver && now - loadedAt > RETRY_MS) || now - loadedAt > RELOAD_MS) load();
}, 1000);
