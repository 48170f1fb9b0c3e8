// The wall TV's layout (docs/tv-setup.md, "Screen sizes"): the queues get whatever height the
// head and any banner leave them; the tiles' type is sized so that every tile shows all its
// figures, and a board of more queues than fit readably is shown a page at a time.

// The key figures' size as a share of the screen height: the most, and the least a tile may show
// them at before the board is split into pages (labels stay at 2.5 % or more meanwhile, board.css).
const MOST_VH = 10;
const LEAST_VH = 6;
// Under the least only if one tile a page does not fit even so (a long banner on a small screen):
// smaller figures rather than figures cut off.
const LAST_RESORT_VH = 2;
const MAX_ROWS = 4; // of tiles on a page: a portrait screen stacks them
const STEPS = 8; // towards the largest size that fits, each laying the tiles out once,
const PRECISION_VH = 0.1; // to within this
const LEVELS = ["", "warn", "critical"];

const vhPx = (vh) => (vh * innerHeight) / 100;

export class TvLayout {
  /** container: the queues' grid (its tiles come and go with the board); dots: one per page. */
  constructor(container, dots) {
    Object.assign(this, { container, dots });
    this.perPage = 1;
    this.page = 0;
  }

  get tiles() {
    return [...this.container.querySelectorAll(":scope > .tile")];
  }

  get pages() {
    return Math.max(1, Math.ceil(this.tiles.length / this.perPage));
  }

  /** Lay out again whenever the room or the tiles change: a resize, a banner, another board, a
   * figure grown too wide for its tile, the Thai font loaded. */
  watch() {
    new ResizeObserver(() => this.fit()).observe(this.container);
    new MutationObserver((changes) => this.changed(changes)).observe(this.container, {
      childList: true,
      subtree: true,
      characterData: true,
      attributeFilter: ["data-level"],
    });
    document.fonts.addEventListener("loadingdone", () => this.fit());
  }

  /** A fit shows the pages' levels too; otherwise a tile's level may have changed alone. */
  changed(changes) {
    if (changes.some((change) => change.target === this.container)) {
      this.page = 0; // another board's tiles: from its first page
      this.fit();
    } else if (this.shown().some((tile) => room(tile) < 1)) {
      this.fit();
    } else {
      this.showLevels();
    }
  }

  /** Choose the grid and the type size for the tiles as they are now, then show the page. */
  fit() {
    const tiles = this.tiles;
    for (const tile of tiles) tile.hidden = false; // measured all together, in the page's grid
    if (tiles.length) {
      const chosen = this.choose(tiles.length);
      this.perPage = chosen.perPage;
      this.apply(chosen);
    }
    this.show();
  }

  /** The fewest pages at which tiles fit with figures at LEAST_VH or more, and their grid. */
  choose(count) {
    let tried = 0;
    for (let pages = 1; pages <= count; pages += 1) {
      const perPage = Math.ceil(count / pages);
      if (perPage === tried) continue;
      tried = perPage;
      const grid = this.bestGrid(perPage, vhPx(LEAST_VH));
      if (grid) return { ...grid, perPage };
    }
    const last = vhPx(LAST_RESORT_VH);
    return { cols: 1, rows: 1, perPage: 1, fig: this.largestFitting(1, 1, last) ?? last };
  }

  /** Of the grids holding perPage tiles without an empty row, the one with the largest figures. */
  bestGrid(perPage, least) {
    let best = null;
    for (let rows = 1; rows <= Math.min(perPage, MAX_ROWS); rows += 1) {
      const cols = Math.ceil(perPage / rows);
      if (Math.ceil(perPage / cols) < rows) continue;
      const fig = this.largestFitting(cols, rows, least);
      if (fig !== null && (!best || fig > best.fig)) best = { cols, rows, fig };
    }
    return best;
  }

  /** The largest key-figure size (px, to within PRECISION_VH) at which every tile fits a cell of
   * a cols × rows grid; null if they do not fit even at `least`. */
  largestFitting(cols, rows, least) {
    const most = vhPx(MOST_VH);
    if (this.roomAt(cols, rows, least) < 1) return null;
    const found = this.roomAt(cols, rows, most);
    if (found >= 1) return most;
    let [fits, fails] = [least, most];
    // A first guess (type shrinks the content about in proportion), then halving the gap.
    let fig = Math.max(least, most * found);
    for (let step = 0; step < STEPS && fails - fits > vhPx(PRECISION_VH); step += 1) {
      if (this.roomAt(cols, rows, fig) >= 1) fits = fig;
      else fails = fig;
      fig = (fits + fails) / 2;
    }
    return fits;
  }

  roomAt(cols, rows, fig) {
    this.apply({ cols, rows, fig });
    return Math.min(...this.tiles.map(room));
  }

  apply({ cols, rows, fig }) {
    const style = this.container.style;
    style.setProperty("--tv-cols", String(cols));
    style.setProperty("--tv-rows", String(rows));
    // In vh: a screen resized to the same shape needs no new fit (a ResizeObserver fits anyway).
    style.setProperty("--tv-fig", `${(fig * 100) / innerHeight}vh`);
  }

  shown() {
    return this.tiles.filter((tile) => !tile.hidden);
  }

  /** The next page, after the last the first. */
  next() {
    this.page = (this.page + 1) % this.pages;
    this.show();
  }

  show() {
    this.page = Math.min(this.page, this.pages - 1);
    this.tiles.forEach((tile, at) => {
      const hidden = Math.floor(at / this.perPage) !== this.page;
      if (tile.hidden !== hidden) tile.hidden = hidden;
    });
    this.showDots();
  }

  showDots() {
    const pages = this.pages;
    this.dots.hidden = pages < 2;
    while (this.dots.children.length > pages) this.dots.lastElementChild.remove();
    while (this.dots.children.length < pages) this.dots.append(document.createElement("span"));
    [...this.dots.children].forEach((dot, at) => dot.setAttribute("aria-current", String(at === this.page)));
    this.showLevels();
  }

  /** Each page's dot in the colour of its worst tile: an alarm on another page shows too. */
  showLevels() {
    const worst = new Array(this.pages).fill(0);
    this.tiles.forEach((tile, at) => {
      const page = Math.floor(at / this.perPage);
      worst[page] = Math.max(worst[page], LEVELS.indexOf(tile.dataset.level ?? ""));
    });
    worst.forEach((level, page) => {
      const dot = this.dots.children[page];
      if (dot && dot.dataset.level !== LEVELS[level]) dot.dataset.level = LEVELS[level];
    });
  }
}

/** How much of its content a tile's box holds: 1 or more when it all fits (sizes are whole
 * pixels, so a tile that fits may measure one over). */
function room(tile) {
  return Math.min((tile.clientHeight + 1) / tile.scrollHeight, (tile.clientWidth + 1) / tile.scrollWidth);
}
