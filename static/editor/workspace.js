// The workspace, enhanced: select words → a toolbar fills the matching form; highlights ↔ panel items;
// notes, replies, resolving and deleting go through the annotation protocol when the page offers it
// (data-container), and every form still works as a plain POST without this script.

import { canonicalText, findQuote, passage, spanOfRange } from "./text.js";
import { ApiError, change, reply, send, textAnnotation } from "./api.js";
import { lookup } from "./lookup.js";

const workspace = document.getElementById("workspace");
const text = document.getElementById("article-text");
const toolbar = document.getElementById("selection-toolbar");
const status = document.getElementById("workspace-status");
const panel = workspace.querySelector(".workspace-panel");
const api = workspace.dataset.container ? { container: workspace.dataset.container, source: workspace.dataset.source } : null;

let selected = null; // {start, end, quote, occurrence} of the current selection in the text
let canonical = null; // the canonical text, read from the page once per render

function pageText() {
  if (canonical === null) canonical = canonicalText(text);
  return canonical;
}

// ------------------------------------------------------------------ status messages

let clearing = 0;

// Put a message in the live region: errors stay until dismissed, confirmations go after a while.
function say(message, { error = false, reload = false } = {}) {
  clearTimeout(clearing);
  status.replaceChildren();
  status.className = `live-status${error ? " is-error" : " is-ok"}`;
  const line = document.createElement("p");
  line.textContent = message;
  status.append(line);
  const button = (label, action, primary = false) => {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = label;
    if (primary) element.className = "primary";
    element.addEventListener("click", action);
    status.append(element);
  };
  if (reload) button("Reload", () => window.location.reload(), true);
  button("Dismiss", () => status.replaceChildren());
  if (!error) clearing = setTimeout(() => status.replaceChildren(), 8000);
}

function sayFailure(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.isConflict) {
    say(
      `Nothing was saved: the text or this annotation changed since you loaded the page (${error.message}). ` +
        "Reload to see the current state; what you typed is still in the form.",
      { error: true, reload: true },
    );
  } else {
    say(`Nothing was saved: ${error.message}.`, { error: true });
  }
}

// ------------------------------------------------------------------ the selection toolbar

const buttons = [...toolbar.querySelectorAll("button")];

function showToolbar(range) {
  toolbar.hidden = false;
  const box = range.getBoundingClientRect();
  const width = toolbar.offsetWidth;
  const left = Math.min(Math.max(8, box.left), document.documentElement.clientWidth - width - 8);
  toolbar.style.left = `${Math.max(8, left) + window.scrollX}px`;
  toolbar.style.top = `${box.bottom + window.scrollY + 8}px`;
  buttons.forEach((button, index) => (button.tabIndex = index === 0 ? 0 : -1));
}

// Escape closes the toolbar but keeps the selection (and puts the focus back in the text without
// moving the caret); the toolbar comes back when the selection changes.
let dismissed = "";

function hideToolbar({ refocus = false } = {}) {
  if (toolbar.hidden) return;
  toolbar.hidden = true;
  if (!refocus) return;
  const selection = document.getSelection();
  const kept = selection.rangeCount ? selection.getRangeAt(0) : null;
  text.focus({ preventScroll: true });
  if (kept) {
    selection.removeAllRanges();
    selection.addRange(kept);
    dismissed = rangeKey(kept);
  }
}

function rangeKey(range) {
  const span = spanOfRange(text, range);
  return span ? `${span.start}-${span.end}` : "";
}

function selectionChanged() {
  const selection = document.getSelection();
  const inToolbar = toolbar.contains(document.activeElement);
  if (!selection.rangeCount || selection.isCollapsed) {
    dismissed = "";
    if (!inToolbar) hideToolbar();
    return;
  }
  const range = selection.getRangeAt(0);
  const span = text.contains(range.commonAncestorContainer) || range.intersectsNode(text) ? spanOfRange(text, range) : null;
  const key = span ? `${span.start}-${span.end}` : "";
  if (key !== dismissed) dismissed = "";
  selected = span && passage(pageText(), span.start, span.end);
  if (selected && !dismissed) showToolbar(range);
  else if (!inToolbar) hideToolbar();
}

