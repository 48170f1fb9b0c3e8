// Supervisor actions on the console: log in/out, pause/unpause, listen/whisper/barge.
// The board renderer calls our row callbacks; we only ever write inside td.agent-actions and
// td.call-actions. Every change is confirmed first, shown pending, then ok or the PBX's reason.

const gettext = globalThis.gettext ?? ((text) => text);
const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
const POLL_MS = 700;
const POLL_FOR_MS = 30_000;
const MONITORS_EVERY_MS = 3000;
const MONITOR_VERBS = {
  listen: gettext("Listen"),
  whisper: gettext("Whisper"),
  barge: gettext("Barge in"),
};

let actor = null;
let board = null;
const pending = new Set(); // "agent:action" keys with an action under way
const rows = new Map(); // extension → the last row and agent the renderer gave us

export function attach(api) {
  actor = api.actor;
  board = () => api.board;
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: new URL("actions.css", import.meta.url).href });
  document.head.append(link);
  document.body.append(toasts(), monitorsPanel());
  api.onAgentRow(decorateAgent);
  api.onCallRow(decorateCall);
  pollMonitors();
}

// --- talking to the server -------------------------------------------------------------

function csrfToken() {
  const found = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
}

async function request(path, body) {
  const options = body
    ? { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() }, body: JSON.stringify(body) }
    : {};
  const response = await fetch(path, { credentials: "same-origin", ...options });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { error: format(gettext("The server answered %(status)s."), { status: response.status }) };
  }
  return { status: response.status, answer };
}

/** Send an action; resolve with the attempt once it is settled (ok, failed or refused). */
async function act(body, onProgress) {
  const { status, answer } = await request("/api/actions/", { ...body, idempotency_key: crypto.randomUUID() });
  if (answer.error && status !== 409) return { status: "refused", message: answer.error };
  let attempt = answer;
  const deadline = Date.now() + POLL_FOR_MS;
  while (attempt.status === "pending" && Date.now() < deadline) {
    onProgress?.(attempt);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const next = await request(`/api/actions/${attempt.id}/`);
    if (next.status !== 200) return { status: "failed", message: next.answer.error };
    attempt = next.answer;
  }
  return attempt;
}

// --- agent rows --------------------------------------------------------------------------

function actableQueues(agent) {
  const queues = agent.queues ?? [];
  return actor.queues ? queues.filter((queue) => actor.queues.includes(queue)) : queues;
}

const kindIn = (agent, queue) => agent.kinds?.[queue] ?? agent.kind;
const stateIn = (agent, queue) => agent.states?.[queue] ?? agent.state;

// The board calls this only for rows whose agent changed (and we, when an action settles).
function decorateAgent(row, agent) {
  const cell = row.querySelector("td.agent-actions");
  if (!cell) return;
  rows.set(agent.number, { row, agent });
  const mine = [...pending].filter((key) => key.startsWith(`${agent.number}:`));
  cell.classList.toggle("is-pending", mine.length > 0);
  const plan = actionPlan(agent, actableQueues(agent));
  // What the buttons show and act on: most changes (ringing, then on call) leave them as they are.
  const signature = JSON.stringify([plan, agent.name, agent.auto_paused, agent.missed_calls, mine]);
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  cell.replaceChildren(...agentButtons(agent, plan));
}

/** Which queues each action applies to. */
function actionPlan(agent, queues) {
  // A paused agent on a call shows "on call": then `paused` says it, though not per queue.
  const pausedIn = queues.filter((queue) => stateIn(agent, queue) === "paused");
  const dynamic = queues.filter((queue) => kindIn(agent, queue) === "dynamic");
  return {
    queues,
    paused: pausedIn.length || !agent.paused ? pausedIn : queues,
    dynamic,
    loggedOut: dynamic.filter((queue) => stateIn(agent, queue) === "logged_out"),
    loggedIn: dynamic.filter((queue) => stateIn(agent, queue) !== "logged_out"),
  };
}

function agentButtons(agent, { queues, paused, dynamic, loggedOut, loggedIn }) {
  if (!queues.length) return [];
  const buttons = [];
  if (paused.length && agent.auto_paused) {
    const count = agent.missed_calls?.length ?? 0;
    const label = format(gettext("Unpause (missed %(count)s)"), { count });
    buttons.push(button("unpause", label, () => run(agent, { action: "unpause", agent: agent.number, queues: paused }), missedText(agent)));
  } else if (paused.length) {
    buttons.push(button("unpause", gettext("Unpause"), () => confirmQueues(agent, "unpause", paused)));
  } else {
    buttons.push(button("pause", gettext("Pause…"), () => pauseDialog(agent, queues)));
  }
  if (loggedOut.length) buttons.push(button("login", gettext("Log in…"), () => confirmQueues(agent, "login", loggedOut)));
  if (loggedIn.length) buttons.push(button("logout", gettext("Log out…"), () => confirmQueues(agent, "logout", loggedIn)));
  if (!dynamic.length) {
    const why = gettext("Static member: always logged in to its queues; only dynamic members can be logged in or out.");
    buttons.push(button("logout", gettext("Log out…"), null, why));
  }
  for (const item of buttons) item.disabled ||= pending.has(`${agent.number}:${item.dataset.action}`);
  return buttons;
}

