/* Listener page: ask to speak in a live room (or take over a hand raised by voice with its
 * call-in code), follow the hand's state, and on acceptance hand the guest key to the stage
 * module (stage.js, when this server has one) to join with the microphone.
 * The hand (room, id, token, and the guest key once collected) lives in this tab's
 * sessionStorage only, so a reload keeps following it. Server text is only ever set as text. */
(function () {
  "use strict";

  var STORE = "livestage.hand";
  var POLL_MS = 2000;
  var section = document.getElementById("speak");
  if (!section) { return; }
  var form = document.getElementById("hand-form");
  var codeForm = document.getElementById("code-form");
  var roomSelect = document.getElementById("hand-room");
  var stateText = document.getElementById("hand-state");
  var timer = null;
  var joining = false;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function save(hand) { sessionStorage.setItem(STORE, JSON.stringify(hand)); }
  function forget() { sessionStorage.removeItem(STORE); }
  function say(text) { if (stateText.textContent !== text) { stateText.textContent = text; } }
  function roomTitle(id) {
    for (var i = 0; i < roomSelect.options.length; i++) {
      if (roomSelect.options[i].value === id) { return roomSelect.options[i].textContent; }
    }
    return id;
  }
  function asking(open) {
    form.hidden = open;
    codeForm.hidden = open;
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
  }
  function ordinal(n) { return "#" + n; }

  function post(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
                         body: JSON.stringify(body) })
      .then(function (r) { return r.json().catch(function () { return {}; }).then(function (d) { return { ok: r.ok, status: r.status, data: d }; }); });
  }

  function joinStage(hand) {
    var stage = window.LiveStageStage;
    if (!stage || typeof stage.join !== "function") {
      say("Accepted — the stage is not available on this server.");
      return;
    }
    if (joining || hand.joined) { return; }
    joining = true;
    say("Accepted — joining the stage…");
    Promise.resolve(stage.join({ room: hand.room, key: hand.key, name: hand.name }))
      .then(function () { hand.joined = true; save(hand); say("You're on stage in " + roomTitle(hand.room) + "."); })
      .catch(function (err) { say("Accepted, but joining the stage failed: " + (err && err.message ? err.message : err)); })
      .then(function () { joining = false; });
  }

  function leaveStage() {
    var stage = window.LiveStageStage;
    if (stage && typeof stage.leave === "function") {
      try { stage.leave(); } catch (e) { /* already gone */ }
    }
  }

  function closed(text) {
    stop();
    leaveStage();
    forget();
    asking(false);
    say(text);
  }

  function show(hand, data) {
    section.dataset.state = data.state;
    if (data.guest_key) { hand.key = data.guest_key; save(hand); }
    if (data.state === "queued") {
      say("Your hand is up in " + roomTitle(hand.room) + (data.position ? ": " + ordinal(data.position) + " in the queue." : "."));
    } else if (data.state === "accepted") {
      if (hand.key) { joinStage(hand); }
      else { say("Accepted — the guest key was collected in another tab."); }
    } else if (data.state === "declined") {
      closed("The host declined your hand this time.");
    } else if (data.state === "removed") {
      closed("The host took you off the stage. Thanks for speaking!");
    } else {
      closed("The show has ended, and with it your hand.");
    }
  }

  function poll() {
    var hand = load();
    if (!hand) { stop(); return; }
    fetch("/api/rooms/" + encodeURIComponent(hand.room) + "/hands/" + encodeURIComponent(hand.id) +
          "?token=" + encodeURIComponent(hand.token), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 404) { closed("This hand is no longer known to the server."); return null; }
        return r.ok ? r.json() : null;
      })
      .then(function (data) { if (data) { show(hand, data); } })
      .catch(function () { /* the next poll tries again */ });
  }

  function follow(hand) {
    save(hand);
    asking(true);
    stop();
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var room = roomSelect.value;
    var name = document.getElementById("hand-name").value.trim();
    var line = document.getElementById("hand-line").value.trim();
    say("Raising your hand…");
    post("/api/rooms/" + encodeURIComponent(room) + "/hands", line ? { name: name, line: line } : { name: name })
      .then(function (res) {
        if (!res.ok) { say("Could not raise your hand: " + (res.data.error || res.status)); return; }
        follow({ room: room, id: res.data.hand_id, token: res.data.hand_token, name: name });
      })
      .catch(function () { say("Could not reach the server; try again."); });
  });

  codeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var room = roomSelect.value;
    var code = document.getElementById("call-in-code").value.replace(/\s+/g, "");
    say("Looking for your hand…");
    post("/api/rooms/" + encodeURIComponent(room) + "/hands/claim", { code: code })
      .then(function (res) {
        if (!res.ok) {
          say(res.status === 404 ? "No open hand in " + roomTitle(room) + " has that code. Check the room and the digits."
                                 : "Could not use the code: " + (res.data.error || res.status));
          return;
        }
        follow({ room: room, id: res.data.hand_id, token: res.data.hand_token, name: res.data.name });
      })
      .catch(function () { say("Could not reach the server; try again."); });
  });

  // "Ask to speak" on a live room's card picks that room in the form
  document.addEventListener("click", function (event) {
    var ask = event.target.closest ? event.target.closest("button.ask") : null;
    if (!ask) { return; }
    roomSelect.value = ask.dataset.room;
    if (form.hidden) { section.scrollIntoView(); return; }  // a hand is up already: show its state
    document.getElementById("hand-name").focus();
  });

  if (load()) { follow(load()); }
})();
