/* Going live from the browser microphone: MediaRecorder (WebM/Opus) chunks POSTed in
 * order to /ingest/<room>/chunks?session=<id>&seq=<n>, and a level meter on WebAudio.
 *
 * Protocol (the ingest's contract): every chunk is POSTed with
 * "Content-Type: audio/webm;codecs=opus" and "Authorization: Bearer <stream key>"; the first
 * chunk of a session carries the WebM header; a repeated seq is ignored by the server; a gap
 * answers 409 naming the seq it expects ("expected_seq"), and we resend from there; 410 means
 * the session is over (idle too long, or ended): the broadcast starts a new session with a
 * fresh recorder; 429 and 503 are retried after Retry-After. */

export const MIME = "audio/webm;codecs=opus";
const TIMESLICE_MS = 1000;   // one chunk per second
const KEEP_CHUNKS = 120;     // resendable history (about two minutes)
const MAX_BACKOFF_MS = 5000;

export class ChunkUploader {
  /** Sends chunks in order, one request at a time, retrying until stopped. */
  constructor(roomId, streamKey, onState) {
    this.url = "/ingest/" + encodeURIComponent(roomId) + "/chunks";
    this.key = streamKey;
    this.onState = onState || function () {};
    this.session = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9-]/g, "");
    this.nextSeq = 0;          // seq of the next chunk MediaRecorder gives us
    this.sendSeq = 0;          // seq of the next chunk to send
    this.chunks = new Map();   // seq -> Blob, not yet acknowledged or kept for resend
    this.busy = false;
    this.stopped = false;
    this.failed = null;
    this.sentBytes = 0;
  }

  push(blob) {
    if (this.stopped || !blob || blob.size === 0) { return; }
    this.chunks.set(this.nextSeq, blob);
    this.nextSeq += 1;
    for (const seq of this.chunks.keys()) {
      if (seq < this.nextSeq - KEEP_CHUNKS && seq !== 0 && seq < this.sendSeq) { this.chunks.delete(seq); }
    }
    this.pump();
  }

  stop() { this.stopped = true; }

  /** Wait (up to timeoutMs) until every chunk so far is acknowledged or sending failed. */
  async drain(timeoutMs) {
    const until = Date.now() + timeoutMs;
    this.pump();
    while (!this.failed && this.sendSeq < this.nextSeq && Date.now() < until) { await sleep(100); }
  }

  async pump() {
    if (this.busy) { return; }
    this.busy = true;
    let backoff = 250;
    try {
      while (!this.failed && this.sendSeq < this.nextSeq) {
        const seq = this.sendSeq;
        const blob = this.chunks.get(seq);
        if (!blob) {
          this.fail("the server asked for audio this page no longer holds (chunk " + seq + "); go live again");
          break;
        }
        let response;
        try {
          response = await fetch(this.url + "?session=" + this.session + "&seq=" + seq, {
            method: "POST",
            headers: { "Content-Type": MIME, "Authorization": "Bearer " + this.key },
            body: blob,
          });
        } catch (err) {
          if (this.stopped) { break; }
          this.onState("retrying", "network error; retrying");
          await sleep(backoff); backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        if (response.ok) {
          this.sendSeq = seq + 1;
          this.sentBytes += blob.size;
          backoff = 250;
          this.onState("sent", seq);
          continue;
        }
        if (response.status === 409) {
          const body = await response.json().catch(() => ({}));
          const expected = Number(body.expected_seq ?? body.expected);
          if (Number.isInteger(expected) && expected >= 0 && expected !== seq) {
            this.sendSeq = expected;  // resend from what the server expects (or skip what it has)
            continue;
          }
          this.fail(body.error || "the server refused the chunk order");
          break;
        }
        if (response.status === 410) {
          const body = await response.json().catch(() => ({}));
          this.failed = "session over";
          this.onState("expired", body.error || "the server ended this session");
          break;
        }
        if (response.status === 429 || response.status === 503) {
          const after = Number(response.headers.get("Retry-After"));
          this.onState("retrying", "server busy (" + response.status + ")");
          await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30000) : backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
          continue;
        }
        if (response.status === 401 || response.status === 403) {
          this.fail("the stream key was refused; check it and try again"); break;
        }
        if (response.status === 404 || response.status === 405) {
          this.fail("this server does not take browser audio (no chunk ingest at " + this.url + ")"); break;
        }
        if (response.status >= 400 && response.status < 500) {
          const body = await response.json().catch(() => ({}));
          this.fail(body.error || "the server refused the audio (" + response.status + ")"); break;
        }
        this.onState("retrying", "server answered " + response.status + "; retrying");
        await sleep(backoff); backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    } finally {
      this.busy = false;
    }
  }

  fail(reason) {
    this.failed = reason;
    this.onState("failed", reason);
  }
}

