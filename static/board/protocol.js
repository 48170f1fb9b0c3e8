// The board socket: a snapshot, then numbered deltas; a gap, a new epoch or silence resyncs.
import { setServerTime } from "./clock.js";

// The server refreshes the link stream every 15 s: three missed refreshes mean it is gone.
export const SILENCE_LIMIT_MS = 45_000;
const PING_EVERY_MS = 15_000; // also tells the server how far we got (it bounds buffering)
const SNAPSHOT_TIMEOUT_MS = 10_000; // a snapshot asked for (or a handshake) this late: reconnect
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
export const CLOSE_NOT_SIGNED_IN = 4401;
export const CLOSE_FORBIDDEN = 4403;
const CLOSE_RECYCLE = 4408; // the server asks us to reconnect now (a planned recycle)

/** Jittered exponential backoff: attempt 0 waits 0.25–0.5 s, doubling up to 15–30 s. */
export function retryDelay(attempt, random = Math.random) {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);
  return ceiling * (0.5 + random() / 2);
}

/**
 * One socket at a time to `/ws/board/<slug>/`. Handlers: onSnapshot(frame), onStream(name,
 * data), onStatus(status) with status one of connecting, live, resyncing, reconnecting,
 * signed-out, forbidden.
 */
export class BoardSocket {
  constructor(handlers) {
    this.handlers = handlers;
    this.socket = null;
    this.status = "connecting";
    this.retries = 0;
    this.retryTimer = 0;
    this.seqs = new Map();
    this.epoch = null;
  }

  /** Follow a board (again): the picture on screen stays until its snapshot arrives. */
  open(slug) {
    this.slug = slug;
    this.retries = 0;
    this.connect();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.drop();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/board/${this.slug}/`);
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.closed(event.code);
    this.socket = socket;
    this.lastFrameAt = this.lastPingAt = this.awaitingSince = Date.now();
  }

  drop() {
    if (!this.socket) return;
    this.socket.onmessage = this.socket.onclose = null;
    this.socket.close(1000);
    this.socket = null;
  }

  receive(text) {
    this.lastFrameAt = Date.now();
    const frame = JSON.parse(text);
    if (frame.type === "snapshot") this.snapshot(frame);
    else if (frame.type === "delta" && !this.awaitingSince) this.delta(frame);
    else if (frame.type === "batch") this.batch(frame.frames);
  }

  /** Several deltas in one frame (a publisher flush's), in order; a gap stops the rest (we resync). */
  batch(deltas) {
    for (const delta of deltas) {
      if (this.awaitingSince) return;
      this.delta(delta);
    }
  }

  snapshot(frame) {
    this.epoch = frame.epoch;
    setServerTime(frame.server_time);
    this.seqs = new Map(Object.entries(frame.streams).map(([name, entry]) => [name, entry.seq]));
    this.awaitingSince = 0;
    this.retries = 0;
    this.handlers.onSnapshot(frame);
    this.setStatus("live");
  }

  delta(frame) {
    const known = this.seqs.get(frame.stream);
    if (frame.epoch !== this.epoch) return this.resync("new epoch");
    if (known === undefined || frame.seq <= known) return; // not ours, or a duplicate
    if (frame.seq !== known + 1) return this.resync(`gap in ${frame.stream}`);
    this.seqs.set(frame.stream, frame.seq);
    this.handlers.onStream(frame.stream, frame.data);
  }

  /** Ask for a fresh snapshot on this socket; check() reconnects if none comes. */
  resync(reason) {
    console.info("board: resync:", reason);
    this.setStatus("resyncing");
    this.awaitingSince = Date.now();
    this.send({ type: "resync" });
  }

  closed(code) {
    this.socket = null;
    if (code === CLOSE_NOT_SIGNED_IN) return this.setStatus("signed-out");
    if (code === CLOSE_FORBIDDEN) return this.setStatus("forbidden");
    if (code === CLOSE_RECYCLE && this.retries === 0) {
      this.retries = 1; // a second recycle before any snapshot backs off like any failure
      return this.connect();
    }
    this.setStatus("reconnecting");
    this.retryTimer = setTimeout(() => this.connect(), retryDelay(this.retries++));
  }

  /** Run every second, and at once when the page becomes visible again. */
  check(now = Date.now()) {
    if (!this.socket) return;
    if (this.awaitingSince && now - this.awaitingSince > SNAPSHOT_TIMEOUT_MS) return this.connect();
    if (now - this.lastFrameAt > SILENCE_LIMIT_MS) {
      this.setStatus("resyncing");
      return this.connect();
    }
    if (now - this.lastPingAt >= PING_EVERY_MS) this.ping(now);
  }

  /** The page is visible again: a pending retry goes now, and freshness is checked at once. */
  wake() {
    if (!this.socket && this.status === "reconnecting") return this.connect();
    this.check();
  }

  ping(now) {
    this.lastPingAt = now;
    this.send({ type: "ping", seq: Object.fromEntries(this.seqs) });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }
}
