// The staff pages work without this script; it saves pressing reload and keeps the
// advisor's place. Three jobs:
// 1. Live updates: when the queue changes anywhere, refresh the live part of this page
//    without moving focus (the element that had focus gets it back, found by its id).
// 2. Reply and note forms are sent in the background: the conversation is refreshed, the
//    box is emptied and focus goes back to it.
// 3. An error summary takes focus when the page loads, so it is read out at once.
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    // Its links go to the field: focus it, with its label in view (as GOV.UK's does).
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']") || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  if (!window.fetch || !window.DOMParser) { return; }
  var live = document.getElementById("live");
  if (!live) { return; }
  var status = document.getElementById("live-status");
  var pending = false;
  var again = false;

  function say(text) {
    if (!status) { return; }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function parse(text) { return new DOMParser().parseFromString(text, "text/html"); }

  // Put the fresh copy of the live part in place; the focused element (if it was inside)
  // gets focus back, or its row's "Open" link, or the live part itself, never the body.
  function replaceLive(fresh) {
    var active = document.activeElement;
    var inside = active && active !== live && live.contains(active);
    var focusId = inside ? active.id : "";
    var row = inside && active.closest ? active.closest("tr") : null;
    live.innerHTML = fresh.innerHTML;
    if (!inside) { return; }
    var target = focusId && document.getElementById(focusId);
    if (!target && row && row.id) {
      var link = document.getElementById(row.id.replace("ticket-", "open-"));
      target = link;
    }
    (target || live).focus({ preventScroll: true });
  }

  function refresh() {
    if (pending) { again = true; return; }
    pending = true;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        pending = false;
        if (text) {
          var fresh = parse(text).getElementById("live");
          if (fresh && fresh.innerHTML !== live.innerHTML) {  // say nothing if nothing changed
            replaceLive(fresh);
            say(live.dataset.live === "queue" ? "Queue updated" : "Conversation updated");
          }
        }
        if (again) { again = false; refresh(); }
      })
      .catch(function () { pending = false; });
  }

  if (window.EventSource) {
    var source = new EventSource("/staff/events");
    source.addEventListener("queue", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (live.dataset.live === "queue" || String(data.ticket_id) === live.dataset.ticketId) { refresh(); }
    });
  }

  var SENT = { reply: "Reply sent", note: "Note added" };
  Array.prototype.forEach.call(document.querySelectorAll("form[data-stay]"), function (form) {
    form.addEventListener("submit", function (event) {
      var box = form.querySelector("textarea");
      if (!box || !box.value.trim()) { return; }  // the browser says what is missing
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "text/html" },
        body: new URLSearchParams(new FormData(form))
      })
        .then(function (response) {
          return response.text().then(function (text) { return { response: response, text: text }; });
        })
        .then(function (result) {
          if (button) { button.disabled = false; }
          var page = parse(result.text);
          var fresh = page.getElementById("live");
          if (!result.response.ok || !fresh || result.response.url.indexOf("/staff/tickets/") < 0) {
            // Refused or signed out: show that page as it is (it says what to do).
            document.open(); document.write(result.text); document.close();
            return;
          }
          live.innerHTML = fresh.innerHTML;
          box.value = "";
          var turns = live.querySelectorAll(".turn");
          if (turns.length) { turns[turns.length - 1].scrollIntoView({ block: "nearest" }); }
          box.focus();
          say(SENT[form.dataset.stay] || "Saved");
        })
        .catch(function () {
          if (button) { button.disabled = false; }
          form.submit();
        });
    });
  });
})();
