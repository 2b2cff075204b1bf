/* The console's stage panels: the hands queue, who is on stage (a speaking meter each, mute,
 * remove) and the audience as a picture (listeners per minute, live and for every replay).
 * Everything arrives by polling the room API; names and lines are only ever set as text.
 * The charts are SVG built with DOM calls (attributes only, no inline style: the page's CSP). */

const SVG = "http://www.w3.org/2000/svg";
const LEVELS_MS = 500;
const REPLAY_CHARTS = 5;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) { node.textContent = text; }
  if (cls) { node.className = cls; }
  return node;
}
function button(text, label, cls, onClick) {
  const node = el("button", text, cls);
  node.type = "button";
  node.setAttribute("aria-label", label);
  node.addEventListener("click", onClick);
  return node;
}
function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) { node.setAttribute(name, String(value)); }
  return node;
}
const $ = (id) => document.getElementById(id);
const roomPath = (room) => "/api/rooms/" + encodeURIComponent(room.id);

/* -- the hands queue -------------------------------------------------------------------- */

const STATE_WORDS = { queued: "waiting", accepted: "on stage", declined: "declined", removed: "removed", expired: "expired" };

export async function refreshHands(ctx) {
  const list = $("hands");
  let data;
  try {
    data = await ctx.api("GET", roomPath(ctx.room) + "/hands");
  } catch (err) {
    list.replaceChildren(el("li", "Hands: " + err.message, "empty"));
    delete list.dataset.signature;
    return;
  }
  const open = data.hands.filter((h) => h.state === "queued" || h.state === "accepted");
  // rebuild only on a change, so a focused button is not swept away under the keyboard
  const signature = ctx.room.id + JSON.stringify(data.hands.map((h) => [h.hand_id, h.state, h.position, data.live]));
  if (signature === list.dataset.signature) { return; }
  list.dataset.signature = signature;
  const rows = open.map((hand) => {
    const item = el("li", undefined, "hand " + hand.state);
    item.dataset.handId = hand.hand_id;
    const who = el("span", hand.name, "name");
    const via = hand.via === "voice" ? " (by voice)" : "";
    const state = el("span", " · " + STATE_WORDS[hand.state] + (hand.position ? " #" + hand.position : "") + via, "hint");
    item.append(who, state);
    if (hand.line) { item.append(el("p", hand.line, "line")); }
    const act = (action) => async () => {
      try { await ctx.api("POST", roomPath(ctx.room) + "/hands/" + encodeURIComponent(hand.hand_id) + "/" + action); }
      catch (err) { ctx.status("Could not " + action + " " + hand.name + ": " + err.message); }
      await refreshHands(ctx);
      await refreshStage(ctx);
    };
    const actions = el("div", undefined, "row");
    if (hand.state === "queued") {
      actions.append(button("Accept", "Accept " + hand.name, "", act("accept")),
                     button("Decline", "Decline " + hand.name, "secondary", act("decline")));
    } else {
      actions.append(button("Remove", "Remove " + hand.name + " from the stage", "danger", act("remove")));
    }
    item.append(actions);
    return item;
  });
  list.replaceChildren(...rows);
  const answered = data.hands.length - open.length;
  $("hands-status").textContent = (open.length ? "" : (data.live ? "No hands up." : "Hands open when the show is on air."))
    + (answered ? " " + answered + " answered earlier in this show." : "");
}

/* -- who is on stage -------------------------------------------------------------------- */

let levels = {};
let levelsTimer = null;

export async function refreshStage(ctx) {
  const list = $("cohosts");
  let data;
  try {
    data = await ctx.api("GET", roomPath(ctx.room) + "/keys");
  } catch (err) {
    list.replaceChildren(el("li", "On stage: " + err.message, "empty"));
    delete list.dataset.signature;
    return;
  }
  const signature = ctx.room.id + JSON.stringify((data.keys || []).map((k) => [k.key_id, k.name, k.muted, k.revoked]));
  if (signature === list.dataset.signature) { applyLevels(); return; }
  list.dataset.signature = signature;
  const rows = [];
  for (const key of data.keys || []) {
    if (key.revoked) { continue; }
    const item = el("li", undefined, "member");
    item.dataset.keyId = key.key_id;
    const role = key.role === "host" ? "host" : key.role === "guest" ? "guest" : "co-host";
    item.append(el("span", key.name, "name"), el("span", " · " + role + (key.muted ? " · muted" : ""), "hint"));
    const meter = el("meter");
    Object.assign(meter, { min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0.5, value: 0 });
    meter.setAttribute("aria-label", "Speaking level of " + key.name);
    item.append(meter, el("span", "", "hint level"));
    const mute = button(key.muted ? "Unmute" : "Mute", (key.muted ? "Unmute " : "Mute ") + key.name, "secondary", async () => {
      await ctx.api("POST", roomPath(ctx.room) + "/keys/" + encodeURIComponent(key.key_id) + "/mute", { muted: !key.muted })
        .catch((err) => ctx.status(err.message));
      await refreshStage(ctx);
    });
    item.append(mute);
    if (key.role !== "host") {
      const label = (key.role === "guest" ? "Remove guest " : "Remove co-host ") + key.name;
      item.append(button("Remove", label, "danger", async () => {
        await ctx.api("DELETE", roomPath(ctx.room) + "/keys/" + encodeURIComponent(key.key_id))
          .catch((err) => ctx.status(err.message));
        await refreshStage(ctx);
        await refreshHands(ctx);
      }));
    }
    rows.push(item);
  }
  list.replaceChildren(...rows);
  if (rows.length <= 1) { list.append(el("li", "Nobody else on stage yet.", "empty")); }
  applyLevels();
}

