// Unattended TV duties: fit the screen, turn pages and boards, reload at the quiet hour, keep the
// screen awake.
import { pbxHour } from "./clock.js";
import { TrendStrip } from "./trendstrip.js";
import { TvLayout } from "./tvlayout.js";

const MIN_UPTIME_BEFORE_RELOAD_MS = 2 * 3600 * 1000; // never reload twice in the quiet hour
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

/** Ask the browser not to dim or sleep the screen; a lock is lost whenever the page hides. */
export function keepAwake() {
  if (!navigator.wakeLock) return;
  const request = () => navigator.wakeLock.request("screen").catch(() => {});
  request();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") request();
  });
}
