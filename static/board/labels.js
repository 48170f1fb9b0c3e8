// Words for states and presence, written out in full so Django's makemessages finds them.
import { gettext } from "./i18n.js";

export const STATE_LABELS = {
  on_call: gettext("On call"),
  ringing: gettext("Ringing"),
  wrap_up: gettext("Wrap-up"),
  paused: gettext("Paused"),
  available: gettext("Available"),
  unavailable: gettext("Unavailable"),
  logged_out: gettext("Logged out"),
};

const PRESENCE_LABELS = {
  available: gettext("Available"),
  away: gettext("Away"),
  business_trip: gettext("Business trip"),
  do_not_disturb: gettext("Do not disturb"),
  lunch_break: gettext("Lunch break"),
  off_work: gettext("Off work"),
};

export function presenceLabel(presence) {
  if (!presence) return null;
  return PRESENCE_LABELS[presence] ?? presence.replaceAll("_", " ");
}

export function registeredLabel(registered) {
  if (registered === undefined || registered === null) return null;
  return registered ? gettext("Registered") : gettext("Not registered");
}
