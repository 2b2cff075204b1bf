"""Live Stage's stream server: performers' audio in, live HLS out, and the skill hosted beside it.

The audio runs strictly forward, one package per step::

    performer (ffmpeg, BUTT, Mixxx, liquidsoap, browser)
       │ PUT/SOURCE /ingest/<room>, browser chunks
       ▼
    ingest/     who may publish, one decoder per connection ──► PCM
       ▼
    pipeline/   the room's bus (mix, room tone, levels) ► loudness ► one AAC encoder per show
       ▼
    hls/        segment names, playlists as values, the packager, the show's segment log,
                a show's podcast episode
       ▼
    stores/     where published files go: local folder, memory, S3, retrying wrapper
       ▼
    serving/    GET /hls/…: the rules, the Flask view, the embedded fast path, listener counts

Beside the flow: ``auth`` decides who is calling (admin token, room keys, throttle);
``stage/`` is the real-time stage: WHIP in, WebRTC mix-minus out, its mix one more bus input;
``api/`` is the room API and its OpenAPI document; ``web/`` the listener page, the
console and the podcast feeds; ``alexa_host/`` the skill's web-service endpoint with
Amazon's request checks, and the live notices to followers; ``ops/`` the settings, the
app factory, the process runner, health, metrics and demo rooms.
Calls and imports run forward along the flow (ingest may import pipeline, never serving),
and no step imports a surface; besides the steps after it, a step may import ``auth`` and
``ops``'s leaves (``config``, ``metrics``, ``services``). ``tests/unit/stream_server/test_layout.py``
holds the tree to this.
"""
