// What the console's action modules share: the action API, buttons, the confirmation dialog,
// toasts. Texts come translated from Django's JavaScript catalogue, as the board's do.
import { format, gettext } from "./board/i18n.js";

export { format, gettext };

const POLL_MS = 700;
const POLL_FOR_MS = 30_000;

/** "Bee Lim (1002)", or the bare number when the PBX gives no name. */
export const named = (name, number) => (name ? `${name} (${number})` : number);

// --- talking to the server -------------------------------------------------------------

function csrfToken() {
  const found = document.cookie.split("; ").find((item) => item.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
}

export async function request(path, body) {
  // The server words its messages in the board's language, which may not be the browser's.
  const headers = { "Accept-Language": document.documentElement.lang || "en" };
  const options = body
    ? { method: "POST", headers: { ...headers, "Content-Type": "application/json", "X-CSRFToken": csrfToken() }, body: JSON.stringify(body) }
    : { headers };
  const response = await fetch(path, { credentials: "same-origin", ...options });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { error: format(gettext("The server answered %(status)s."), { status: response.status }) };
  }
  return { status: response.status, answer };
}

// What a toast says when the server gave no message: never the bare status word.
const OUTCOMES = {
  ok: gettext("Done."),
  pending: gettext("Still under way…"),
  refused: gettext("The action was refused."),
};

/** An attempt's message, in the board's language (the server's), else a word for its status. */
export const outcomeText = (attempt) => attempt.message || OUTCOMES[attempt.status] || gettext("The action failed.");

/** Send an action; resolve with the attempt once it is settled (ok, failed or refused). */
export async function act(body, onProgress) {
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

// --- controls ------------------------------------------------------------------------------

export function button(action, label, onClick, title) {
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

export function dialogForm(title) {
  const form = document.createElement("form");
  form.method = "dialog";
  form.append(Object.assign(document.createElement("h2"), { textContent: title }));
  return form;
}

export const note = (text) => Object.assign(document.createElement("p"), { className: "wb-note", textContent: text });

export function labelled(text, control) {
  const label = Object.assign(document.createElement("label"), { textContent: `${text} ` });
  label.append(control);
  return label;
}

export function select(name, choices) {
  const control = Object.assign(document.createElement("select"), { name });
  for (const [value, text] of choices) control.append(new Option(text, value));
  return control;
}

export function openDialog(form, onConfirm) {
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

// --- toasts --------------------------------------------------------------------------------

export function toasts() {
  const box = Object.assign(document.createElement("div"), { id: "wb-toasts", className: "wb-toasts" });
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  return box;
}

export function toast(message, kind) {
  const item = Object.assign(document.createElement("div"), { className: "wb-toast", textContent: message });
  item.dataset.kind = kind;
  document.getElementById("wb-toasts").append(item);
  setTimeout(() => item.remove(), kind === "ok" ? 6000 : 12_000);
}
