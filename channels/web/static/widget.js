/* Council chat widget. Embed with one tag:
 *   <script src="https://ASSISTANT/webhooks/webchat/widget.js" defer
 *           data-council-name="Oakbridge Borough Council" data-colour="#1d4f91" data-position="right"></script>
 * data-alerts="off" turns off the service alerts banner (widget-alerts.js, which the channel
 * joins into this script where the __ALERTS_BANNER__ marker is).
 * No framework, no build step. Words come from the server (content/messages/webchat.yml).
 * Messages are never inserted as HTML: text nodes only, with http(s) links made into <a>.
 */
(function () {
  "use strict";
  var CONFIG = "__WEBCHAT_CONFIG__";
  /*__ALERTS_BANNER__*/
  if (window.__councilChatWidget) { return; }
  window.__councilChatWidget = true;

  var script = document.currentScript;
  var base = new URL(".", script.src);
  var wsUrl = new URL("ws", base);
  wsUrl.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  var STORE_KEY = "council-chat-session:" + base.href;
  var OPEN_KEY = "council-chat-open:" + base.href;
  var DEFAULT_COLOUR = "#1d4f91";
  var MAX_TEXT = 2000;
  var END_GRACE_MS = 5000; // how long "End chat" waits for the server to close the socket
  var S = CONFIG.strings;
  var name = (script.dataset.councilName || CONFIG.councilName).slice(0, 80);
  var colour = safeColour(script.dataset.colour);
  var position = script.dataset.position === "left" ? "left" : "right";
  var accessibilityUrl = script.dataset.accessibilityUrl || new URL("demo/accessibility", base).href;

  function word(key) { return S[key].replace("{name}", name); }

  // A colour is used only if white text on it keeps 4.5:1 contrast.
  function safeColour(value) {
    if (!value || !/^#[0-9a-fA-F]{6}$/.test(value)) { return DEFAULT_COLOUR; }
    var lum = [1, 3, 5].map(function (i) {
      var c = parseInt(value.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    return 1.05 / (l + 0.05) >= 4.5 ? value : DEFAULT_COLOUR;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function icon(path) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    svg.appendChild(p);
    return svg;
  }

  // Text with http(s) addresses as links; everything else stays text.
  function linkified(text) {
    var fragment = document.createDocumentFragment();
    var pattern = /https?:\/\/[^\s<>"']+/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var address = match[0].replace(/[.,;:!?)\]]+$/, "");
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var url = null;
      try { url = new URL(address); } catch (e) { url = null; }
      if (url && (url.protocol === "http:" || url.protocol === "https:")) {
        fragment.appendChild(el("a", { href: url.href, text: address }));
      } else {
        fragment.appendChild(document.createTextNode(address));
      }
      last = match.index + address.length;
      pattern.lastIndex = last;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  // ---- the interface ----
  // The service alerts banner (widget-alerts.js, joined in here by the channel).
  var alerts = alertsBanner({
    el: el, base: base, enabled: script.dataset.alerts !== "off",
    words: { show: word("alert_show"), less: word("alert_less") },
    changed: function () { resizeSpacer(); },
    allHidden: function () { input.focus(); }
  });
  var root = el("div", { "class": "cc-root cc-" + position, "data-council-chat": "" });
  root.hidden = true;
  root.style.setProperty("--cc-colour", colour);
  var launcherText = el("span", { text: word("launcher") });
  var unread = el("span", { "class": "cc-unread", text: "" });
  var launcher = el("button", {
    type: "button", "class": "cc-launcher", "aria-expanded": "false", "aria-controls": "cc-panel"
  }, [icon("M4 4h16v12H7l-3 3V4z"), launcherText, alerts.badge, unread]);
  var heading = el("h2", { id: "cc-heading", "class": "cc-heading", text: word("heading") });
  var minimise = el("button", { type: "button", "class": "cc-icon-button", "aria-label": word("minimise") },
    [icon("M5 11h14v2H5z")]);
  var notice = el("p", { id: "cc-notice", "class": "cc-notice" }, [
    document.createTextNode(word("notice") + " "),
    el("a", { href: CONFIG.privacyUrl, text: word("privacy_link") })
  ]);
  // A tab stop of its own, so the transcript scrolls by keyboard even with no links in it.
  var log = el("div", { "class": "cc-log", role: "log", "aria-live": "polite", tabindex: "0",
                        "aria-label": word("transcript") });
  var start = el("p", { "class": "cc-start", text: word("start") });
  var typing = el("div", { "class": "cc-typing", "aria-hidden": "true" },
    [el("span"), el("span"), el("span")]);
  typing.hidden = true;
  var status = el("p", { "class": "cc-status", role: "status" });
  var input = el("textarea", {
    id: "cc-input", "class": "cc-input", rows: "2", maxlength: String(MAX_TEXT),
    "aria-describedby": "cc-notice", autocomplete: "off"
  });
  var form = el("form", { "class": "cc-form" }, [
    el("label", { "for": "cc-input", "class": "cc-label", text: word("input_label") }),
    input,
    el("button", { type: "submit", "class": "cc-send", text: word("send") })
  ]);
  var endButton = el("button", { type: "button", "class": "cc-end", text: word("end") });
  var panel = el("section", { id: "cc-panel", "class": "cc-panel", "aria-labelledby": "cc-heading" }, [
    el("div", { "class": "cc-header" }, [heading, minimise]),
    notice, alerts.box, log, typing, status, form,
    el("div", { "class": "cc-footer" }, [endButton, el("a", { href: accessibilityUrl, text: word("accessibility_link") })])
  ]);
  panel.hidden = true;
  root.appendChild(panel);
  root.appendChild(launcher);
  root.appendChild(alerts.announcer);

  // ---- conversation state ----
  var socket = null;
  var ready = false;
  var retries = 0;
  var retryTimer = null;
  var typingTimer = null;
  var outbox = [];
  var ended = false;

  function sessionId(create) {
    var id = null;
    try { id = localStorage.getItem(STORE_KEY); } catch (e) { id = null; }
    if (!id && create) {
      id = newId();
      try { localStorage.setItem(STORE_KEY, id); } catch (e) { /* private mode: this page only */ }
    }
    return id;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function connect() {
    var id = sessionId(true);
    clearTimeout(retryTimer);
    ended = false;
    say(word("connecting"));
    socket = new WebSocket(wsUrl.href + "?session=" + encodeURIComponent(id));
    var mine = socket;
    socket.onmessage = function (event) { if (mine === socket) { receive(event.data); } };
    socket.onclose = function () {
      if (mine !== socket) { return; }
      ready = false;
      socket = null;
      if (ended) { return; }
      say(word("reconnecting"));
      var delay = Math.min(15000, 1000 * Math.pow(2, retries)) + Math.random() * 500;
      retries += 1;
      retryTimer = setTimeout(connect, delay);
    };
  }

  window.addEventListener("online", function () {
    if (!socket && !ended && sessionId(false)) { retries = 0; connect(); }
  });

  function receive(data) {
    var frame;
    try { frame = JSON.parse(data); } catch (e) { return; }
    if (frame.type === "history") {
      ready = true;
      retries = 0;
      say(word("connected"));
      showHistory(frame.messages || []);
      var waiting = outbox;
      outbox = [];
      // Typed before the history came: shown again after it (it replaced the transcript).
      waiting.forEach(function (f) { addMessage("user", f.text, []); socket.send(JSON.stringify(f)); });
    } else if (frame.type === "bot") {
      stopTyping();
      addMessage("bot", frame.text || "", frame.buttons || []);
      if (panel.hidden) { unread.textContent = " (" + word("unread") + ")"; }
    } else if (frame.type === "user") {
      addMessage("user", frame.text || "", []);
    } else if (frame.type === "typing") {
      startTyping();
    } else if (frame.type === "idle") {
      stopTyping();
    } else if (frame.type === "error") {
      stopTyping();
      if (frame.code === "bad_session") {
        try { localStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
      }
      addMessage("error", frame.message || "", []);
    }
  }

  function showHistory(messages) {
    log.setAttribute("aria-busy", "true");
    log.textContent = "";
    messages.forEach(function (m) { addMessage(m.type === "user" ? "user" : "bot", m.text || "", m.buttons || []); });
    if (!messages.length) { log.appendChild(start); }
    log.setAttribute("aria-busy", "false");
  }

  function addMessage(kind, text, buttons) {
    if (start.parentNode) { start.parentNode.removeChild(start); }
    // Only the newest message keeps its buttons: older choices are no longer tab stops.
    Array.prototype.forEach.call(log.querySelectorAll(".cc-buttons"), function (b) { b.remove(); });
    var who = kind === "user" ? word("you") : word("assistant");
    var bubble = el("div", { "class": "cc-msg cc-msg-" + kind }, [
      el("span", { "class": "cc-visually-hidden", text: who + ": " })
    ]);
    bubble.appendChild(el("p", { "class": "cc-text" }, [linkified(text)]));
    if (buttons.length) {
      var row = el("div", { "class": "cc-buttons" });
      buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "cc-choice", text: b.title });
        button.addEventListener("click", function () { send(b.title, b.payload); input.focus(); });
        row.appendChild(button);
      });
      bubble.appendChild(row);
    }
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }

  function startTyping() {
    typing.hidden = false;
    say(word("typing"));
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 20000);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typing.hidden) { typing.hidden = true; say(""); }
  }

  function say(text) { status.textContent = text; }

  function send(text, payload) {
    text = text.trim().slice(0, MAX_TEXT);
    if (!text) { return; }
    var frame = { type: "message", text: text };
    if (payload) { frame.payload = payload; }
    addMessage("user", text, []);
    if (socket && ready) { socket.send(JSON.stringify(frame)); } else {
      outbox.push(frame);
      if (!socket) { connect(); }
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send(input.value);
    input.value = "";
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });

  endButton.addEventListener("click", function () {
    ended = true;
    outbox = [];
    try { localStorage.removeItem(STORE_KEY); } catch (e) { /* nothing stored */ }
    if (socket) {
      var s = socket; socket = null;
      if (ready) {
        // Tells the server the resident left (a conversation with a person leaves the
        // queue); the server answers "ended" and closes the socket once done. Closing here
        // at once could lose it.
        s.onmessage = function (event) {
          var frame;
          try { frame = JSON.parse(event.data); } catch (e) { return; }
          if (frame.type === "ended" && frame.cancelled) { say(word("ended_cancelled")); }
        };
        try { s.send(JSON.stringify({ type: "end" })); } catch (e) { /* already closed */ }
        setTimeout(function () { s.close(1000, "ended"); }, END_GRACE_MS);
      } else {
        s.close(1000, "ended");
      }
      ready = false;
    }
    stopTyping();
    log.textContent = "";
    log.appendChild(start);
    say(word("ended"));
    input.focus();
  });

  // ---- opening and closing ----
  // Where the open chat fills the window (widget.css's small-screen rule) it is a modal
  // dialog: Tab and Shift+Tab stay inside it, Escape minimises it. Elsewhere it is not.
  var FULL_SCREEN = window.matchMedia("(max-width: 30rem), (max-height: 32rem)");

  function fullScreen() { return !panel.hidden && FULL_SCREEN.matches; }

  function markModal() {
    if (fullScreen()) {
      panel.setAttribute("role", "dialog");
      panel.setAttribute("aria-modal", "true");
    } else {
      panel.removeAttribute("role");
      panel.removeAttribute("aria-modal");
    }
  }

  function tabStops() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button, textarea, [tabindex='0']"),
      function (node) { return !node.disabled && node.getClientRects().length > 0; });
  }

  function open(moveFocus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    unread.textContent = "";
    try { sessionStorage.setItem(OPEN_KEY, "1"); } catch (e) { /* not kept */ }
    alerts.refreshIfStale();
    if (!socket) { connect(); }
    alerts.fit();
    resizeSpacer();
    markModal();
    if (moveFocus) { input.focus(); }
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    try { sessionStorage.removeItem(OPEN_KEY); } catch (e) { /* not kept */ }
    resizeSpacer();
    markModal();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { open(true); });
  minimise.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); return; }
    if (event.key !== "Tab" || !fullScreen()) { return; }
    var stops = tabStops();
    if (!stops.length) { return; }
    var first = stops[0];
    var last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });

  // ---- never cover the page's focused element (WCAG 2.4.11) ----
  // The root is an in-flow spacer as tall as the fixed launcher or panel, so the
  // page can always scroll its last controls clear of them.
  function coverRect() {
    var target = panel.hidden ? launcher : panel;
    return target.getBoundingClientRect();
  }

  function resizeSpacer() {
    var rect = coverRect();
    root.style.setProperty("--cc-spacer", Math.ceil(rect.height + 32) + "px");
    document.documentElement.style.setProperty("scroll-padding-bottom", Math.ceil(rect.height + 24) + "px");
  }

  function overlaps(a, b) {
    return a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
  }

  document.addEventListener("focusin", function (event) {
    if (root.contains(event.target)) { return; }
    // A full-screen chat is modal: focus that gets out some other way comes back in.
    if (fullScreen()) { input.focus(); return; }
    var rect = event.target.getBoundingClientRect();
    var cover = coverRect();
    if (!overlaps(rect, cover)) { return; }
    window.scrollBy(0, rect.bottom - cover.top + 16);
    // Still covered (a small screen with the chat open): minimise the chat, keep focus.
    if (!panel.hidden && overlaps(event.target.getBoundingClientRect(), coverRect())) {
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      resizeSpacer();
      if (overlaps(event.target.getBoundingClientRect(), coverRect())) {
        window.scrollBy(0, event.target.getBoundingClientRect().bottom - coverRect().top + 16);
      }
    }
  });

  window.addEventListener("resize", function () { alerts.fit(); resizeSpacer(); markModal(); });

  function mount() {
    var style = el("link", { rel: "stylesheet", href: new URL("widget.css", base).href });
    style.addEventListener("load", function () {
      root.hidden = false;
      resizeSpacer();
      alerts.refresh();
      var wasOpen = false;
      try { wasOpen = sessionStorage.getItem(OPEN_KEY) === "1"; } catch (e) { wasOpen = false; }
      if (wasOpen) { open(false); } else if (sessionId(false)) { connect(); }
    });
    document.head.appendChild(style);
    document.body.appendChild(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
