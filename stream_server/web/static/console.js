/* Performer console. Signed-in token lives in sessionStorage and goes out as Bearer.
 * Room data is only ever set with textContent (never innerHTML). */
import { BrowserBroadcast } from "./mic-ingest.js";
import { ingestSettings } from "./ingest-settings.js";
import { refreshAudience, refreshHands, refreshReplays, refreshStage, stopLevels, watchLevels } from "./console-stage.js";

const STORE = "livestage.console";
const KEYS = "livestage.console.keys";   // room id -> stream key, for rooms created in this tab
const POLL_MS = 3000;
const $ = (id) => document.getElementById(id);

let session = load(STORE);
let roomKeys = load(KEYS) || {};
let room = null;          // the selected room (API view)
let pollTimer = null;
let messagesSince = 0;
let broadcast = null;

function load(name) {
  try { return JSON.parse(sessionStorage.getItem(name) || "null"); } catch (e) { return null; }
}
function save(name, value) { sessionStorage.setItem(name, JSON.stringify(value)); }
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) { node.textContent = text; }
  if (cls) { node.className = cls; }
  return node;
}
function status(text) { $("console-status").textContent = text; }
/* what the stage panels (console-stage.js) need: the API, the selected room, the status line */
const stage = () => ({ api, room, status });

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (session) { headers.Authorization = "Bearer " + session.token; }
  if (body !== undefined) { headers["Content-Type"] = "application/json"; }
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const err = new Error(data.error || (method + " " + path + " answered " + response.status));
    err.status = response.status;
    throw err;
  }
  return data;
}

/* -- sign in ---------------------------------------------------------------------------- */

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const roomId = $("signin-room").value.trim();
  const token = $("signin-token").value.trim();
  $("signin-error").textContent = "";
  session = { token };
  try {
    const who = await api("GET", "/api/console/session" + (roomId ? "?room=" + encodeURIComponent(roomId) : ""));
    session = { token, role: who.role, room: who.room || null };
    if (session.role !== "admin") { roomKeys[session.room] = token; save(KEYS, roomKeys); }
    save(STORE, session);
    $("signin-token").value = "";
    await enter();
  } catch (err) {
    session = null;
    $("signin-error").textContent = err.message;
    $("signin-token").focus();
  }
});

$("signout").addEventListener("click", async () => {
  if (broadcast) { await stopLive(); }
  sessionStorage.removeItem(STORE);
  sessionStorage.removeItem(KEYS);
  session = null; room = null; roomKeys = {};
  if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
  stopLevels();
  $("signed-in").hidden = true;
  $("signin").hidden = false;
  $("signin-room").focus();
  status("Signed out.");
});

async function enter() {
  $("signin").hidden = true;
  $("signed-in").hidden = false;
  $("whoami").textContent = session.role === "admin"
    ? "Signed in with the admin token."
    : "Signed in as " + ({ host: "the host", cohost: "a co-host", guest: "a guest" }[session.role] || session.role)
      + " of room " + session.room + ".";
  $("admin").hidden = session.role !== "admin";
  if (session.role === "admin") { await refreshRooms(); }
  if (session.room) { await selectRoom(session.room); }
  status("Signed in.");
  $("whoami").tabIndex = -1;
  if (!document.activeElement || document.activeElement === document.body) { $("whoami").focus(); }
}

/* -- rooms (admin) ---------------------------------------------------------------------- */

async function refreshRooms() {
  const list = $("room-list");
  try {
    const rooms = [];
    let cursor = "";
    do {  // the server hands rooms out a page at a time
      const page = await api("GET", "/api/rooms?limit=500" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      rooms.push(...page.rooms);
      cursor = page.next_cursor || "";
    } while (cursor);
    list.replaceChildren();
    for (const r of rooms) {
      const item = el("li", undefined, "card");
      const info = el("div", undefined, "info");
      info.append(el("h4", r.title), el("p", (r.live ? "live" : r.status) + " · " + r.id, "meta"));
      const open = el("button", "Open");
      open.type = "button";
      open.setAttribute("aria-label", "Open " + r.title);
      open.addEventListener("click", () => selectRoom(r.id, true));
      item.append(info, open);
      list.append(item);
    }
    if (!rooms.length) { list.append(el("li", "No rooms yet.", "empty")); }
  } catch (err) { status("Could not list rooms: " + err.message); }
}

$("create-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("create-error").textContent = "";
  const body = { title: $("create-title").value.trim() };
  for (const name of ["host", "genre", "description"]) {
    const value = $("create-" + name).value.trim();
    if (value) { body[name] = value; }
  }
  const start = $("create-start").value;
  if (start) { body.scheduled_start = new Date(start).getTime() / 1000; }
  if ($("create-private").checked) { body.private = true; }
  if ($("create-captions").checked) { body.captions = true; }
  try {
    const created = await api("POST", "/api/rooms", body);
    roomKeys[created.id] = created.stream_key;
    save(KEYS, roomKeys);
    $("create-form").reset();
    await refreshRooms();
    await selectRoom(created.id, true);
    $("new-key").hidden = false;
    $("new-key-value").textContent = created.stream_key;
    status("Room " + created.title + " created. Its stream key is shown once below the title.");
  } catch (err) {
    $("create-error").textContent = err.message;
  }
});

