// Unattended TV duties: rotate between boards, reload at the quiet hour, keep the screen awake.
import { pbxHour } from "./clock.js";

const MIN_UPTIME_BEFORE_RELOAD_MS = 2 * 3600 * 1000; // never reload twice in the quiet hour

/** Show each of display.boards for rotation_s seconds in turn (nothing to do for one board). */
export function rotate(display, socket) {
  const boards = display.boards ?? [];
  if (boards.length < 2) return;
  let index = 0;
  setInterval(() => {
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
