// Time on screen: server-corrected now, durations that tick, clock times in the PBX's zone.
import { language } from "./i18n.js";

let skewMs = 0;

/** Remember how far the server's clock is from ours (measured at each snapshot or pong). */
export function setServerTime(serverTimeMs) {
  skewMs = serverTimeMs - Date.now();
}

export function serverNow() {
  return Date.now() + skewMs;
}

// The board's timers (waits, durations) run no further than HOLD_MS past the figures' last
// confirmation (the PBX's last sign of life: 0–6 s ago while live), and stop where they stand
// while the board is not live.
const HOLD_MS = 8_000;
let asOfMs = null; // server time of the last confirmation, when known
let heldAtMs = null; // server time the timers stopped at, while not live

/** What the timers go by: live or not, and (server time) when the figures were confirmed. */
export function holdClock(held, asOf) {
  asOfMs = asOf;
  heldAtMs = held ? (heldAtMs ?? runningNow()) : null;
}

function runningNow() {
  const now = serverNow();
  return asOfMs === null ? now : Math.min(now, asOfMs + HOLD_MS);
}

/** The time the board's timers show. */
export function boardNow() {
  return heldAtMs ?? runningNow();
}

/** m:ss below an hour, h:mm:ss above: digits only, so every locale reads it. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

const timeZone = document.getElementById("board")?.dataset.timeZone || undefined;
const clockFormat = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
const hourFormat = new Intl.DateTimeFormat("en", { hour: "numeric", hourCycle: "h23", timeZone });

/** HH:MM of an epoch-ms time, in the PBX's time zone, formatted for the page's language. */
export function formatClock(ms) {
  return clockFormat.format(new Date(ms));
}

/** The hour of the day (0–23) now in the PBX's time zone. */
export function pbxHour() {
  return Number(hourFormat.format(new Date(serverNow())));
}

const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 1 });
const seconds = new Intl.NumberFormat(language, { style: "unit", unit: "second", unitDisplay: "narrow" });

export function formatPercent(value) {
  return percent.format(value / 100);
}

export function formatSeconds(value) {
  return seconds.format(value);
}
