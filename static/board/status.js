// Honesty about freshness: the LIVE/STALE badge, what is silent, the data's age and the banner.
import { formatClock, formatDuration, holdClock, serverNow } from "./clock.js";
import { setText } from "./dom.js";
import { format, gettext } from "./i18n.js";

// The worker declares a silent PBX after 8 s; a beat saying the PBX is older than this is a
// PBX not answering even if the link has not said so yet.
const PBX_SILENT_MS = 10_000;

const LINK_LABELS = {
  connected: gettext("connected"),
  connecting: gettext("connecting"),
  reconnecting: gettext("reconnecting"),
  not_answering: gettext("not answering"),
  down: gettext("down"),
};

// Why the link is down, by the worker's code (docs/protocol.md, `link`): the worker cannot know
// each screen's language, so it sends a code and the screen words it; its English detail goes
// in the banner's tooltip only, for whoever has to fix the PBX.
const REASONS = {
  pbx_silent: gettext("nothing from the PBX for %(seconds)s s"),
  timeout: gettext("the PBX did not answer in time"),
  refused: gettext("the PBX refused the connection: check its address and port"),
  unknown_host: gettext("the PBX's host name is unknown: check its address"),
  tls_untrusted: gettext("the PBX's security certificate is not trusted"),
  closed: gettext("the PBX closed the connection"),
  refused_socket: gettext("the PBX refused the event connection (HTTP %(status)s)"),
  subscription_refused: gettext("the PBX refused the event subscription (error %(errcode)s)"),
  fell_behind: gettext("too many PBX events at once: the wallboard fell behind"),
};

// PBX errcodes a link can end on (the login's, mostly): what to do about each.
const PBX_ERRORS = {
  "-1": gettext("the PBX rejected the wallboard's API credentials"),
  10005: gettext("the wallboard's API application lacks permission on the PBX"),
  60002: gettext("the PBX's limit of access tokens is reached"),
  70004: gettext("the PBX blocked this server's address after failed logins"),
  70087: gettext("this server's address is not allowed in the PBX's API settings"),
  70123: gettext("the API is disabled on the PBX"),
};

/** The link's reason in this screen's language; an unknown one is a generic sentence. */
export function reasonText(reason) {
  const params = reason?.params ?? {};
  if (reason?.code === "pbx_error") {
    return PBX_ERRORS[params.errcode] ?? format(gettext("the PBX reported error %(errcode)s"), params);
  }
  const sentence = REASONS[reason?.code];
  return sentence ? format(sentence, params) : gettext("an unexpected error (details in the tooltip)");
}

// The status line names what is silent, if anything: this screen's socket, the worker, the PBX.
const SILENT_LABELS = {
  socket: gettext("Server: no connection"),
  worker: gettext("Worker: not responding"),
};

/**
 * What is silent, judged from the socket's status, its liveness (protocol.js) and the link:
 * "socket", "worker", "pbx" or "" (nothing: the figures are current).
 */
export function silentPart(status, liveness, link) {
  if (status === "connecting") return ""; // nothing heard yet, so nothing has gone quiet
  if (status === "reconnecting" || liveness.silent === "socket") return "socket";
  if (liveness.silent === "worker") return "worker";
  if (!link || link.state !== "connected") return "pbx";
  return liveness.pbxAgeMs === null || liveness.pbxAgeMs > PBX_SILENT_MS ? "pbx" : "";
}

/** connecting, live, stale or reconnecting: LIVE only while the socket, the worker and the PBX are. */
export function freshness(status, silent) {
  if (status === "connecting" || status === "reconnecting") return status;
  return status === "live" && !silent ? "live" : "stale";
}

/** The PBX link's state as shown: the worker's word, or "not answering" if its beat says so. */
function pbxState(link, silent) {
  return link?.state === "connected" && silent === "pbx" ? "not_answering" : link?.state;
}

