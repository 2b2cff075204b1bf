/* Joining a room's stage from a page: WHIP (RFC 9725) over fetch, WebRTC audio both ways.
 *
 *   import { joinStage } from "/static/stage.js";
 *   const stage = await joinStage({ room, key, onLevel: ({ local, remote }) => …, onState });
 *   stage.setMuted(true); …; await stage.leave();
 *
 * key is a host, co-host or guest key (Bearer). The microphone (or options.stream) is sent,
 * with the browser's voice processing unless voice is false;
 * with listen (the default) the page plays everyone else on stage plus the room's other inputs,
 * never itself. ICE servers come as Link headers, from an OPTIONS with the key before the offer
 * and again on the answer; the offer goes out once candidates are gathered (or
 * after GATHER_MS), later candidates are trickled with PATCH. onLevel gets dBFS levels of the
 * microphone and of what the stage sends, ten times a second; onState gets the connection
 * state ("connecting", "connected", "disconnected", "failed", "closed"). */

const GATHER_MS = 1500;
const LEVEL_MS = 100;
const FLOOR_DB = -120;

function whipError(response, body) {
  let message = "the stage refused (" + response.status + ")";
  let reason = "http_" + response.status;
  try { const parsed = JSON.parse(body); message = parsed.error || message; reason = parsed.reason || reason; } catch (e) { /* not JSON */ }
  const error = new Error(message);
  error.status = response.status;
  error.reason = reason;
  error.retryAfter = Number(response.headers.get("Retry-After")) || 0;
  return error;
}

/** ICE servers from RFC 9725 Link headers: <url>; rel="ice-server"; username="…"; credential="…". */
export function iceServersFromLinks(header) {
  const servers = [];
  for (const part of (header || "").split(/,(?=\s*<)/)) {
    const url = /<([^>]+)>/.exec(part);
    if (!url || !/rel="?ice-server"?/.test(part)) { continue; }
    const server = { urls: url[1] };
    const user = /username="([^"]*)"/.exec(part);
    const pass = /credential="([^"]*)"/.exec(part);
    if (user) { server.username = user[1]; }
    if (pass) { server.credential = pass[1]; }
    servers.push(server);
  }
  return servers;
}

function gathered(pc, ms) {
  if (pc.iceGatheringState === "complete") { return Promise.resolve(); }
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") { resolve(); } };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, ms);
  });
}

function meter(context, stream) {
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  return () => {
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const x of data) { sum += x * x; }
    const rms = Math.sqrt(sum / data.length);
    return rms > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(rms)) : FLOOR_DB;
  };
}

async function stageIceServers(base, room, key) {
  // OPTIONS with the key answers the same Link headers as the POST will (see whip.py)
  try {
    const response = await fetch(base + "/whip/" + encodeURIComponent(room), {
      method: "OPTIONS", headers: { Authorization: "Bearer " + key } });
    return iceServersFromLinks(response.headers.get("Link"));
  } catch (e) { return []; }
}

/** Join the room's stage; resolves once the server answered (media flows a moment later). */
export async function joinStage({ room, key, onLevel, onState, stream, listen = true, voice = true, base = "" }) {
  // voice: echo cancellation, noise suppression and gain control, right for speech; a musician
  // (or a test tone, which noise suppression takes for noise) joins with voice: false
  const mic = stream || await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: voice, noiseSuppression: voice, autoGainControl: voice } });
  const pc = new RTCPeerConnection({ iceServers: await stageIceServers(base, room, key), bundlePolicy: "max-bundle" });
  const track = mic.getAudioTracks()[0];
  pc.addTransceiver(track, { direction: listen ? "sendrecv" : "sendonly", streams: [mic] });
  const remote = new MediaStream();
  const player = new Audio();
  player.autoplay = true;
  pc.addEventListener("track", (event) => {
    remote.addTrack(event.track);
    player.srcObject = remote;  // Chrome renders remote WebRTC audio only through a media element
    player.play().catch(() => {});
  });
  pc.addEventListener("connectionstatechange", () => { if (onState) { onState(pc.connectionState); } });

  const pending = [];
  let location = null;
  const trickle = async (candidate) => {
    const frag = "a=mid:" + (candidate.sdpMid || "0") + "\r\na=" + candidate.candidate + "\r\n";
    await fetch(location, { method: "PATCH", body: frag, headers: {
      Authorization: "Bearer " + key, "Content-Type": "application/trickle-ice-sdpfrag" } }).catch(() => {});
  };
  pc.addEventListener("icecandidate", (event) => {
    if (!event.candidate || !event.candidate.candidate) { return; }
    if (location) { trickle(event.candidate); } else { pending.push(event.candidate); }
  });

  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc, GATHER_MS);
  const sent = pc.localDescription.sdp;
  const response = await fetch(base + "/whip/" + encodeURIComponent(room), {
    method: "POST", body: sent,
    headers: { Authorization: "Bearer " + key, "Content-Type": "application/sdp" } });
  const answer = await response.text();
  if (response.status !== 201) {
    pc.close();
    if (!stream) { mic.getTracks().forEach((t) => t.stop()); }
    throw whipError(response, answer);
  }
  location = new URL(response.headers.get("Location"), base || window.location.href).href;
  const linked = iceServersFromLinks(response.headers.get("Link"));
  if (linked.length) { pc.setConfiguration({ iceServers: linked, bundlePolicy: "max-bundle" }); }
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  for (const candidate of pending) {
    if (!sent.includes(candidate.candidate)) { trickle(candidate); }
  }

  let timer = null;
  let context = null;
  if (onLevel) {
    context = new AudioContext();
    const local = meter(context, mic);
    let heard = null;
    timer = setInterval(() => {
      if (!heard && remote.getAudioTracks().length) { heard = meter(context, remote); }
      onLevel({ local: local(), remote: heard ? heard() : FLOOR_DB });
    }, LEVEL_MS);
  }

  return {
    pc, remote, location, player,
    /** Stop sending sound (the seat stays); the host's mute is separate and wins. */
    setMuted(muted) { track.enabled = !muted; },
    /** Leave the stage: DELETE the session, close the connection, release the microphone. */
    async leave() {
      if (timer) { clearInterval(timer); }
      if (context) { context.close().catch(() => {}); }
      // a session the server already ended (the host removed us, the show ended) has nothing to delete
      if (["new", "connecting", "connected"].includes(pc.connectionState)) {
        await fetch(location, { method: "DELETE", headers: { Authorization: "Bearer " + key } }).catch(() => {});
      }
      pc.close();
      player.srcObject = null;
      if (!stream) { mic.getTracks().forEach((t) => t.stop()); }
    },
  };
}
