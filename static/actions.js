// Supervisor actions on the console: log in/out, pause/unpause, listen/whisper/barge.
// The board renderer calls our row callbacks; we only ever write inside td.agent-actions and
// td.call-actions (and the monitoring panel, monitoring.js). Every change is confirmed first,
// shown pending, then ok or the PBX's reason.
import { act, button, dialogForm, format, gettext, labelled, named, note, openDialog, outcomeText, request, select, toast, toasts } from "./actions-ui.js";
import { attachMonitoring } from "./monitoring.js";

let actor = null;
const pending = new Set(); // "agent:action" keys with an action under way
const rows = new Map(); // extension → the last row and agent the renderer gave us

export function attach(api) {
  actor = api.actor;
  const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href: new URL("actions.css", import.meta.url).href });
  document.head.append(link);
  document.body.append(toasts());
  api.onAgentRow(decorateAgent);
  attachMonitoring(api);
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
  if (reasons.answer.error) form.append(note(reasons.answer.error));
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
const agentName = (agent) => named(agent.name, agent.number);

async function run(agent, body) {
  const key = `${agent.number}:${body.action}`;
  pending.add(key);
  refreshRow(agent.number);
  try {
    const attempt = await act(body);
    toast(outcomeText(attempt), attempt.status === "ok" ? "ok" : "error");
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