/* -- the selected room ------------------------------------------------------------------ */

async function selectRoom(roomId, focus) {
  try {
    room = await api("GET", "/api/rooms/" + encodeURIComponent(roomId));
  } catch (err) { status("Could not open room " + roomId + ": " + err.message); return; }
  $("room").hidden = false;
  $("new-key").hidden = true;
  $("room-title").textContent = room.title;
  $("live-key").value = roomKeys[room.id] || "";
  for (const list of [$("cohosts"), $("hands")]) { list.replaceChildren(); delete list.dataset.signature; }
  $("messages").replaceChildren();
  $("cohost-result").textContent = "";
  $("end-status").textContent = "";
  messagesSince = 0;
  renderRoom();
  renderSettings();
  await Promise.all([refreshStage(stage()), refreshHands(stage()), refreshMessages(),
    refreshAudience(stage()), refreshReplays(stage())]);
  if (pollTimer) { clearInterval(pollTimer); }
  pollTimer = setInterval(tick, POLL_MS);
  watchLevels(stage());
  if (focus) { $("room-title").tabIndex = -1; $("room-title").focus(); }
}

function renderRoom() {
  $("room-join-code").hidden = !room.join_code;
  $("room-join-code").textContent = room.join_code ? "Join code: " + room.join_code : "";
  $("room-status").textContent = room.live ? "On air" : (room.status === "ended" ? "Show ended" : "Not live yet");
  $("room-listeners").textContent = typeof room.listeners === "number"
    ? (room.listeners === 1 ? "1 listener" : room.listeners + " listeners") : "listener count unavailable";
  const song = room.live && room.now_playing ? room.now_playing : null;
  $("room-song").textContent = song
    ? "Now playing: " + song.title + (song.artist ? " by " + song.artist : "") : "";
}

async function tick() {
  if (!room) { return; }
  try {
    const was = room.status;
    room = await api("GET", "/api/rooms/" + encodeURIComponent(room.id));
    renderRoom();
    if (room.status !== was && session.role === "admin") { await refreshRooms(); }
    if (room.status !== was) { await refreshReplays(stage()); }
  } catch (err) { /* keep the last view; the next tick tries again */ }
  // guests join the stage list as their pages collect their keys
  await Promise.all([refreshMessages(), refreshHands(stage()), refreshStage(stage()), refreshAudience(stage())]);
  ticks += 1;
  if (session && session.role === "admin" && ticks % 5 === 0) { await refreshRooms(); }
}
let ticks = 0;

function renderSettings() {
  const key = $("live-key").value.trim() || roomKeys[room.id] || "";
  const shown = $("show-key").checked ? key || "<stream key>" : "<stream key>";
  const box = $("settings");
  box.replaceChildren();
  for (const item of ingestSettings(room.ingest_url || "/ingest/" + room.id, shown)) {
    const copyText = ingestSettings(room.ingest_url || "/ingest/" + room.id, key || "<stream key>")
      .find((s) => s.name === item.name).text;
    const heading = el("h4", item.name);
    const pre = el("pre", item.text, "settings");
    const copy = el("button", "Copy", "secondary");
    copy.type = "button";
    copy.setAttribute("aria-label", "Copy the " + item.name.split(" ")[0] + " settings");
    copy.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(copyText); status(item.name.split(" ")[0] + " settings copied."); }
      catch (e) { status("Copy failed; select the text instead."); }
    });
    box.append(heading, pre, copy);
  }
}
$("show-key").addEventListener("change", renderSettings);
$("live-key").addEventListener("change", () => {
  if (room) { roomKeys[room.id] = $("live-key").value.trim(); save(KEYS, roomKeys); renderSettings(); }
});

/* -- go live from the microphone -------------------------------------------------------- */

let meterTimer = null;

