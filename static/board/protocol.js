// The board socket: a snapshot, then numbered deltas; a gap, a new epoch or silence resyncs.
import { setServerTime } from "./clock.js";

// The worker beats every 2 s (the `beat` stream): three beats missed, it is silent.
export const WORKER_SILENT_MS = 6_000;
const PROBE_AFTER_MS = 3_000; // a beat this late: ping every so often, to learn who is silent
const PONG_WAIT_MS = 3_000; // a ping unanswered this long (no frame at all): our socket is silent
const RECONNECT_AFTER_MS = 6_000; // unanswered this long: give up on this socket
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
    this.beat = null; // the worker's last beat: {at, pbx_heard_at}, both on the worker's clock
    this.beatAt = Date.now(); // when it was sent, on our clock (arrival, less its age at a snapshot)
    this.quietSince = 0; // when a ping went out that no frame has followed yet, on any socket
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
    this.lastPingAt = this.awaitingSince = Date.now();
    this.unansweredSince = 0; // when a ping went out on this socket that no frame has followed
  }

  drop() {
    if (!this.socket) return;
    this.socket.onmessage = this.socket.onclose = null;
    this.socket.close(1000);
    this.socket = null;
  }

  receive(text) {
    this.unansweredSince = this.quietSince = 0; // any frame: the server hears us
    const frame = JSON.parse(text);
    if (frame.type === "snapshot") this.snapshot(frame);
    else if (frame.type === "delta" && !this.awaitingSince) this.delta(frame);
    else if (frame.type === "batch") this.batch(frame.frames);
    else if (frame.type === "pong") setServerTime(frame.server_time); // our clock may have jumped
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
    this.noteBeat(frame.streams.beat?.data, frame.server_time);
    this.handlers.onSnapshot(frame);
    this.setStatus("live");
  }

  delta(frame) {
    const known = this.seqs.get(frame.stream);
    if (frame.epoch !== this.epoch) return this.resync("new epoch");
    if (known === undefined || frame.seq <= known) return; // not ours, or a duplicate
    if (frame.seq !== known + 1) return this.resync(`gap in ${frame.stream}`);
    this.seqs.set(frame.stream, frame.seq);
    if (frame.stream === "beat") this.noteBeat(frame.data);
    this.handlers.onStream(frame.stream, frame.data);
  }

  /** A beat as it arrives; a snapshot's may be old (a worker that died): its age counts. */
  noteBeat(beat, serverTime) {
    const age = beat && serverTime ? Math.max(0, serverTime - beat.at) : 0;
    this.beat = beat ?? null;
    this.beatAt = Date.now() - age;
  }

  /**
   * What is silent at `now` (our clock): "socket" (the server has not answered a ping),
   * "worker" (the server answers but no beat comes) or ""; and how old the figures are: the
   * time since the PBX's last sign of life (the worker's own clock measures its part, so
   * neither clock's error counts), null before the worker was ever connected.
   */
  liveness(now = Date.now()) {
    const silent = this.quietSince && now - this.quietSince >= PONG_WAIT_MS ? "socket"
      : now - this.beatAt >= WORKER_SILENT_MS ? "worker" : "";
    const heard = this.beat?.pbx_heard_at;
    return { silent, pbxAgeMs: heard ? this.beat.at - heard + (now - this.beatAt) : null, beat: this.beat };
  }

  /** Ask for a fresh snapshot on this socket; check() reconnects if none comes. The ping first
   * acknowledges what came so far: the server sends a snapshot only once the last is acknowledged. */
  resync(reason) {
    console.info("board: resync:", reason);
    this.setStatus("resyncing");
    this.awaitingSince = Date.now();
    this.ping(this.awaitingSince);
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
    if (this.unansweredSince && now - this.unansweredSince >= RECONNECT_AFTER_MS) {
      this.setStatus("resyncing");
      return this.connect();
    }
    // No beat: ask the server, whose answer tells a silent worker from a silent socket.
    const every = now - this.beatAt >= PROBE_AFTER_MS ? PROBE_AFTER_MS : PING_EVERY_MS;
    if (now - this.lastPingAt >= every) this.ping(now);
  }

  /** The page is visible again: a pending retry goes now, and freshness is checked at once. */
  wake() {
    if (!this.socket && this.status === "reconnecting") return this.connect();
    this.check();
  }

  ping(now) {
    this.lastPingAt = now;
    if (!this.send({ type: "ping", seq: Object.fromEntries(this.seqs) })) return;
    this.unansweredSince ||= now;
    this.quietSince ||= now;
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.handlers.onStatus(status);
  }
}
