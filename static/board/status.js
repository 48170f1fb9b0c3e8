// Honesty about freshness: the LIVE/STALE badge, the PBX link, the data's age and the banner.
import { formatClock, formatDuration, serverNow } from "./clock.js";
import { setText } from "./dom.js";
import { format, gettext } from "./i18n.js";
import { SILENCE_LIMIT_MS } from "./protocol.js";

const LINK_LABELS = {
  connected: gettext("connected"),
  connecting: gettext("connecting"),
  reconnecting: gettext("reconnecting"),
  down: gettext("down"),
};

/** live, stale or reconnecting: LIVE only while the socket, the worker and the PBX link are. */
export function freshness(status, link, now) {
  if (status === "reconnecting") return "reconnecting";
  if (status !== "live" || !link || link.state !== "connected") return "stale";
  return link.checked_at && now - link.checked_at > SILENCE_LIMIT_MS ? "stale" : "live";
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
    this.receivedAt = 0; // server time of the last snapshot, when the link never said
  }

  setStatus(status) {
    this.status = status;
    if (status === "live") this.receivedAt = serverNow();
    this.render();
  }

  setLink(link) {
    this.link = link;
    this.render();
  }

  render() {
    const now = serverNow();
    const state = this.status === "connecting" ? "connecting" : freshness(this.status, this.link, now);
    this.root.dataset.freshness = state;
    this.badge.className = `freshness ${state}`;
    setText(this.badge, BADGES[state]);
    const link = this.link;
    this.linkLabel.dataset.state = link?.state ?? "";
    setText(this.linkLabel, format(gettext("PBX: %(state)s"), { state: LINK_LABELS[link?.state] ?? gettext("unknown") }));
    this.renderAge(now);
    this.renderBanner(state);
  }

  renderAge(now) {
    const at = this.link?.checked_at || this.receivedAt;
    setText(this.age, at ? format(gettext("Data age %(age)s"), { age: formatDuration(now - at) }) : "");
  }

  renderBanner(state) {
    const message = bannerText(this.status, this.link, state);
    this.banner.hidden = !message;
    setText(this.banner, message);
  }
}

const BADGES = {
  connecting: gettext("CONNECTING"),
  live: gettext("LIVE"),
  stale: gettext("STALE"),
  reconnecting: gettext("RECONNECTING…"),
};

function bannerText(status, link, state) {
  if (status === "signed-out") return gettext("Your session has ended: log in again.");
  if (status === "forbidden") return gettext("Access revoked: this board is no longer shared with this screen or account.");
  if (status === "reconnecting") return gettext("Reconnecting to the server… The figures below are the last ones received.");
  if (link && link.state !== "connected") {
    const since = format(gettext("since %(time)s"), { time: formatClock(link.since) });
    const detail = link.detail ? `: ${link.detail}` : "";
    return `${format(gettext("PBX link %(state)s"), { state: LINK_LABELS[link.state] ?? link.state })} ${since}${detail}`;
  }
  if (state === "stale" && status !== "connecting") return gettext("STALE: the figures below are not current. Catching up…");
  return "";
}