$("go-live").addEventListener("click", async () => {
  const key = $("live-key").value.trim();
  if (!room) { return; }
  if (!key) { $("live-status").textContent = "Enter the room's stream key first."; $("live-key").focus(); return; }
  $("go-live").disabled = true;
  $("live-status").textContent = "Asking for the microphone…";
  broadcast = new BrowserBroadcast(room.id, key, onBroadcastState);
  try {
    await broadcast.start();
  } catch (err) {
    $("live-status").textContent = "Could not go live: " + err.message;
    $("go-live").disabled = false;
    broadcast = null;
    return;
  }
  $("stop-live").disabled = false;
  $("live-status").textContent = "Sending audio from the microphone…";
  meterTimer = setInterval(() => {
    if (!broadcast || !broadcast.meter) { return; }
    const db = broadcast.meter.dbfs();
    $("level").value = Math.min(1, Math.max(0, (db + 60) / 60));
    $("level-text").textContent = Math.round(db) + " dBFS";
  }, 100);
});

function onBroadcastState(state, detail) {
  if (state === "sent") { $("live-status").dataset.sent = String(detail + 1); }
  if (!broadcast) { return; }  // the last chunks after "Stop sending" change nothing on screen
  if (state === "sent") {
    $("live-status").textContent = "On air from the microphone: " + (detail + 1) + " s sent.";
  } else if (state === "retrying") {
    $("live-status").textContent = "Connection trouble (" + detail + ").";
  } else if (state === "failed") {
    stopLive().then(() => { $("live-status").textContent = "Stopped: " + detail + "."; });
  }
}

async function stopLive() {
  const current = broadcast;
  broadcast = null;
  if (meterTimer) { clearInterval(meterTimer); meterTimer = null; }
  $("stop-live").disabled = true;
  $("go-live").disabled = false;
  $("level").value = 0;
  $("level-text").textContent = "—";
  if (current) { await current.stop(); }
}
$("stop-live").addEventListener("click", async () => {
  await stopLive();
  $("live-status").textContent = "Stopped sending. The room stays on air (with room tone) until you end the show.";
});

/* -- co-hosts --------------------------------------------------------------------------- */

$("cohost-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("cohost-name").value.trim();
  try {
    const made = await api("POST", "/api/rooms/" + encodeURIComponent(room.id) + "/keys", { name });
    $("cohost-form").reset();
    const result = $("cohost-result");
    result.replaceChildren(
      el("span", "Send " + name + " this key (shown once) and the settings above: "),
      el("span", made.stream_key, "key"));
    await refreshStage(stage());
  } catch (err) {
    $("cohost-result").textContent = err.status === 404
      ? "Co-host invites are not available on this server yet."
      : "Could not invite: " + err.message;
  }
});

/* -- listener messages ------------------------------------------------------------------ */

async function refreshMessages() {
  try {
    const data = await api("GET", "/api/rooms/" + encodeURIComponent(room.id) + "/messages?since=" + messagesSince);
    for (const m of data.messages) {
      const when = new Date(m.created_at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      const item = el("li");
      item.append(el("time", when), el("span", " " + (m.sender ? m.sender + ": " : "")), el("span", m.text, "text"));
      $("messages").append(item);
    }
    messagesSince = data.next_since;
    $("messages-status").textContent = $("messages").children.length ? "" : "No messages yet. Listeners say “tell the host …”.";
  } catch (err) {
    $("messages-status").textContent = err.status === 401
      ? "Messages are for the room's host and the admin." : "Messages: " + err.message;
  }
}

/* -- end the show ----------------------------------------------------------------------- */

$("end-show").addEventListener("click", async () => {
  if (!window.confirm("End the show for every listener? The show stays as a replay.")) { return; }
  if (broadcast) { await stopLive(); }
  try {
    room = await api("POST", "/api/rooms/" + encodeURIComponent(room.id) + "/end");
    renderRoom();
    // the ended show becomes a replay with its own chart; its hands expire, its guests leave
    await Promise.all([refreshReplays(stage()), refreshAudience(stage()), refreshHands(stage()), refreshStage(stage())]);
    $("end-status").textContent = "The show has ended. Its replay is kept.";
    if (session.role === "admin") { await refreshRooms(); }
  } catch (err) {
    $("end-status").textContent = err.status === 401
      ? "Ending a show needs the admin token on this server." : "Could not end the show: " + err.message;
  }
});

if (session && session.token) {
  enter().catch((err) => status(err.message));
} else {
  $("signin-room").focus();
}
