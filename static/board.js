// Live board: snapshot, then numbered deltas per stream; any gap, new epoch or silence resyncs.
const SILENCE_LIMIT_MS = 45_000; // the worker refreshes the link stream every 15 s
const RETRY_MAX_MS = 15_000;
const CLOSE_MESSAGES = {
  4401: "Your session has ended: log in again.",
  4403: "This board is not shared with you, or this screen's pairing was revoked.",
};

const root = document.getElementById("board");
const tiles = new Map();
let socket = null;
let epoch = null;
let streams = {};
let skewMs = 0;
let lastFrameAt = 0;
let retries = 0;

function serverNow() {
  return Date.now() + skewMs;
}

function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

function tileFor(number) {
  if (!tiles.has(number)) {
    const node = document.getElementById("queue-tile").content.firstElementChild.cloneNode(true);
    node.dataset.queue = number;
    node.querySelector(".queue-number").textContent = number;
    document.getElementById("queues").append(node);
    tiles.set(number, node);
  }
  return tiles.get(number);
}

function renderQueue(number, data) {
  const tile = tileFor(number);
  tile.querySelector(".queue-name").textContent = data ? data.name : `Queue ${number}`;
  tile.querySelector(".waiting").textContent = data ? data.waiting.length : "–";
  tile.dataset.oldest = data && data.waiting.length ? data.waiting[0].since : "";
  for (const figure of tile.querySelectorAll("[data-figure]")) {
    const value = data && data.figures ? data.figures[figure.dataset.figure] : undefined;
    figure.textContent = value === undefined ? "–" : value;
  }
  renderToday(tile, data && data.today);
  tickQueue(tile);
}

function renderToday(tile, today) {
  for (const figure of tile.querySelectorAll("[data-today]")) {
    const value = today ? today[figure.dataset.today] : null;
    figure.textContent = value === null || value === undefined ? "–" : `${value}${figure.dataset.unit || ""}`;
  }
  const since = tile.querySelector(".today-since");
  since.textContent = today && today.partial ? `since ${new Date(today.since).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}` : "";
}

function tickQueue(tile) {
  const oldest = Number(tile.dataset.oldest);
  tile.querySelector(".longest").textContent = oldest ? formatDuration(serverNow() - oldest) : "–";
}

function renderLink() {
  const link = streams.link && streams.link.data;
  const banner = document.getElementById("banner");
  const healthy = link && link.state === "connected";
  banner.hidden = healthy || !link;
  if (link && !healthy) {
    const since = new Date(link.since).toLocaleTimeString();
    banner.textContent = `PBX link ${link.state} since ${since}${link.detail ? `: ${link.detail}` : ""}`;
  }
  setFreshness(healthy ? "live" : "stale");
}

function setFreshness(state) {
  const badge = document.getElementById("freshness");
  badge.textContent = state.toUpperCase();
  badge.className = `freshness ${state}`;
  root.dataset.freshness = state;
}

function applyStream(name, data) {
  if (name === "link") {
    renderLink();
  } else if (name.startsWith("queue:")) {
    renderQueue(name.slice(6), data);
  }
}

function onSnapshot(frame) {
  epoch = frame.epoch;
  skewMs = frame.server_time - Date.now();
  streams = frame.streams;
  for (const number of frame.board.queues) tileFor(number);
  for (const [name, entry] of Object.entries(streams)) applyStream(name, entry.data);
  retries = 0;
}

function onDelta(frame) {
  const known = streams[frame.stream];
  if (frame.epoch !== epoch || !known) return resync("new epoch");
  if (frame.seq <= known.seq) return;
  if (frame.seq !== known.seq + 1) return resync(`gap in ${frame.stream}`);
  streams[frame.stream] = { seq: frame.seq, data: frame.data };
  applyStream(frame.stream, frame.data);
}

function resync(reason) {
  console.info("board: resync:", reason);
  setFreshness("stale");
  if (socket) socket.close(4000, "resync");
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws/board/${root.dataset.slug}/`);
  socket.addEventListener("message", (event) => {
    lastFrameAt = Date.now();
    const frame = JSON.parse(event.data);
    if (frame.type === "snapshot") onSnapshot(frame);
    else if (frame.type === "delta") onDelta(frame);
  });
  socket.addEventListener("close", (event) => {
    setFreshness("stale");
    const message = CLOSE_MESSAGES[event.code];
    if (message) showFatal(message);
    const delay = Math.min(RETRY_MAX_MS, 500 * 2 ** retries) * (0.5 + Math.random());
    retries += 1;
    setTimeout(connect, message ? RETRY_MAX_MS : delay);
  });
}

function showFatal(message) {
  const banner = document.getElementById("banner");
  banner.hidden = false;
  banner.textContent = message;
}

setInterval(() => {
  for (const tile of tiles.values()) tickQueue(tile);
  if (socket && socket.readyState === WebSocket.OPEN && Date.now() - lastFrameAt > SILENCE_LIMIT_MS) {
    resync("silence");
  }
}, 1000);

connect();