export class LevelMeter {
  /** RMS level of a media stream, in dBFS, through a WebAudio AnalyserNode. */
  constructor(stream) {
    const Context = window.AudioContext || window.webkitAudioContext;
    this.context = new Context();
    this.source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.source.connect(this.analyser);
    this.buffer = new Float32Array(this.analyser.fftSize);
  }

  dbfs() {
    this.analyser.getFloatTimeDomainData(this.buffer);
    let sum = 0;
    for (let i = 0; i < this.buffer.length; i++) { sum += this.buffer[i] * this.buffer[i]; }
    const rms = Math.sqrt(sum / this.buffer.length);
    return rms > 0 ? Math.max(-90, 20 * Math.log10(rms)) : -90;
  }

  close() { this.context.close().catch(() => {}); }
}

export class BrowserBroadcast {
  /** Microphone → MediaRecorder → ChunkUploader, plus the level meter. */
  constructor(roomId, streamKey, onState) {
    this.roomId = roomId;
    this.streamKey = streamKey;
    this.onState = onState;
    this.restarts = 0;
    this.stopping = false;
  }

  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("browsers allow the microphone only on HTTPS (or localhost) pages; open the console over HTTPS");
    }
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported(MIME)) {
      throw new Error("this browser cannot record WebM/Opus; use Chrome, Edge or Firefox, or ffmpeg");
    }
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    this.meter = new LevelMeter(this.stream);
    this.record();
  }

  /** A new session: a fresh recorder (its first chunk carries the header) and uploader. */
  record() {
    const uploader = new ChunkUploader(this.roomId, this.streamKey, (state, detail) => {
      if (state === "expired" && !this.stopping && this.restarts < 5) {
        this.restarts = (this.restarts || 0) + 1;
        this.onState("retrying", "new session: " + detail);
        if (this.recorder.state !== "inactive") { this.recorder.stop(); }
        this.record();
        return;
      }
      this.onState(state === "expired" ? "failed" : state, detail);
    });
    const recorder = new MediaRecorder(this.stream, { mimeType: MIME, audioBitsPerSecond: 128000 });
    recorder.addEventListener("dataavailable", (event) => uploader.push(event.data));
    this.uploader = uploader;
    this.recorder = recorder;
    recorder.start(TIMESLICE_MS);
  }

  async stop() {
    this.stopping = true;
    if (this.recorder && this.recorder.state !== "inactive") {
      const flushed = new Promise((resolve) => this.recorder.addEventListener("stop", resolve, { once: true }));
      this.recorder.stop();
      await flushed;
    }
    if (this.uploader) {
      await this.uploader.drain(5000);
      this.uploader.stop();
      // end the session cleanly: what was sent plays out
      await fetch(this.uploader.url + "?session=" + this.uploader.session, {
        method: "DELETE", headers: { "Authorization": "Bearer " + this.streamKey },
      }).catch(() => {});
    }
    if (this.stream) { this.stream.getTracks().forEach((t) => t.stop()); }
    if (this.meter) { this.meter.close(); }
  }
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
