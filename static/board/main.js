// The board page: one socket, a renderer per section, one ticker; actions hosted when allowed.
import { AgentsTable } from "./agents.js";
import { Alarms, acknowledgeButton } from "./alarms.js";
import { Ticker, setText } from "./dom.js";
import { keepAwake, reloadDaily, reloadForRelease, rotate } from "./kiosk.js";
import { callsList, waitingList } from "./lists.js";
import { BoardSocket } from "./protocol.js";
import { SoundAlert, SoundToggle } from "./sound.js";
import { StatusView } from "./status.js";
import { QueueTiles } from "./tiles.js";

const root = document.getElementById("board");
const kiosk = root.dataset.kiosk === "true";
const readJson = (id) => {
  const script = document.getElementById(id);
  return script ? JSON.parse(script.textContent) : null;
};
const soundButton = root.querySelector("#sound-toggle");
const display = kiosk ? (readJson("wb-display") ?? {}) : null;
const sound = soundButton ? new SoundToggle(soundButton, root.dataset.user) : new SoundAlert(Boolean(display?.sound_alerts));
const alarms = new Alarms();
const tiles = new QueueTiles(root.querySelector("#queues"), document.getElementById("queue-tile"), (_, level) => sound.beep(level), alarms);
const queueName = (number) => tiles.name(number);
const status = new StatusView(root);
const sections = kiosk ? null : consoleSections();
const ticker = new Ticker(root);
let board = { slug: root.dataset.slug };

function consoleSections() {
  const section = (id) => root.querySelector(`#${id}`);
  const callListeners = [];
  const parts = {
    agents: new AgentsTable(section("agents-section"), queueName),
    waiting: waitingList(section("waiting-section"), queueName),
    calls: callsList(section("calls-section"), queueName, callListeners),
    callListeners,
  };
  return parts;
}

function onSnapshot(frame) {
  if (frame.release !== root.dataset.release) newRelease();
  board = frame.board;
  root.dataset.epoch = frame.epoch; // which store generation is on screen (tests read it too)
  setText(root.querySelector("#board-name"), board.name);
  document.title = board.name;
  tiles.setBoard(board);
  if (sections) showSections(board);
  for (const [name, entry] of Object.entries(frame.streams)) onStream(name, entry.data);
}

/** The server was upgraded since this page loaded: a TV reloads itself, a console offers to. */
function newRelease() {
  const isLive = () => root.dataset.freshness === "live";
  if (kiosk) return reloadForRelease(isLive);
  const notice = root.querySelector("#new-release");
  notice.hidden = false;
  notice.querySelector("button").onclick = () => location.reload();
}

function showSections(shown) {
  for (const name of ["agents", "waiting", "calls"]) {
    root.querySelector(`#${name}-section`).hidden = shown.sections?.[name] === false;
  }
  sections.agents.keepQueues(shown.queues);
  sections.waiting.keepQueues(shown.queues);
  sections.calls.keepQueues(shown.queues);
}

function onStream(name, data) {
  if (name === "link") return status.setLink(data);
  if (!name.startsWith("queue:")) return;
  const number = name.slice("queue:".length);
  tiles.update(number, data);
  if (!sections) return;
  sections.agents.updateQueue(number, data?.agents ?? []);
  sections.waiting.syncQueue(number, data?.waiting ?? []);
  sections.calls.syncQueue(number, data?.calls ?? []);
}

function onStatus(state) {
  status.setStatus(state);
  if (state === "signed-out") location.assign(kiosk ? root.dataset.tvUrl : `${root.dataset.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
  // A revoked TV goes back to /tv/ after a while, which offers pairing again.
  if (state === "forbidden" && kiosk) setTimeout(() => location.assign(root.dataset.tvUrl), 60_000);
}

/** The actions module decorates rows; it gets the rows that exist and every later update. */
function hostActions(actor) {
  const api = {
    onAgentRow: (callback) => sections.agents.onRow(callback),
    onCallRow: (callback) => {
      sections.callListeners.push(callback);
      for (const row of sections.calls.rows.values()) callback(row, row.item, row.queue);
    },
    get board() {
      return board;
    },
    actor,
  };
  import(root.dataset.actionsUrl)
    .then((actions) => actions.attach(api))
    .catch((error) => console.error("board: the actions module failed to load", error));
}

const socket = new BoardSocket({ onSnapshot, onStream, onStatus });
status.watch(socket);
socket.open(root.dataset.slug);
setInterval(() => {
  socket.check();
  status.render(); // first: timers stop (or run again) in this very second
  ticker.tick();
  tiles.tickAll();
}, 1000);
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && socket.wake());
window.addEventListener("pageshow", () => socket.wake());

const actor = kiosk ? null : readJson("wb-actor");
if (actor) hostActions(actor);
if (actor) acknowledgeButton(root.querySelector("#ack-alarms"), alarms, actor.queues);
if (kiosk) {
  rotate(display, socket);
  reloadDaily(display, () => root.dataset.freshness === "live");
  keepAwake();
}
