// Listening in: start listen/whisper/barge from a live-calls row, switch the mode on the same
// call, stop (the PBX hangs up our own leg; the agent's call goes on). A panel at the top of the
// live-calls section lists who monitors what, by name; the monitored call's row is marked.
import { act, button, dialogForm, format, gettext, named, note, openDialog, outcomeText, request, toast } from "./actions-ui.js";

const MONITORS_EVERY_MS = 3000;
const MODES = {
  listen: gettext("Listen"),
  whisper: gettext("Whisper"),
  barge: gettext("Barge in"),
};

let actor = null;
let board = null;
let sessions = []; // the monitoring sessions on the board's queues, as the server last listed them
const busy = new Map(); // call ID → {mode, id, replacing}: a start or switch of ours under way
const calls = new Map(); // call ID → the last {row, call, queue} the renderer gave us

export function attachMonitoring(api) {
  actor = api.actor;
  board = () => api.board;
  // In the page's flow, above the live calls: it covers nothing (a floating box hid the
  // waiting callers).
  document.querySelector("#calls-section h2").after(monitorsPanel());
  api.onCallRow(decorateCall);
  pollMonitors();
}

const agentOf = (session) => named(session.agent_name, session.agent);

function supervisorOf(session) {
  if (!session.mine) return named(session.supervisor_name, session.extension);
  return format(gettext("You (%(name)s, %(extension)s)"), { name: session.supervisor_name, extension: session.extension });
}

// --- the live-calls rows ------------------------------------------------------------------

function decorateCall(row, call, queue) {
  const cell = row.querySelector("td.call-actions");
  if (!cell) return;
  calls.set(call.call_id, { row, call, queue });
  const allowed = !actor.queues || actor.queues.includes(queue);
  const watching = sessions.filter((session) => session.monitored_call === call.call_id && session.phase === "monitoring");
  const mine = sessions.find((session) => session.mine && session.monitored_call === call.call_id);
  const signature = JSON.stringify([call.agent, call.agent_name, allowed, actor.extension, watching, mine, busy.get(call.call_id)]);
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  const buttons = !allowed ? [] : mine ? switchButtons(mine) : startButtons(call, queue);
  cell.replaceChildren(...watching.map(marker), ...buttons);
}

/** What tells the monitored call apart: a badge whose accessible name says who and how. */
function marker(session) {
  const label = format(gettext("Monitored (%(verb)s) by %(name)s, extension %(extension)s"), {
    verb: MODES[session.mode],
    name: session.supervisor_name,
    extension: session.extension,
  });
  const badge = Object.assign(document.createElement("span"), { className: "wb-monitored", title: label });
  badge.textContent = `${MODES[session.mode]} · ${session.supervisor_name}`;
  badge.dataset.mode = session.mode;
  badge.setAttribute("role", "img");
  badge.setAttribute("aria-label", label);
  return badge;
}

function startButtons(call, queue) {
  const why = actor.extension ? "" : gettext("You have no extension to listen from: an admin sets it on your supervisor profile.");
  return Object.entries(MODES).map(([mode, label]) => {
    const item = button(mode, label, actor.extension ? () => confirmMonitor(call, queue, mode) : null, why);
    item.disabled ||= busy.has(call.call_id);
    return item;
  });
}

/** Our own session's modes: the current one pressed, the others switch to themselves. */
function switchButtons(session) {
  return Object.entries(MODES).map(([mode, label]) => {
    const item = button(mode, label, () => confirmSwitch(session, mode));
    item.setAttribute("aria-pressed", String(session.mode === mode));
    item.disabled = session.mode === mode || busy.has(session.monitored_call);
    return item;
  });
}

// --- starting, switching, stopping ----------------------------------------------------------

function confirmMonitor(call, queue, mode) {
  const agent = named(call.agent_name, call.agent);
  const form = dialogForm(format(gettext("%(verb)s: agent %(agent)s's call with %(caller)s"), { verb: MODES[mode], agent, caller: call.caller || "?" }));
  form.append(note(format(gettext("The PBX rings your extension %(extension)s first; answer it to start."), { extension: actor.extension })));
  openDialog(form, () => monitor({ action: mode, agent: call.agent, queues: [queue] }, call.call_id, agent));
}

function confirmSwitch(session, mode) {
  const agent = agentOf(session);
  const form = dialogForm(format(gettext("Switch to %(verb)s on agent %(agent)s's call?"), { verb: MODES[mode], agent }));
  const how = gettext("The PBX hangs up your monitoring call, then rings your extension %(extension)s again; answer it to go on.");
  form.append(note(format(how, { extension: session.extension })));
  const body = { action: mode, agent: session.agent, queues: session.queues, monitor: session.id };
  openDialog(form, () => monitor(body, session.monitored_call, agent));
}

