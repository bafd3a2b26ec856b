/* Council chat widget: the service alerts banner.
 * The channel joins this file into widget.js (at its __ALERTS_BANNER__ marker), so it
 * shares the widget's scope and needs no loading of its own.
 * The notifications channel's feed (../notifications/alerts) lists live alerts and the
 * banner's words. If it is missing or fails, nothing shows and the chat works as before.
 * Feed text is only ever set as textContent.
 *
 * options: el (the widget's element builder), base (the widget's URL), enabled,
 *   words ({show, less}: the collapse button's words), changed() (the banner changed
 *   size), allHidden() (the last alert was hidden).
 * The banner never shrinks as the conversation grows: it shows each alert in full, or,
 * when that would take more than a third of the panel, one line of each with "Show alert".
 * Returns the launcher's badge, the panel's banner, the announcer, refresh() and
 * refreshIfStale() (at most once a minute).
 */
function alertsBanner(options) {
  var el = options.el;
  var alertsHeading = el("h3", { id: "cc-alerts-heading", "class": "cc-alerts-heading" });
  var alertsList = el("ul", { "class": "cc-alerts-list" });
  var alertsBox = el("section", { "class": "cc-alerts", "aria-labelledby": "cc-alerts-heading" }, [
    el("div", { "class": "cc-alerts-title" }, [el("span", { "class": "cc-alerts-icon", "aria-hidden": "true", text: "!" }), alertsHeading]),
    alertsList
  ]);
  alertsBox.hidden = true;
  var COLLAPSE_SHARE = 1 / 3;  // of the panel's height
  var expanded = false;
  var toggle = el("button", { type: "button", "class": "cc-alert-toggle", "aria-expanded": "false",
                              text: options.words.show });
  toggle.hidden = true;
  toggle.addEventListener("click", function () {
    expanded = !expanded;
    fitBanner();
    options.changed();
  });
  alertsBox.insertBefore(toggle, alertsList);
  // Says a new alert once; outside the panel so it is heard with the chat closed too.
  var alertAnnouncer = el("p", { "class": "cc-visually-hidden", role: "status" });
  var alertBadgeText = el("span");
  var alertBadge = el("span", { "class": "cc-alert-badge" },
    [el("span", { "class": "cc-visually-hidden", text: " \u2013 " }), alertBadgeText]);
  alertBadge.hidden = true;

  var alertsOn = options.enabled && typeof window.fetch === "function";
  var ALERTS_URL = new URL("../notifications/alerts", options.base).href;
  var HIDDEN_KEY = "council-chat-alerts-hidden:" + options.base.href;
  var SEEN_KEY = "council-chat-alerts-seen:" + options.base.href;
  var ALERTS_EVERY_MS = 60000;
  var MAX_ALERTS = 10;
  var LABELS = ["heading", "hide", "count_one", "count_many", "new"];
  var alertsFetchedAt = 0;
  var alertLabels = null;
  var liveAlerts = [];
  var shownAlerts = "";

  function storedIds(key) {
    var ids = [];
    try { ids = JSON.parse(sessionStorage.getItem(key) || "[]"); } catch (e) { ids = []; }
    return Array.isArray(ids) ? ids : [];
  }

  function storeIds(key, ids) {
    try { sessionStorage.setItem(key, JSON.stringify(ids.slice(-100))); } catch (e) { /* not kept */ }
  }

  function fetchAlerts() {
    if (!alertsOn) { return; }
    alertsFetchedAt = Date.now();
    fetch(ALERTS_URL, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) { throw new Error("alerts feed answered " + answer.status); }
        return answer.json();
      })
      .then(takeAlerts)
      .catch(function () { /* no banner; the chat is unaffected */ });
  }

  function takeAlerts(feed) {
    var labels = feed && feed.labels;
    if (!labels || !Array.isArray(feed.alerts)) { return; }
    var words = {};
    LABELS.forEach(function (key) {
      if (typeof labels[key] !== "string") { throw new Error("alerts feed without " + key); }
      words[key] = labels[key].slice(0, 200);
    });
    alertLabels = words;
    liveAlerts = feed.alerts.filter(function (a) {
      return a && Number.isInteger(a.id) && a.id > 0 && typeof a.message === "string" && a.message;
    }).slice(0, MAX_ALERTS).map(function (a) {
      return { id: a.id, message: a.message.slice(0, 500),
               where: typeof a.where === "string" ? a.where.slice(0, 500) : "" };
    });
    announceNew();
    showAlerts();
  }

  function announceNew() {
    var seen = storedIds(SEEN_KEY);
    var fresh = liveAlerts.filter(function (a) { return seen.indexOf(a.id) < 0; });
    if (!fresh.length) { return; }
    storeIds(SEEN_KEY, seen.concat(fresh.map(function (a) { return a.id; })));
    alertAnnouncer.textContent = fresh.map(function (a) {
      // A function, so that "$&" in a message stays as written.
      return alertLabels["new"].replace("{message}", function () { return a.message; });
    }).join(" ");
  }

  function visibleAlerts() {
    var hidden = storedIds(HIDDEN_KEY);
    return liveAlerts.filter(function (a) { return hidden.indexOf(a.id) < 0; });
  }

  function showAlerts() {
    var showing = alertLabels ? visibleAlerts() : [];
    var signature = JSON.stringify(showing);
    if (signature === shownAlerts) { return; }  // unchanged: keep the focus where it is
    shownAlerts = signature;
    alertsList.textContent = "";
    showing.forEach(function (a) {
      var textId = "cc-alert-" + a.id;
      var hide = el("button", { type: "button", "class": "cc-alert-hide", "aria-describedby": textId,
                                text: alertLabels.hide });
      hide.addEventListener("click", function () { hideAlert(a.id); });
      alertsList.appendChild(el("li", { "class": "cc-alert", "data-alert-id": String(a.id) }, [
        el("p", { id: textId, "class": "cc-alert-text", text: a.message }),
        el("p", { "class": "cc-alert-where", text: a.where }),
        hide
      ]));
    });
    alertsBox.hidden = !showing.length;
    alertBadge.hidden = !showing.length;
    fitBanner();
    if (showing.length) {
      alertsHeading.textContent = alertLabels.heading;
      alertBadgeText.textContent = showing.length === 1 ? alertLabels.count_one
        : alertLabels.count_many.replace("{count}", String(showing.length));
    }
    options.changed();
  }

  function hideAlert(id) {
    var at = visibleAlerts().map(function (a) { return a.id; }).indexOf(id);
    storeIds(HIDDEN_KEY, storedIds(HIDDEN_KEY).concat([id]));
    showAlerts();
    // Focus goes to the next alert's button, or to the message box when none is left.
    var left = alertsList.querySelectorAll(".cc-alert-hide");
    if (left.length) { left[Math.min(at, left.length - 1)].focus(); } else { options.allHidden(); }
  }

  // Full text when it fits in a third of the panel (or the resident asked for it), else
  // one line of each alert with the "Show alert" button. Measured with the text in full.
  function fitBanner() {
    var panel = alertsBox.parentNode;
    if (alertsBox.hidden || !panel || panel.hidden) { return; }
    alertsBox.classList.remove("cc-alerts-collapsed");
    var tooTall = alertsBox.offsetHeight - toggle.offsetHeight > panel.clientHeight * COLLAPSE_SHARE;
    toggle.hidden = !tooTall;
    toggle.setAttribute("aria-expanded", String(expanded || !tooTall));
    toggle.textContent = expanded ? options.words.less : options.words.show;
    if (tooTall && !expanded) { alertsBox.classList.add("cc-alerts-collapsed"); }
  }

  function refreshIfStale() {
    if (Date.now() - alertsFetchedAt > ALERTS_EVERY_MS) { fetchAlerts(); }
  }

  return {
    badge: alertBadge, box: alertsBox, announcer: alertAnnouncer,
    refresh: fetchAlerts, refreshIfStale: refreshIfStale, fit: fitBanner
  };
}
