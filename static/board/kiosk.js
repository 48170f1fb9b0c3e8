// Unattended TV duties: fit the screen, turn pages and boards, reload at the quiet hour, keep the
// screen awake.
import { pbxHour } from "./clock.js";
import { TrendStrip } from "./trendstrip.js";
import { TvLayout } from "./tvlayout.js";

const MIN_UPTIME_BEFORE_RELOAD_MS = 2 * 3600 * 1000; // never reload twice in the quiet hour
// A new release: TVs reload within this long of meeting it, spread so a wall does not reload at
// once; and not again within RELEASE_RELOAD_PAUSE_MS (a proxy may mix old and new servers while
// they are replaced one by one).
const RELEASE_RELOAD_SPREAD_MS = 10_000;
const RELEASE_RELOAD_PAUSE_MS = 5 * 60 * 1000;
const RELEASE_RELOADED_KEY = "wb-release-reloaded-at";
let releaseReloadDue = false;
const NEXT_PAGE_KEYS = ["ArrowRight", "PageDown", "MediaTrackNext"];

/** Fit the board to the screen (tvlayout.js), then show each of its pages, and of display.boards,
 * for rotation_s seconds in turn. */
export function rotate(display, socket) {
  const layout = new TvLayout(document.getElementById("queues"), document.getElementById("pages"));
  layout.watch();
  // Under each tile when the board asks for it: the layout measures it with the tile.
  new TrendStrip(document.getElementById("queues"), () => socket.slug).watch();
  // Someone at the TV with its remote or a keyboard: the next page now.
  document.addEventListener("keydown", (event) => NEXT_PAGE_KEYS.includes(event.key) && layout.next());
  const boards = display.boards ?? [];
  let index = 0;
  let pagesShown = 1; // of this board, counting the one on screen
  setInterval(() => {
    if (pagesShown < layout.pages || boards.length < 2) {
      pagesShown += 1;
      return layout.next();
    }
    pagesShown = 1; // the next board starts at its first page (a board of other queues, anew)
    index = (index + 1) % boards.length;
    socket.open(boards[index]);
  }, Math.max(5, display.rotation_s ?? 30) * 1000);
}

/** Reload once a day at reload_hour (PBX zone) to shed whatever a browser accumulates in weeks;
 * only while fresh, so a reload never swaps the last picture for a blank screen. */
export function reloadDaily(display, isFresh, loadedAt = Date.now()) {
  if (display.reload_hour === undefined || display.reload_hour === null) return;
  setInterval(() => {
    const due = pbxHour() === display.reload_hour && Date.now() - loadedAt > MIN_UPTIME_BEFORE_RELOAD_MS;
    if (due && isFresh()) location.reload();
  }, 60_000);
}

/** The server runs another release than this page's: take its pages, once fresh (as above). */
export function reloadForRelease(isFresh, random = Math.random) {
  const last = Number(sessionStorage.getItem(RELEASE_RELOADED_KEY) ?? 0);
  if (releaseReloadDue || Date.now() - last < RELEASE_RELOAD_PAUSE_MS) return;
  releaseReloadDue = true;
  const attempt = () => {
    if (!isFresh()) return setTimeout(attempt, RELEASE_RELOAD_SPREAD_MS);
    sessionStorage.setItem(RELEASE_RELOADED_KEY, String(Date.now()));
    location.reload();
  };
  setTimeout(attempt, random() * RELEASE_RELOAD_SPREAD_MS);
}

/** Ask the browser not to dim or sleep the screen; a lock is lost whenever the page hides. */
export function keepAwake() {
  if (!navigator.wakeLock) return;
  const request = () => navigator.wakeLock.request("screen").catch(() => {});
  request();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") request();
  });
}
