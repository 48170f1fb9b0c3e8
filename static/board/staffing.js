// Staffing now on a console's queue tile: "Needs 14, has 12 · expected wait 40 s" (Erlang C from the
// last hour's calls, docs/design.md#staffing-now). The worker lists the service level for each
// number of agents; this board's own target (its service-level warning) picks the agents needed.
import { formatPercent, formatSeconds } from "./clock.js";
import { element, setText } from "./dom.js";
import { format, gettext } from "./i18n.js";

/** The fewest agents whose service level reaches `target` (%), or null if none listed does. */
export function agentsNeeded(levels, target) {
  return levels.find((level) => level.service_level >= target)?.agents ?? null;
}

function line(staffing, target) {
  const needed = agentsNeeded(staffing.service_levels, target);
  const last = staffing.service_levels.at(-1)?.agents ?? 0;
  const needs = needed === null ? format(gettext("more than %(agents)s"), { agents: last }) : needed;
  const wait =
    staffing.expected_wait_s === null
      ? gettext("the wait grows")
      : format(gettext("expected wait %(wait)s"), { wait: formatSeconds(staffing.expected_wait_s) });
  return `${format(gettext("Needs %(needed)s, has %(staffed)s"), { needed: needs, staffed: staffing.staffed })} · ${wait}`;
}

function definition(staffing, target) {
  const inputs = format(gettext("%(arrivals)s calls an hour, %(aht)s talk and %(wrap)s wrap-up each"), {
    arrivals: staffing.arrivals_per_h,
    aht: formatSeconds(staffing.aht_s),
    wrap: formatSeconds(staffing.wrap_up_s),
  });
  const about = format(
    gettext(
      "Erlang C from the last hour's calls: the agents needed to answer %(target)s within the service-level time, beside the agents logged in and neither paused nor unavailable; and the mean wait of a caller who joins now. It assumes a steady arrival rate and callers who never hang up.",
    ),
    { target: formatPercent(target) },
  );
  return `${about} (${inputs})`;
}

/** Show (or hide, with too little data or on a TV) the tile's staffing line. */
export function showStaffing(tile, staffing, thresholds) {
  let shown = tile.querySelector(".staffing");
  if (!shown) {
    shown = element("p", "staffing");
    tile.append(shown);
  }
  shown.hidden = !staffing || document.body.classList.contains("kiosk");
  if (shown.hidden) return;
  const target = thresholds.service_level_warn ?? 80;
  setText(shown, line(staffing, target));
  const title = definition(staffing, target);
  if (shown.title !== title) shown.title = title;
}
