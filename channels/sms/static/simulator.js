// The SMS simulator: posts texts as a made-up number and polls for replies.
(function () {
  "use strict";
  var form, fromInput, bodyInput, thread, errorBox;
  var lastId = 0;
  var number = null;
  var pollTimer = null;
  var base = window.location.pathname.replace(/\/$/, "");

  function addBubble(kind, text, meta) {
    var item = document.createElement("p");
    item.className = kind;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = kind === "resident" ? "You: " : "Council: ";
    item.appendChild(label);
    item.appendChild(document.createTextNode(text));
    if (meta) {
      var small = document.createElement("span");
      small.className = "meta";
      small.textContent = meta;
      item.appendChild(small);
    }
    thread.appendChild(item);
    thread.scrollTop = thread.scrollHeight;
  }

  function poll() {
    if (!number) { return; }
    var url = base + "/outbox?number=" + encodeURIComponent(number) + "&after=" + lastId;
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (data) {
        (data.messages || []).forEach(function (m) {
          lastId = Math.max(lastId, m.id);
          if (m.status === "suppressed") { return; }  // an opted-out phone receives nothing
          addBubble("council", m.body,
            m.segments + (m.segments === 1 ? " segment, " : " segments, ") + m.encoding);
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function startPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); }
    pollTimer = window.setInterval(poll, 1000);
  }

  function send(event) {
    event.preventDefault();
    errorBox.textContent = "";
    var text = bodyInput.value.trim();
    if (!text) { errorBox.textContent = "Enter a message"; bodyInput.focus(); return; }
    fetch(base, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ from: fromInput.value, body: text })
    })
      .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); })
      .then(function (res) {
        if (!res.ok) { errorBox.textContent = res.data.error || "Could not send"; return; }
        if (number !== res.data.number) {
          number = res.data.number;
          lastId = 0;
          thread.textContent = "";
        }
        addBubble("resident", text, null);
        bodyInput.value = "";
        bodyInput.focus();
        startPolling();
        poll();
      })
      .catch(function () { errorBox.textContent = "Could not reach the assistant. Try again."; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("sms-form");
    fromInput = document.getElementById("from");
    bodyInput = document.getElementById("body");
    thread = document.getElementById("thread");
    errorBox = document.getElementById("error");
    form.addEventListener("submit", send);
    bodyInput.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { send(e); }
    });
  });
})();
