/* Listener page: plays a room's HLS with hls.js (served by us) and keeps "now playing" and
 * the listener count fresh while you listen. Room data is only ever set as text. */
(function () {
  "use strict";

  var POLL_MS = 5000;
  var audio = document.getElementById("audio");
  var nowPlaying = document.getElementById("now-playing");
  var nowSong = document.getElementById("now-song");
  var listenersText = document.getElementById("player-listeners");
  var statusText = document.getElementById("player-status");
  var stopButton = document.getElementById("stop");
  var hls = null;
  var current = null;   // {room, kind, title, host}
  var pollTimer = null;
  var recoveries = 0;
  var songRanges = [];  // songs from the playlist's EXT-X-DATERANGE entries, oldest first
  var apiSong = "";     // the song the room API names (what is sent now, ahead of the playhead)
  var TRACK_CLASS = "org.livestage.track";

  function listenersLabel(n) {
    return n === 1 ? "1 listening" : n + " listening";
  }

  function describe(room) {
    var text = (room.kind === "live" ? "Live: " : "Replay: ") + room.title;
    if (room.host) { text += " with " + room.host; }
    return text;
  }

  function songLabel(song) {
    if (!song || !song.title) { return ""; }
    return "Now playing: " + song.title + (song.artist ? " by " + song.artist : "");
  }

  function rangesOf(details) {
    var ranges = details && details.dateRanges;
    if (!ranges) { return []; }
    return Object.keys(ranges).map(function (id) { return ranges[id]; })
      .filter(function (range) { return range.class === TRACK_CLASS && range.startDate; })
      .map(function (range) {
        return { start: range.startDate.getTime(), title: range.attr["X-TITLE"] || "",
                 artist: range.attr["X-ARTIST"] || "" };
      })
      .sort(function (a, b) { return a.start - b.start; });
  }

  // The song at the playhead (the playlist's date ranges against the program date time being
  // played), else the one the room API names.
  function showSong() {
    var text = apiSong, source = "api";
    var at = hls && hls.playingDate ? hls.playingDate.getTime() : null;
    if (at !== null && songRanges.length) {
      var playing = null;
      for (var i = 0; i < songRanges.length; i++) {
        if (songRanges[i].start <= at) { playing = songRanges[i]; }
      }
      if (playing) { text = songLabel(playing); source = "playlist"; }
    }
    if (nowSong.textContent !== text) { nowSong.textContent = text; }
    nowSong.dataset.source = text ? source : "";
  }

  function stop() {
    if (hls) { hls.destroy(); hls = null; }
    audio.pause();
    audio.removeAttribute("src");
    audio.load();
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    current = null;
    stopButton.disabled = true;
    nowPlaying.textContent = "Stopped. Choose a room to listen.";
    songRanges = [];
    apiSong = "";
    showSong();
    listenersText.textContent = "";
    statusText.textContent = "";
  }

  function poll() {
    if (!current || current.kind !== "live") { return; }
    var room = current.room;
    fetch("/api/rooms/" + encodeURIComponent(room), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (info) {
        if (!info || !current || current.room !== room) { return; }
        current.title = info.title || current.title;
        current.host = info.host || "";
        var text = describe(current);
        if (!info.live) { text = "The show has ended: " + current.title; }
        if (nowPlaying.textContent !== text) { nowPlaying.textContent = text; }
        apiSong = info.live ? songLabel(info.now_playing) : "";
        showSong();
        if (typeof info.listeners === "number") {
          var label = listenersLabel(info.listeners);
          if (listenersText.textContent !== label) { listenersText.textContent = label; }
          var cards = document.querySelectorAll(".listeners[data-room]");
          for (var i = 0; i < cards.length; i++) {
            if (cards[i].dataset.room === room) { cards[i].textContent = label; }
          }
        }
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function play(button) {
    var src = button.dataset.src;
    stop();
    current = { room: button.dataset.room, kind: button.dataset.kind,
                title: button.dataset.title, host: button.dataset.host };
    nowPlaying.textContent = describe(current);
    statusText.textContent = "Connecting…";
    stopButton.disabled = false;
    recoveries = 0;
    if (window.Hls && window.Hls.isSupported()) {
      // date ranges are read from the playlist here, not as cues on a <track> (whose data: URL
      // the page's Content-Security-Policy does not allow)
      hls = new window.Hls({ enableWorker: false, liveSyncDurationCount: 3,
                             enableDateRangeMetadataCues: false });
      hls.on(window.Hls.Events.LEVEL_UPDATED, function (_event, data) {
        songRanges = rangesOf(data.details);
        showSong();
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        audio.play().catch(function () { statusText.textContent = "Press play to start."; });
      });
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (!data.fatal) { return; }
        if (recoveries >= 5) {
          statusText.textContent = "The stream stopped (" + data.details + "). Try again later.";
          hls.destroy(); hls = null;
          return;
        }
        recoveries += 1;
        statusText.textContent = "Reconnecting…";
        if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) { hls.recoverMediaError(); }
        else { setTimeout(function () { if (hls) { hls.startLoad(); } }, 2000); }
      });
      hls.loadSource(src);
      hls.attachMedia(audio);
    } else if (audio.canPlayType("application/vnd.apple.mpegurl")) {
      audio.src = src;   // Safari plays HLS natively
      audio.play().catch(function () { statusText.textContent = "Press play to start."; });
    } else {
      statusText.textContent = (window.Hls ? "This browser cannot play HLS." :
        "The player (hls.js) is not installed on this server: run scripts/bootstrap.") +
        " Open the stream in VLC or ffplay: " + src;
      return;
    }
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }

  audio.addEventListener("playing", function () { statusText.textContent = ""; });
  audio.addEventListener("timeupdate", showSong);
  audio.addEventListener("waiting", function () { statusText.textContent = "Buffering…"; });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.listen") : null;
    if (button) { play(button); }
  });
  stopButton.addEventListener("click", stop);

  // Scheduled and aired times in the reader's own time zone.
  var times = document.querySelectorAll("time.local");
  for (var i = 0; i < times.length; i++) {
    var when = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(when.getTime())) {
      times[i].textContent = when.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    }
  }
})();