let pending = 0;
document.addEventListener("selectionchange", () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(selectionChanged);
});

text.addEventListener("keydown", (event) => {
  if (event.key === "Tab" && !event.shiftKey) {
    cancelAnimationFrame(pending); // a selection made just now must count
    selectionChanged();
  }
  if (event.key === "Tab" && !event.shiftKey && !toolbar.hidden) {
    event.preventDefault();
    buttons[0].focus();
  } else if (event.key === "Escape") {
    hideToolbar({ refocus: true });
  }
});

toolbar.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
toolbar.addEventListener("keydown", (event) => {
  const at = buttons.indexOf(document.activeElement);
  const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: -1 };
  if (event.key === "Escape") {
    event.preventDefault();
    hideToolbar({ refocus: true });
  } else if (event.key in moves) {
    event.preventDefault();
    const next = buttons.at(moves[event.key] % buttons.length);
    buttons.forEach((button) => (button.tabIndex = button === next ? 0 : -1));
    next.focus();
  }
});
toolbar.addEventListener("focusout", (event) => {
  if (!toolbar.contains(event.relatedTarget) && document.getSelection().isCollapsed) hideToolbar();
});
toolbar.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (button && selected) openForm(button.dataset.form, selected, button.dataset.motivation);
});

function field(form, name) {
  return form.elements.namedItem(`${form.dataset.prefix}${name}`);
}

// Fill a panel form with the passage, open it and put the cursor in the first field to fill.
function openForm(id, chosen, motivation) {
  const form = document.getElementById(id);
  const values = { quote: chosen.quote, occurrence: chosen.occurrence, start: chosen.start, end: chosen.end };
  values.revision = workspace.dataset.revision;
  for (const [name, value] of Object.entries(values)) {
    const input = field(form, name);
    if (input) input.value = value;
  }
  if (motivation) field(form, "motivation").value = motivation;
  const entity = field(form, "entity");
  if (entity && !entity.value) entity.value = chosen.quote;
  form.closest("details").open = true;
  hideToolbar();
  const first = form.querySelector("[data-first]") || field(form, "quote");
  first.focus({ preventScroll: true });
  first.scrollIntoView({ block: "center", behavior: "smooth" });
}

// ------------------------------------------------------------------ highlights ↔ panel items

function marksOf(id) {
  return [...text.querySelectorAll("mark.hl")].filter((mark) => mark.dataset.ids.split(" ").includes(id));
}

function activate(ids, { scrollTo = null } = {}) {
  workspace.querySelectorAll(".active").forEach((element) => element.classList.remove("active"));
  const items = ids.map((id) => panel.querySelector(`.annotation[data-id="${id}"]`)).filter(Boolean);
  const marks = ids.flatMap(marksOf);
  [...items, ...marks].forEach((element) => element.classList.add("active"));
  const target = scrollTo === "item" ? items[0] : scrollTo === "mark" ? marks[0] : null;
  target?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  return { items, marks };
}

function prepareMarks() {
  for (const mark of text.querySelectorAll("mark.hl")) {
    mark.tabIndex = 0;
    mark.setAttribute("aria-describedby", "mark-help");
  }
  canonical = null;
}

text.addEventListener("click", (event) => {
  const mark = event.target.closest("mark.hl");
  if (mark && document.getSelection().isCollapsed) activate(mark.dataset.ids.split(" "), { scrollTo: "item" });
});
text.addEventListener("focusin", (event) => {
  const mark = event.target.closest("mark.hl");
  if (mark) activate(mark.dataset.ids.split(" "), { scrollTo: "item" });
});
text.addEventListener("keydown", (event) => {
  const mark = event.target.closest("mark.hl");
  if (mark && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    const { items } = activate(mark.dataset.ids.split(" "), { scrollTo: "item" });
    items[0]?.focus();
  }
});

panel.addEventListener("click", (event) => {
  const item = event.target.closest(".annotation");
  if (item && !event.target.closest("a, button, input, textarea, select, summary, label")) {
    activate([item.dataset.id], { scrollTo: "mark" });
  }
});
panel.addEventListener("focusin", (event) => {
  const item = event.target.closest(".annotation");
  if (item && !item.classList.contains("active")) activate([item.dataset.id]);
});

