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
