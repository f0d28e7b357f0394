/* Plenária's offline outbox: forms marked `data-outbox` keep working while the network is down.
 *
 * Such a form is sent with fetch(); when the network fails, the form (its fields, including its
 * CSRF token and its idempotency key) is kept in localStorage and the form is cleared, with a
 * fresh key, for the next entry. Queued forms are sent again when the browser comes back
 * online, every few seconds while any wait, and on "Enviar agora". The server runs each key
 * once (shared/platform/web/receipts.py), so a form sent twice takes effect once.
 *
 * The status line (an element with `data-outbox-status`, made at the top of <main> if the page
 * has none) says whether the browser is online and how many forms wait; it is aria-live.
 * Without JavaScript the forms post as usual. See docs/offline.md.
 */
(function () {
  "use strict";
  var STORE = "plenaria.outbox";
  var KEY_FIELD = "idempotency_key";
  var RETRY_MS = 10000;
  // The status line's words come from the page (templates/outbox.html renders them from the
  // catalogue in the reader's language); "{n}" stands for a count.
  var texts = document.querySelector("script[data-outbox-texts]");
  function text(name, fallback) {
    return (texts && texts.getAttribute("data-" + name)) || fallback;
  }
  var T = { online: text("online", "Conectado"), offline: text("offline", "Sem conexão"),
            waiting: text("waiting", "{n} formulário(s) guardado(s) neste aparelho, ainda não enviado(s)"),
            sent: text("sent", "{n} formulário(s) enviado(s)"),
            refused: text("refused", "{n} formulário(s) recusado(s) pelo servidor:"),
            now: text("now", "Enviar agora") };
  function counted(template, n) { return template.replace("{n}", String(n)); }
  var sentCount = 0;
  var refusals = [];
  var flushing = false;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) { window.localStorage.setItem(STORE, JSON.stringify(queue)); }

  function newKey() {
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function statusElement() {
    var el = document.querySelector("[data-outbox-status]");
    if (!el) {
      el = document.createElement("p");
      el.setAttribute("data-outbox-status", "");
      el.className = "rede";
      var main = document.querySelector("main") || document.body;
      main.insertBefore(el, main.firstChild);
    }
    el.setAttribute("aria-live", "polite");
    return el;
  }

  function render() {
    var el = statusElement();
    var queue = load();
    var online = navigator.onLine;
    el.className = "rede" + (online ? "" : " fora-do-ar");
    el.textContent = "";
    var state = document.createElement("strong");
    state.textContent = online ? T.online : T.offline;
    el.appendChild(state);
    var parts = [];
    if (queue.length) parts.push(counted(T.waiting, queue.length));
    if (sentCount) parts.push(counted(T.sent, sentCount));
    if (refusals.length) parts.push(counted(T.refused, refusals.length) + " " + refusals.join("; "));
    if (parts.length) el.appendChild(document.createTextNode(" · " + parts.join(" · ")));
    el.setAttribute("data-waiting", String(queue.length));
    if (queue.length) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secundario";
      button.textContent = T.now;
      button.addEventListener("click", flush);
      el.appendChild(button);
    }
  }

  function post(entry) {
    return window.fetch(entry.action, {
      method: "POST",
      body: new URLSearchParams(entry.fields),
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    });
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function freshForm(form) {
    var key = form.querySelector('input[name="' + KEY_FIELD + '"]');
    if (key) key.setAttribute("value", newKey());
    form.reset();
  }

  function flush() {
    if (flushing) return Promise.resolve();
    var queue = load();
    if (!queue.length) { render(); return Promise.resolve(); }
    flushing = true;
    var entry = queue[0];
    return post(entry).then(function (resp) {
      var rest = load().filter(function (e) { return e.id !== entry.id; });
      save(rest);
      if (resp.ok) { sentCount += 1; }
      else { refusals.push(entry.label + " (" + resp.status + ")"); }
      flushing = false;
      render();
      return flush();
    }, function () {
      flushing = false;
      render();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-outbox")) return;
    event.preventDefault();
    var entry = {
      id: newKey(),
      action: form.action,
      fields: fieldsOf(form),
      label: form.getAttribute("data-outbox-label") || (form.querySelector("h2, button") || {}).textContent || form.action,
      at: new Date().toISOString()
    };
    entry.label = String(entry.label).trim().slice(0, 80);
    post(entry).then(function (resp) {
      // Done: the server's answer redirected (post, redirect, get); show where it points.
      if (resp.ok && resp.redirected) { window.location.assign(resp.url); return; }
      // Anything else — a refusal (its key was released) or a page that is a step before the
      // action (a confirmation) — ran nothing once-only: post it as usual to show the answer.
      HTMLFormElement.prototype.submit.call(form);
    }, function () {
      var queue = load();
      queue.push(entry);
      save(queue);
      freshForm(form);
      render();
    });
  });

  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  window.setInterval(function () { if (load().length && navigator.onLine) flush(); }, RETRY_MS);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(); flush(); });
  } else { render(); flush(); }
})();
