/* Follow hosts on the listener page: kept in this browser (localStorage), no account.
 * Followed hosts' live rooms are listed first, and while the page is open a host you
 * follow going live brings a notice (and a browser notification, if you allowed them).
 * Room data is only ever set as text. */
(function () {
  "use strict";

  var KEY = "livestage.follows";
  var POLL_MS = 15000;
  var notice = document.getElementById("follow-notice");
  var liveList = document.getElementById("live-rooms");
  var seenLive = {};

  function fold(host) { return (host || "").trim().toLowerCase().replace(/\s+/g, " "); }

  function follows() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(stored) ? stored.filter(function (h) { return typeof h === "string"; }) : [];
    } catch (e) { return []; }
  }

  function isFollowed(host) {
    var key = fold(host);
    return key !== "" && follows().some(function (h) { return fold(h) === key; });
  }

  function setFollowed(host, on) {
    var kept = follows().filter(function (h) { return fold(h) !== fold(host); });
    if (on) { kept.push(host); }
    window.localStorage.setItem(KEY, JSON.stringify(kept));
  }

  function refreshButtons() {
    var buttons = document.querySelectorAll("button.follow");
    for (var i = 0; i < buttons.length; i++) {
      var on = isFollowed(buttons[i].dataset.host);
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].textContent = on ? "Following" : "Follow";
    }
  }

  // A followed host's live rooms first, in the order they were listed.
  function orderLive() {
    if (!liveList) { return; }
    var cards = Array.prototype.slice.call(liveList.children);
    var first = cards.filter(function (c) { return isFollowed(c.dataset.host); });
    var rest = cards.filter(function (c) { return !isFollowed(c.dataset.host); });
    first.concat(rest).forEach(function (card) { liveList.appendChild(card); });
  }

  function announce(room) {
    notice.textContent = "";
    var text = document.createElement("span");
    text.textContent = room.host + " is live now: " + room.title + " ";
    var listen = document.createElement("button");
    listen.type = "button";
    listen.className = "listen";
    listen.dataset.src = room.listen_url;
    listen.dataset.room = room.id;
    listen.dataset.title = room.title;
    listen.dataset.host = room.host;
    listen.dataset.kind = "live";
    listen.textContent = "Listen";
    notice.appendChild(text);
    notice.appendChild(listen);
    notice.hidden = false;
    if (window.Notification && window.Notification.permission === "granted") {
      try { new window.Notification(room.host + " is live", { body: room.title }); } catch (e) { /* none */ }
    }
  }

  function poll() {
    fetch("/api/rooms?live=true", { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var rooms = (data && data.rooms) || [];
        rooms.forEach(function (room) {
          var fresh = !seenLive[room.id];
          seenLive[room.id] = true;
          if (fresh && room.host && isFollowed(room.host)) { announce(room); }
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.follow") : null;
    if (!button) { return; }
    var on = !isFollowed(button.dataset.host);
    setFollowed(button.dataset.host, on);
    refreshButtons();
    orderLive();
    if (on && window.Notification && window.Notification.permission === "default") {
      window.Notification.requestPermission().catch(function () { /* a notice on the page still shows */ });
    }
  });

  if (liveList) {
    var cards = liveList.children;
    for (var i = 0; i < cards.length; i++) { seenLive[cards[i].dataset.room] = true; }
  }
  refreshButtons();
  orderLive();
  poll();
  setInterval(poll, POLL_MS);
})();