function missedText(agent) {
  const callers = (agent.missed_calls ?? []).map((call) => call.caller_number ?? call.caller).filter(Boolean);
  return format(gettext("Auto-paused after missed calls from %(callers)s"), { callers: callers.join(", ") || "?" });
}

function button(action, label, onClick, title) {
  const item = document.createElement("button");
  item.type = "button";
  item.className = `wb-action action-${action}`;
  item.dataset.action = action;
  item.textContent = label;
  if (title) item.title = title;
  if (onClick) item.addEventListener("click", onClick);
  else item.disabled = true;
  return item;
}

const ACTION_TITLES = {
  login: gettext("Log agent %(agent)s in"),
  logout: gettext("Log agent %(agent)s out"),
  unpause: gettext("Unpause agent %(agent)s"),
  pause: gettext("Pause agent %(agent)s"),
};

function confirmQueues(agent, action, queues) {
  const form = dialogForm(format(ACTION_TITLES[action], { agent: agentName(agent) }));
  form.append(queueChoice(queues));
  openDialog(form, (data) => run(agent, { action, agent: agent.number, queues: chosenQueues(data, queues) }));
}

async function pauseDialog(agent, queues) {
  const form = dialogForm(format(ACTION_TITLES.pause, { agent: agentName(agent) }));
  const reasons = await request("/api/pause-reasons/");
  const choices = [["", gettext("No reason")], ...(reasons.answer.reasons ?? []).map((item) => [item.code, item.reason])];
  form.append(labelled(gettext("Reason"), select("reason", choices)));
  if (reasons.answer.error) form.append(Object.assign(document.createElement("p"), { className: "wb-note", textContent: reasons.answer.error }));
  form.append(queueChoice(queues));
  const minutes = Object.assign(document.createElement("input"), { type: "number", name: "unpause_after_min", min: "0", max: "1440", value: "0" });
  form.append(labelled(gettext("Unpause automatically after (minutes, 0 = never)"), minutes));
  openDialog(form, (data) => {
    const after = Math.round(Number(data.get("unpause_after_min") || 0) * 60);
    run(agent, { action: "pause", agent: agent.number, queues: chosenQueues(data, queues), reason_code: data.get("reason"), unpause_after_s: after });
  });
}

function queueChoice(queues) {
  const choices = queues.length > 1 ? [["all", gettext("All these queues")], ...queues.map((queue) => [queue, queue])] : queues.map((queue) => [queue, queue]);
  return labelled(gettext("Queues"), select("queues", choices));
}

const chosenQueues = (data, queues) => (data.get("queues") === "all" ? queues : [data.get("queues")]);
const agentName = (agent) => (agent.name ? `${agent.name} (${agent.number})` : agent.number);

async function run(agent, body) {
  const key = `${agent.number}:${body.action}`;
  pending.add(key);
  refreshRow(agent.number);
  try {
    const attempt = await act(body);
    toast(attempt.message || attempt.status, attempt.status === "ok" ? "ok" : "error");
  } catch (error) {
    toast(format(gettext("The action could not be sent: %(error)s"), { error: error.message }), "error");
  } finally {
    pending.delete(key);
    refreshRow(agent.number);
  }
}

function refreshRow(number) {
  const last = rows.get(number);
  if (last) decorateAgent(last.row, last.agent);
}

// --- call rows and monitoring -------------------------------------------------------------

function decorateCall(row, call, queue) {
  const cell = row.querySelector("td.call-actions");
  if (!cell) return;
  const allowed = !actor.queues || actor.queues.includes(queue);
  const signature = `${call.agent}|${allowed}|${actor.extension ?? ""}`;
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  if (!allowed) return cell.replaceChildren();
  const why = actor.extension ? "" : gettext("You have no extension to listen from: an admin sets it on your supervisor profile.");
  cell.replaceChildren(
    ...Object.entries(MONITOR_VERBS).map(([mode, label]) =>
      button(mode, label, actor.extension ? () => confirmMonitor(call, queue, mode) : null, why),
    ),
  );
}

function confirmMonitor(call, queue, mode) {
  const title = format(gettext("%(verb)s: agent %(agent)s's call with %(caller)s"), { verb: MONITOR_VERBS[mode], agent: call.agent_name || call.agent, caller: call.caller || "?" });
  const form = dialogForm(title);
  const note = format(gettext("The PBX rings your extension %(extension)s first; answer it to start."), { extension: actor.extension });
  form.append(Object.assign(document.createElement("p"), { className: "wb-note", textContent: note }));
  openDialog(form, () => monitor(call, queue, mode));
}

