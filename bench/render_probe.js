// bench.render's probe, installed before the board's own modules (Playwright init script): it
// times the board's socket handler and the frame painted after it, without changing static/.
// Fixed-size counters only, so the probe itself cannot make the heap grow over a long run.
(() => {
  const BIN_MS = 0.05;
  const BINS = 4000; // 0–200 ms in 0.05 ms steps; the last bin holds anything slower
  const ACK_EVERY_MS = 500;
  // Each delta's head, alone or inside a batch frame (several deltas of one flush).
  const DELTA = /"type":"delta","epoch":"[^"]*","stream":"([^"]+)","seq":(\d+)/g;
  const probe = {
    BIN_MS,
    deltas: 0,
    frames: 0, // frames carrying deltas: fewer than deltas when the server batches them
    snapshots: [], // ms to apply each snapshot (the first is the board's initial render)
    closes: [],
    timing: false,
    samples: [], // [apply ms, render ms, deltas in that frame] while timing
    applyBins: new Uint32Array(BINS + 1),
    tickBins: new Uint32Array(BINS + 1),
    seqs: {},
    socket: null,
  };
  window.__wbProbe = probe;
  const count = (bins, ms) => bins[Math.min(BINS, Math.floor(ms / BIN_MS))]++;

  // One frame's work: the deltas applied since the last paint, then style, layout and paint.
  // A message posted from requestAnimationFrame runs once that frame's rendering is done.
  let frameApply = 0;
  let frameDeltas = 0;
  let rendering = [0, 0, 0]; // the frame being rendered: start, apply ms, deltas
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    const [start, apply, deltas] = rendering;
    if (probe.timing) probe.samples.push([apply, performance.now() - start, deltas]);
  };
  const beforeRender = () => {
    rendering = [performance.now(), frameApply, frameDeltas];
    frameApply = frameDeltas = 0; // a delta arriving from now on is painted in the next frame
    channel.port2.postMessage(null);
  };

  function applied(text, ms) {
    if (text.startsWith('{"type":"snapshot"')) {
      probe.snapshots.push(ms);
      for (const [name, entry] of Object.entries(JSON.parse(text).streams)) probe.seqs[name] = entry.seq;
      return;
    }
    let deltas = 0;
    for (const [, stream, seq] of text.matchAll(DELTA)) {
      probe.seqs[stream] = Number(seq);
      deltas++;
    }
    if (!deltas) return; // a pong
    probe.deltas += deltas;
    probe.frames++;
    count(probe.applyBins, ms);
    if (frameDeltas === 0) requestAnimationFrame(beforeRender);
    frameDeltas += deltas;
    frameApply += ms;
  }

  const Native = window.WebSocket;
  window.WebSocket = class TimedWebSocket extends Native {
    constructor(...args) {
      super(...args);
      probe.socket = this;
      this.addEventListener("close", (event) => probe.closes.push(event.code));
    }

    set onmessage(handler) {
      super.onmessage = handler && ((event) => {
        const started = performance.now();
        handler.call(this, event);
        applied(event.data, performance.now() - started);
      });
    }

    get onmessage() {
      return super.onmessage;
    }
  };

  // The board pings its acks every 15 s; the benchmark feeds far faster than any PBX, and the
  // server recycles a screen with much unacknowledged (docs/protocol.md), so ack more often.
  const nativeSetInterval = window.setInterval.bind(window);
  nativeSetInterval(() => {
    const socket = probe.socket;
    if (socket && socket.readyState === Native.OPEN) socket.send(JSON.stringify({ type: "ping", seq: probe.seqs }));
  }, ACK_EVERY_MS);

  // The board's one-second ticker (timers, freshness): its cost grows with the rows on screen.
  window.setInterval = (callback, delay, ...rest) => {
    if (delay !== 1000 || typeof callback !== "function") return nativeSetInterval(callback, delay, ...rest);
    return nativeSetInterval(() => {
      const started = performance.now();
      callback();
      count(probe.tickBins, performance.now() - started);
    }, delay);
  };
})();
