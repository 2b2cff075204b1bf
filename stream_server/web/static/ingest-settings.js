/* Ingest settings for the performer's own software, built from the room's ingest URL. */

export function ingestSettings(ingestUrl, key) {
  const url = new URL(ingestUrl, window.location.href);
  const host = url.hostname;
  const secure = url.protocol === "https:";
  const port = url.port || (secure ? "443" : "80");
  const mount = url.pathname;
  const icecast = "icecast://source:" + key + "@" + host + ":" + port + mount;
  return [
    { name: "ffmpeg", text:
      "ffmpeg -re -i song.mp3 -c:a libmp3lame -b:a 128k -content_type audio/mpeg -f mp3" +
      (secure ? " -tls 1" : "") + " \\\n  " + icecast },
    { name: "BUTT (Settings → Main → Server → Add)", text:
      "Type:        Icecast\nAddress:     " + host + "\nPort:        " + port +
      "\nPassword:    " + key + "\nIcecast mountpoint: " + mount + "\nIcecast user: source" +
      (secure ? "\nTLS:         on" : "") + "\nAudio → Codec: MP3 or AAC or Opus, 128 kbit/s" },
    { name: "Mixxx (Preferences → Live Broadcasting)", text:
      "Type:     Icecast 2\nHost:     " + host + "\nPort:     " + port + "\nMount:    " + mount +
      "\nLogin:    source\nPassword: " + key + "\nEncoding: MP3 or Ogg Vorbis, 128 kbps" },
    { name: "OBS (Settings → Output → Advanced → Recording → Custom Output (FFmpeg))", text:
      "FFmpeg Output Type: Output to URL\nFile path or URL:   " + icecast +
      "\nContainer Format:   mp3\nMuxer Settings:     content_type=audio/mpeg" +
      "\nAudio Encoder:      libmp3lame, 128 kbps\nThen press Start Recording to go live." },
  ];
}
