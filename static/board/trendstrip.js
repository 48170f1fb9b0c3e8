// The TV's trend strip (docs/design.md#trends), on boards that ask for it: under each queue, a
// line of today's calls offered per 15 minutes and one of its service level.
const REFRESH_MS = 60_000; // a closed interval is new every 15 minutes: a minute late is fine
const SVG = "http://www.w3.org/2000/svg";

/** A line through the values (one a slot of the day), scaled to 0–`top`; none where null. */
export function points(values, top) {
  return values
    .map((value, at) => (value === null ? null : `${at},${(100 * (1 - value / top)).toFixed(1)}`))
    .filter(Boolean)
    .join(" ");
}

function strip(slots) {
  const svg = document.createElementNS(SVG, "svg");
  svg.classList.add("trend-strip");
  svg.setAttribute("viewBox", `0 0 ${Math.max(1, slots - 1)} 100`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("aria-hidden", "true");
  for (const name of ["offered", "service-level"]) {
    const line = document.createElementNS(SVG, "polyline");
    line.classList.add(name);
    svg.append(line);
  }
  return svg;
}

export class TrendStrip {
  /** container: the queues' grid; slug(): the board on screen (a TV turns through several). */
  constructor(container, slug) {
    Object.assign(this, { container, slug });
    this.shown = null; // the last answer, drawn again on a new board's tiles
  }

  watch() {
    new MutationObserver(() => this.load()).observe(this.container, { childList: true });
    setInterval(() => this.load(), REFRESH_MS);
    this.load();
  }

  async load() {
    const slug = this.slug();
    if (!slug) return;
    const answer = await fetch(`/api/boards/${encodeURIComponent(slug)}/trend-strip/`, { credentials: "same-origin" });
    if (!answer.ok || slug !== this.slug()) return; // another board came on meanwhile
    this.shown = await answer.json();
    this.draw();
  }

  draw() {
    for (const tile of this.container.querySelectorAll(":scope > .tile")) {
      const day = this.shown?.shown ? this.shown.queues[tile.dataset.queue] : null;
      const old = tile.querySelector(".trend-strip");
      if (!day) {
        old?.remove();
        continue;
      }
      const svg = old ?? tile.appendChild(strip(this.shown.slots));
      const offered = day.map((interval) => interval.offered);
      svg.querySelector(".offered").setAttribute("points", points(offered, Math.max(1, ...offered)));
      svg.querySelector(".service-level").setAttribute("points", points(day.map((interval) => interval.service_level), 100));
    }
  }
}