async function monitor(body, callId, agent) {
  const work = { mode: body.action, id: null, replacing: body.monitor ?? null };
  busy.set(callId, work);
  refresh();
  try {
    const attempt = await act(body, (progress) => (work.id = progress.id));
    const done = body.monitor ? gettext("Switched to %(verb)s on agent %(agent)s's call.") : gettext("You are monitoring agent %(agent)s's call.");
    if (attempt.status === "ok") toast(format(done, { verb: MODES[body.action], agent }), "ok");
    else toast(outcomeText(attempt), "error");
  } catch (error) {
    toast(format(gettext("The action could not be sent: %(error)s"), { error: error.message }), "error");
  } finally {
    busy.delete(callId);
    pollMonitors();
  }
}

async function stopMonitor(session, control) {
  control.disabled = true;
  try {
    const attempt = await act({ action: "stop", agent: session.agent, monitor: session.id });
    const done = format(gettext("Monitoring of agent %(agent)s's call stopped; the call goes on."), { agent: agentOf(session) });
    toast(attempt.status === "ok" ? done : outcomeText(attempt), attempt.status === "ok" ? "ok" : "error");
  } catch (error) {
    toast(format(gettext("The action could not be sent: %(error)s"), { error: error.message }), "error");
  } finally {
    control.disabled = false;
    pollMonitors();
  }
}

// --- the panel --------------------------------------------------------------------------------

function monitorsPanel() {
  const panel = Object.assign(document.createElement("section"), { id: "wb-monitors", className: "wb-monitors", hidden: true });
  const title = Object.assign(document.createElement("h3"), { id: "wb-monitors-title", textContent: gettext("Monitoring") });
  panel.setAttribute("aria-labelledby", title.id);
  const list = document.createElement("ul");
  list.setAttribute("aria-live", "polite");
  panel.append(title, list);
  return panel;
}

/** The panel's entries (a key, their text, the session their controls act on) and rows. */
function refresh() {
  const shown = new Map();
  for (const session of sessions) shown.set(`session-${session.id}`, { text: sessionText(session), phase: session.phase, session });
  for (const [callId, work] of busy) {
    if (work.replacing || sessions.some((session) => session.id === work.id)) continue;
    shown.set(`start-${callId}`, { text: format(gettext("Ringing your extension %(extension)s…"), { extension: actor.extension }), phase: "ringing" });
  }
  const list = document.querySelector("#wb-monitors ul");
  for (const entry of [...list.children]) if (!shown.has(entry.dataset.key)) entry.remove();
  for (const [key, item] of shown) showEntry(list, key, item);
  document.getElementById("wb-monitors").hidden = shown.size === 0;
  for (const [callId, { row, call, queue }] of calls) {
    if (row.isConnected) decorateCall(row, call, queue);
    else calls.delete(callId);
  }
}

function sessionText(session) {
  const switching = [...busy.values()].find((work) => work.replacing === session.id);
  if (switching) {
    return format(gettext("Switching to %(verb)s: ringing your extension %(extension)s…"), { verb: MODES[switching.mode], extension: session.extension });
  }
  const who = supervisorOf(session);
  if (session.phase === "ringing" && session.mine) return format(gettext("Ringing your extension %(extension)s…"), { extension: session.extension });
  if (session.phase === "ringing") return format(gettext("%(who)s: ringing…"), { who });
  return format(gettext("%(who)s: %(verb)s on agent %(agent)s — monitoring"), { who, verb: MODES[session.mode], agent: agentOf(session) });
}

/** One entry, changed only where it differs (screen readers hear the list's changes). */
function showEntry(list, key, { text, phase, session }) {
  let entry = [...list.children].find((item) => item.dataset.key === key);
  if (!entry) {
    entry = Object.assign(document.createElement("li"), { className: "wb-monitor" });
    entry.dataset.key = key;
    entry.append(Object.assign(document.createElement("span"), { className: "wb-monitor-text" }), Object.assign(document.createElement("span"), { className: "wb-monitor-controls" }));
    list.append(entry);
  }
  const [label, controls] = entry.children;
  if (label.textContent !== text) label.textContent = text;
  if (entry.dataset.phase !== phase) entry.dataset.phase = phase;
  const signature = JSON.stringify([session, busy.has(session?.monitored_call)]);
  if (entry.dataset.signature === signature) return;
  entry.dataset.signature = signature;
  controls.replaceChildren(...(session && (session.mine || !actor.queues) ? controlsOf(session) : []));
}

/** Ours: switch the mode, or stop. An admin may stop anyone's (never switch it: that would ring
 * the admin's own phone). */
function controlsOf(session) {
  const stop = button("stop", gettext("Stop"), (event) => stopMonitor(session, event.currentTarget));
  stop.setAttribute("aria-label", format(gettext("Stop monitoring agent %(agent)s's call"), { agent: agentOf(session) }));
  return session.mine ? [...switchButtons(session), stop] : [stop];
}

let monitorsTimer = null;
async function pollMonitors() {
  clearTimeout(monitorsTimer);
  try {
    const { status, answer } = await request(`/api/monitors/?board=${encodeURIComponent(board()?.slug ?? "")}`);
    if (status === 200) sessions = answer.monitors;
  } finally {
    refresh();
    monitorsTimer = setTimeout(pollMonitors, MONITORS_EVERY_MS);
  }
}