// ------------------------------------------------------------------ writes through the protocol

// Load the workspace again and put its fresh text and annotation list in place of the old ones.
async function refresh() {
  const response = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ["article-text", "annotation-sections"]) {
    document.getElementById(id).replaceChildren(...fresh.getElementById(id).childNodes);
  }
  const revision = fresh.getElementById("workspace")?.dataset.revision;
  if (revision) workspace.dataset.revision = revision;
  prepareMarks();
}

function idFromLocation(location) {
  return location?.match(/(\d+)$/)?.[1];
}

async function afterWrite(message, id = null) {
  await refresh();
  say(message);
  if (id) {
    const { items } = activate([id], { scrollTo: "item" });
    items[0]?.focus({ preventScroll: true });
  }
}

async function createNote(form) {
  const quote = field(form, "quote").value;
  let span = { start: Number(field(form, "start").value), end: Number(field(form, "end").value) };
  if (field(form, "start").value === "" || pageText().slice(span.start, span.end) !== quote) {
    span = findQuote(pageText(), quote, Number(field(form, "occurrence").value) || 1);
  }
  if (!span) {
    say("These words are not in the current text (check spelling and spaces).", { error: true });
    field(form, "quote").focus();
    return;
  }
  const values = Object.fromEntries(["motivation", "body", "visibility"].map((name) => [name, field(form, name).value]));
  const created = await send("POST", api.container, {
    body: textAnnotation({ source: api.source, quote, ...span, ...values }),
  });
  form.reset();
  for (const name of ["start", "end"]) field(form, name).value = "";
  const kind = field(form, "motivation").querySelector(`option[value="${values.motivation}"]`)?.textContent || "Note";
  await afterWrite(`${kind} added.`, idFromLocation(created.location));
}

async function annotationAction(form, item, action) {
  const url = item.dataset.api;
  const etag = item.dataset.etag;
  const body = form.elements.namedItem("body")?.value ?? "";
  if (action === "reply") {
    const parent = new URL(url, window.location.href).href;
    await send("POST", api.container, { body: reply({ parent, body, visibility: item.dataset.visibility }) });
    await afterWrite("Reply added.", item.dataset.id);
  } else if (action === "resolve" || action === "reopen") {
    await change(url, etag, (data) => (data["pal:status"] = action === "resolve" ? "resolved" : "open"));
    await afterWrite(action === "resolve" ? "Marked resolved." : "Reopened.", item.dataset.id);
  } else if (action === "edit") {
    await change(url, etag, (data) => {
      if (body) data.body = { type: "TextualBody", value: body, format: "text/plain" };
      else delete data.body;
    });
    await afterWrite("Saved.", item.dataset.id);
  } else if (action === "delete") {
    await send("DELETE", url, { etag });
    await afterWrite("Annotation deleted.");
  } else {
    return false;
  }
  return true;
}

workspace.addEventListener("submit", async (event) => {
  const form = event.target;
  const item = form.closest(".annotation");
  const isNote = form.id === "note-form";
  if (!api || !(isNote || (item && item.dataset.api))) return; // a plain POST does the work
  const action = event.submitter?.value && event.submitter.name === "action" ? event.submitter.value : form.elements.namedItem("action")?.value;
  if (!isNote && !["reply", "resolve", "reopen", "edit", "delete"].includes(action)) return;
  event.preventDefault();
  const controls = [...form.elements].filter((element) => element.tagName === "BUTTON");
  controls.forEach((button) => (button.disabled = true));
  try {
    if (isNote) await createNote(form);
    else await annotationAction(form, item, action);
  } catch (error) {
    sayFailure(error);
  } finally {
    controls.forEach((button) => (button.disabled = false));
  }
});

// ------------------------------------------------------------------ start

const help = document.createElement("p");
help.id = "mark-help";
help.hidden = true;
help.textContent = "Press Enter to go to its annotation in the panel.";
workspace.append(help);
// With the toolbar to open them, the panel's forms start closed (unless one shows errors): the list shows.
for (const details of panel.querySelectorAll("details.action[open]")) {
  if (!details.querySelector(".errorlist")) details.open = false;
}
prepareMarks();
lookup(workspace);