export class StatusView {
  constructor(root) {
    this.root = root;
    this.badge = root.querySelector("#freshness");
    this.linkLabel = root.querySelector("#link-status");
    this.age = root.querySelector("#data-age");
    this.banner = root.querySelector("#banner");
    this.status = "connecting";
    this.link = null;
    this.socket = null;
  }

  /** The socket whose liveness (what is silent, how old the figures are) this view shows. */
  watch(socket) {
    this.socket = socket;
  }

  setStatus(status) {
    this.status = status;
    this.render();
  }

  setLink(link) {
    this.link = link;
    this.render();
  }

  render() {
    const liveness = this.socket?.liveness() ?? { silent: "", pbxAgeMs: null, beat: null };
    const silent = silentPart(this.status, liveness, this.link);
    const state = freshness(this.status, silent);
    this.root.dataset.freshness = state;
    this.root.dataset.silent = silent;
    this.badge.className = `freshness ${state}`;
    setText(this.badge, BADGES[state]);
    // Timers stop while not live, and never run far past the PBX's last sign of life.
    const asOf = liveness.pbxAgeMs === null ? null : serverNow() - liveness.pbxAgeMs;
    holdClock(state === "stale" || state === "reconnecting", asOf);
    this.renderLink(silent);
    const age = liveness.pbxAgeMs;
    setText(this.age, age === null ? "" : format(gettext("Data age %(age)s"), { age: formatDuration(age) }));
    this.renderBanner(state, silent, liveness);
  }

  renderLink(silent) {
    const state = pbxState(this.link, silent);
    this.linkLabel.dataset.state = state ?? "";
    this.linkLabel.dataset.silent = silent;
    const label = SILENT_LABELS[silent] ?? format(gettext("PBX: %(state)s"), { state: LINK_LABELS[state] ?? gettext("unknown") });
    setText(this.linkLabel, label);
  }

  renderBanner(state, silent, liveness) {
    const message = bannerText(this.status, state, silent, this.link, liveness);
    this.banner.hidden = !message;
    setText(this.banner, message);
    const detail = message && silent === "pbx" ? (this.link?.detail ?? "") : "";
    if (this.banner.title !== detail) this.banner.title = detail; // raw, untranslatable: a tooltip
  }
}

const BADGES = {
  connecting: gettext("CONNECTING"),
  live: gettext("LIVE"),
  stale: gettext("STALE"),
  reconnecting: gettext("RECONNECTING…"),
};

function bannerText(status, state, silent, link, liveness) {
  if (status === "signed-out") return gettext("Your session has ended: log in again.");
  if (status === "forbidden") return gettext("Access revoked: this board is no longer shared with this screen or account.");
  if (silent === "socket") return gettext("Reconnecting to the server… The figures below are the last ones received.");
  if (silent === "worker") {
    if (!liveness.beat) return gettext("STALE: the worker that follows the PBX is not running. The figures below are not current.");
    const time = formatClock(liveness.beat.at);
    return format(gettext("STALE: the worker that follows the PBX has been silent since %(time)s. The figures below are not current."), { time });
  }
  if (silent === "pbx" && status !== "connecting") return pbxBanner(link, liveness);
  if (state === "stale" && status !== "connecting") return gettext("STALE: the figures below are not current. Catching up…");
  return "";
}

function pbxBanner(link, liveness) {
  const silentFor = link?.state === "connected" && liveness.pbxAgeMs !== null;
  const state = silentFor ? "not_answering" : link?.state;
  if (!state) return gettext("STALE: the figures below are not current. Catching up…");
  const sinceMs = silentFor ? Date.now() - liveness.pbxAgeMs : link.since;
  const since = format(gettext("since %(time)s"), { time: formatClock(sinceMs) });
  const why = !silentFor && (link.reason?.code || link.detail) ? reasonText(link.reason) : "";
  const label = LINK_LABELS[state] ?? gettext("unknown");
  const text = format(gettext("PBX link %(state)s %(since)s"), { state: label, since });
  return why ? format(gettext("%(what)s: %(why)s"), { what: text, why }) : text;
}