async function monitor(call, queue, mode) {
  const entry = monitorEntry(`pending-${call.call_id}`, mode, call.agent, "ringing");
  const attempt = await act({ action: mode, agent: call.agent, queues: [queue] }, (progress) => showPhase(entry, progress.phase));
  if (attempt.status === "ok") {
    showPhase(entry, attempt.phase);
    toast(format(gettext("You are monitoring agent %(agent)s's call."), { agent: call.agent }), "ok");
  } else {
    entry.remove();
    toast(attempt.message || attempt.status, "error");
  }
  pollMonitors();
}

function monitorsPanel() {
  const panel = document.createElement("aside");
  panel.id = "wb-monitors";
  panel.className = "wb-monitors";
  panel.setAttribute("aria-live", "polite");
  panel.hidden = true;
  panel.append(Object.assign(document.createElement("h2"), { textContent: gettext("Monitoring") }), document.createElement("ul"));
  return panel;
}

function monitorEntry(id, mode, agent, phase, supervisor = null, extension = actor.extension) {
  const list = document.querySelector("#wb-monitors ul");
  let entry = list.querySelector(`[data-id="${CSS.escape(String(id))}"]`);
  if (!entry) {
    entry = Object.assign(document.createElement("li"), { className: "wb-monitor" });
    entry.dataset.id = id;
    list.append(entry);
  }
  Object.assign(entry.dataset, { mode, agent, supervisor: supervisor ?? "", extension: extension ?? "" });
  showPhase(entry, phase);
  document.getElementById("wb-monitors").hidden = false;
  return entry;
}

function showPhase(entry, phase) {
  const { mode, agent, supervisor, extension } = entry.dataset;
  entry.dataset.phase = phase;
  const who = supervisor ? `${supervisor} (${extension})` : gettext("You");
  const texts = {
    ringing: format(gettext("Ringing your extension %(extension)s…"), { extension }),
    monitoring: format(gettext("%(who)s: %(verb)s on agent %(agent)s — monitoring"), { who, verb: MONITOR_VERBS[mode], agent }),
    ended: gettext("Monitoring ended"),
  };
  entry.textContent = phase === "ringing" && supervisor ? format(gettext("%(who)s: ringing…"), { who }) : texts[phase] ?? phase;
}

let monitorsTimer = null;
async function pollMonitors() {
  clearTimeout(monitorsTimer);
  try {
    const { status, answer } = await request(`/api/monitors/?board=${encodeURIComponent(board()?.slug ?? "")}`);
    if (status === 200) showMonitors(answer.monitors);
  } finally {
    monitorsTimer = setTimeout(pollMonitors, MONITORS_EVERY_MS);
  }
}

function showMonitors(monitors) {
  const list = document.querySelector("#wb-monitors ul");
  const ids = new Set(monitors.map((item) => String(item.id)));
  for (const entry of [...list.children]) if (!ids.has(entry.dataset.id) && !entry.dataset.id.startsWith("pending-")) entry.remove();
  for (const item of monitors) {
    const mine = item.extension === actor.extension;
    monitorEntry(item.id, item.mode, item.agent, item.phase, mine ? null : item.supervisor, item.extension);
    for (const guess of list.querySelectorAll(`[data-id^="pending-"][data-agent="${CSS.escape(item.agent)}"]`)) guess.remove();
  }
  document.getElementById("wb-monitors").hidden = list.children.length === 0;
}

// --- dialog and toasts ------------------------------------------------------------------

function dialogForm(title) {
  const form = document.createElement("form");
  form.method = "dialog";
  form.append(Object.assign(document.createElement("h2"), { textContent: title }));
  return form;
}

function labelled(text, control) {
  const label = Object.assign(document.createElement("label"), { textContent: `${text} ` });
  label.append(control);
  return label;
}

function select(name, choices) {
  const control = Object.assign(document.createElement("select"), { name });
  for (const [value, text] of choices) control.append(new Option(text, value));
  return control;
}

function openDialog(form, onConfirm) {
  document.getElementById("wb-action-dialog")?.remove();
  const dialog = Object.assign(document.createElement("dialog"), { id: "wb-action-dialog", className: "wb-dialog" });
  const actions = Object.assign(document.createElement("div"), { className: "wb-dialog-buttons" });
  const cancel = Object.assign(document.createElement("button"), { type: "submit", value: "cancel", textContent: gettext("Cancel") });
  const confirm = Object.assign(document.createElement("button"), { type: "submit", value: "confirm", className: "wb-confirm", textContent: gettext("Confirm") });
  actions.append(cancel, confirm);
  form.append(actions);
  dialog.append(form);
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "confirm") onConfirm(new FormData(form));
    dialog.remove();
  });
  document.body.append(dialog);
  dialog.showModal();
}

function toasts() {
  const box = Object.assign(document.createElement("div"), { id: "wb-toasts", className: "wb-toasts" });
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  return box;
}

function toast(message, kind) {
  const item = Object.assign(document.createElement("div"), { className: "wb-toast", textContent: message });
  item.dataset.kind = kind;
  document.getElementById("wb-toasts").append(item);
  setTimeout(() => item.remove(), kind === "ok" ? 6000 : 12_000);
}