async function refreshLevels(ctx) {
  try {
    const data = await ctx.api("GET", roomPath(ctx.room) + "/levels");
    levels = {};
    for (const entry of data.publishers || []) { if (entry.key_id) { levels[entry.key_id] = entry; } }
    applyLevels();
  } catch (err) { /* levels are optional: the next poll tries again */ }
}

function applyLevels() {
  for (const item of $("cohosts").children) {
    const entry = levels[item.dataset.keyId];
    const meter = item.querySelector("meter");
    const text = item.querySelector(".level");
    if (!meter || !text) { continue; }
    const db = entry ? entry.rms_dbfs : null;
    meter.value = typeof db === "number" ? Math.min(1, Math.max(0, (db + 60) / 60)) : 0;
    item.dataset.live = entry ? "1" : "0";
    text.textContent = typeof db === "number" ? " " + Math.round(db) + " dBFS" + (entry.muted ? " (muted)" : "") : " not connected";
  }
}

export function watchLevels(ctx) {
  stopLevels();
  levelsTimer = setInterval(() => refreshLevels(ctx), LEVELS_MS);
}
export function stopLevels() {
  if (levelsTimer) { clearInterval(levelsTimer); levelsTimer = null; }
}

/* -- the audience as a picture ---------------------------------------------------------- */

/* Listeners per minute as an area chart: one point per minute, the peak marked and named. */
export function listenerChart(perMinute, title) {
  const width = 480, height = 140, pad = 24;
  const counts = perMinute.length ? perMinute : [0];
  const peak = Math.max(0, ...counts);
  const peakAt = counts.indexOf(peak);
  const top = Math.max(1, peak);
  const x = (i) => pad + (counts.length === 1 ? 0 : (i * (width - 2 * pad)) / (counts.length - 1));
  const y = (n) => height - pad - (n * (height - 2 * pad)) / top;
  const minutes = counts.length === 1 ? "1 minute" : counts.length + " minutes";
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart" });
  chart.setAttribute("aria-label", `${title}: listeners per minute over ${minutes}, peak ${peak} in minute ${peakAt + 1}`);
  chart.dataset.peak = String(peak);
  chart.dataset.minutes = String(perMinute.length);
  chart.append(svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, class: "axis" }));
  const points = counts.map((n, i) => `${x(i)},${y(n)}`);
  chart.append(svg("polygon", { points: [`${x(0)},${height - pad}`, ...points, `${x(counts.length - 1)},${height - pad}`].join(" "), class: "area" }));
  chart.append(svg("polyline", { points: points.join(" "), class: "line" }));
  chart.append(svg("circle", { cx: x(peakAt), cy: y(peak), r: 4, class: "peak" }));
  const label = svg("text", { x: Math.min(x(peakAt), width - 90), y: Math.max(12, y(peak) - 8), class: "label" });
  label.textContent = "peak " + peak;
  const axis = svg("text", { x: pad, y: height - 6, class: "label" });
  axis.textContent = "0 – " + minutes;
  chart.append(label, axis);
  return chart;
}

export async function refreshAudience(ctx) {
  try {
    const live = await ctx.api("GET", roomPath(ctx.room) + "/listeners");
    const box = $("audience-live");
    if (!live.live || live.since === null) {  // an ended show is charted with the replays below
      box.replaceChildren(el("p", "Not on air: the live chart starts with the next show.", "hint"));
    } else {
      box.replaceChildren(el("h4", "This show, live"), listenerChart(live.listeners_per_minute, "This show, live"),
        el("p", `Peak ${live.peak_listeners} · now ${live.listeners}`, "hint"));
    }
  } catch (err) { $("audience-live").replaceChildren(el("p", "Audience: " + err.message, "hint")); }
}

export async function refreshReplays(ctx) {
  const list = $("audience-replays");
  try {
    const data = await ctx.api("GET", roomPath(ctx.room) + "/shows");
    const ended = data.shows.filter((s) => !s.live).slice(0, REPLAY_CHARTS);
    list.replaceChildren(...ended.map((show) => {
      const when = new Date(show.started_at * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
      const item = el("li");
      item.append(el("h4", "Replay of " + when), listenerChart(show.listeners_per_minute || [], "Show of " + when),
        el("p", `Peak ${show.peak_listeners || 0} · ${Math.round((show.duration || 0) / 60)} min`, "hint"));
      return item;
    }));
    if (!ended.length) { list.append(el("li", "No replays yet.", "empty")); }
  } catch (err) { list.replaceChildren(el("li", "Replays: " + err.message, "empty")); }
}
