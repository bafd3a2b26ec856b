// Live updates: when the queue changes anywhere, refresh the live part of this page.
// The pages work without this script; it only saves pressing reload.
(function () {
  "use strict";
  if (!window.EventSource || !window.fetch || !window.DOMParser) { return; }
  var live = document.getElementById("live");
  if (!live) { return; }
  var status = document.getElementById("live-status");
  var pending = false;

  function refresh() {
    if (pending) { return; }
    pending = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        pending = false;
        if (!text) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("live");
        if (fresh) {
          live.innerHTML = fresh.innerHTML;
          if (status) { status.textContent = live.dataset.live === "queue" ? "Queue updated" : "Conversation updated"; }
        }
      })
      .catch(function () { pending = false; });
  }

  var source = new EventSource("/staff/events");
  source.addEventListener("queue", function (event) {
    var data = {};
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (live.dataset.live === "queue" || String(data.ticket_id) === live.dataset.ticketId) { refresh(); }
  });
})();
