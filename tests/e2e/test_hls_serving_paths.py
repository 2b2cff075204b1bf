"""Every HLS serving path behaves the same: the embedded fast path, the Flask route, and nginx.

One stack per module: ``livestage serve`` (fast path on, following nginx's access log),
a real nginx from ``livestage nginx-config`` in front of it, and the Flask route served
over real HTTP from the same data dir (``LIVESTAGE_HLS_FAST_PATH=0`` behaviour).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import m3u8
import pytest
from werkzeug.serving import make_server

from room_directory import Room, hash_stream_key, open_directory
from room_directory.access import listener_path, new_listener_token, room_path_prefix, room_signature
from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from stream_server.ops.server import RequestHandler
from stream_server.serving.cloudfront_log import listeners_by_minute, read_log
from stream_server.serving.listeners import ListenerTracker
from stream_server.serving.nginx_log import NginxLogTailer
from stream_server.serving.rules import parse_hls_path
from tests.support import LiveServer, ffprobe_streams, free_port, performing, wait_for
from tests.support.audio import dominant_frequency
from tests.support.cloudfront import run_viewer_requests, standard_log
from tests.support.nginx import NginxServer
from tests.support.players import Playback, gstreamer

SECRET = "test-url-secret-for-signed-paths-0123456789"
FRONTS = ("fast", "flask", "nginx")
PLAYLIST = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg-00000001.ts\n"
SEGMENT = bytes(range(256)) * 150  # 38,400 bytes: the size of a 2 s 128 kbps segment
CUES = "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nbonne soirée\n".encode()
TRANSCRIPT = "[00:00] bonne soirée\n".encode()


@dataclass
class Stack:
    """The three fronts over one data dir."""

    server: LiveServer
    nginx: NginxServer
    flask_url: str
    data_dir: Path

    def url(self, front: str) -> str:
        return {"fast": self.server.url, "flask": self.flask_url, "nginx": self.nginx.url}[front]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("serving")
    data_dir = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVESTAGE_")}
    env.update({"LIVESTAGE_ADMIN_TOKEN": "serving-admin-token", "LIVESTAGE_VERIFY_SIGNATURES": "0",
                "LIVESTAGE_URL_SECRET": SECRET, "LIVESTAGE_WINDOW_SEGMENTS": "6",
                "LIVESTAGE_NGINX_ACCESS_LOG": str(root / "nginx" / "hls-access.log"),
                "LIVESTAGE_TRUSTED_PROXIES": "127.0.0.1"})
    server = LiveServer(free_port(), data_dir, "serving-admin-token", env, ["--no-demo"])
    server.start()
    nginx = None
    flask_server = None
    try:
        nginx = NginxServer.start(root / "nginx", data_dir, server.port, env)
        app = create_app(Settings(data_dir=data_dir, window_segments=6, hls_fast_path=False,
                                  url_secret=SECRET), run_encoders=False)
        flask_server = make_server("127.0.0.1", free_port(), app, threaded=True,
                                   request_handler=RequestHandler)
        threading.Thread(target=flask_server.serve_forever, daemon=True).start()
        directory = open_directory(f"sqlite://{(data_dir / 'rooms.db').resolve()}")
        for room_id in ("static-room", "counted-room"):
            directory.create(Room(id=room_id, title=room_id, stream_key_hash=hash_stream_key("k")))
            static = data_dir / "hls" / room_id
            static.mkdir(parents=True, exist_ok=True)
            (static / "live.m3u8").write_bytes(PLAYLIST)
            (static / "seg-00000001.ts").write_bytes(SEGMENT)
            (static / "show-captions-00000001.vtt").write_bytes(CUES)
            (static / "show-transcript.txt").write_bytes(TRANSCRIPT)
            (static / "show-1.m4a").write_bytes(SEGMENT)  # the bytes matter less than the headers
        (data_dir / "hls" / "secret.txt").write_text("not served")
        ghost = data_dir / "hls" / "ghost-room"  # files of a room the directory does not know
        ghost.mkdir(parents=True, exist_ok=True)
        (ghost / "live.m3u8").write_bytes(PLAYLIST)
        yield Stack(server, nginx, f"http://127.0.0.1:{flask_server.server_port}", data_dir)
    finally:
        if flask_server is not None:
            flask_server.shutdown()
            flask_server.server_close()
        if nginx is not None:
            nginx.stop()
        server.stop()


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, Any, bytes]:
    """Status, headers and body of one request (errors included)."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


@pytest.mark.parametrize("front", FRONTS)
def test_playlist_and_segment_headers(stack: Stack, front: str) -> None:
    base = stack.url(front) + "/hls/static-room/"
    status, headers, body = get(base + "live.m3u8")
    assert (status, body) == (200, PLAYLIST)
    assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert headers["Cache-Control"] == "public, max-age=1"  # half the 2 s target
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = get(base + "seg-00000001.ts")
    assert (status, body) == (200, SEGMENT)
    assert headers["Content-Type"] == "video/mp2t"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["Content-Length"] == str(len(SEGMENT))


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize(("name", "body", "kind"), [
    ("show-captions-00000001.vtt", CUES, "text/vtt"), ("show-transcript.txt", TRANSCRIPT, "text/plain"),
], ids=["webvtt", "transcript"])
def test_caption_files_are_served_as_utf8_text_cached_like_segments(stack: Stack, front: str, name: str,
                                                                    body: bytes, kind: str) -> None:
    status, headers, got = get(stack.url(front) + "/hls/static-room/" + name)
    assert (status, got) == (200, body)
    assert headers["Content-Type"].replace(" ", "").lower() == f"{kind};charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("front", FRONTS)
def test_a_podcast_episode_is_served_as_audio_mp4(stack: Stack, front: str) -> None:
    status, headers, body = get(stack.url(front) + "/hls/static-room/show-1.m4a")
    assert (status, body) == (200, SEGMENT)
    assert headers["Content-Type"] == "audio/mp4"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("front", FRONTS)
def test_conditional_get_and_ranges(stack: Stack, front: str) -> None:
    url = stack.url(front) + "/hls/static-room/seg-00000001.ts"
    status, headers, _ = get(url)
    assert status == 200
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    older = email.utils.formatdate(time.time() - 86400 * 400, usegmt=True)
    assert get(url, {"If-Modified-Since": older})[0] == 200
    assert get(url, {"If-None-Match": '"other"'})[0] == 200
    status, headers, body = get(url, {"Range": "bytes=10-19"})
    assert (status, body) == (206, SEGMENT[10:20])
    assert headers["Content-Range"] == f"bytes 10-19/{len(SEGMENT)}"
    assert get(url, {"Range": f"bytes={len(SEGMENT) + 5}-"})[0] == 416
    status, headers, body = get(url, method="HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", str(len(SEGMENT)))


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize(
    "path",
    ["/hls/static-room/missing.ts", "/hls/static-room/..%2F..%2Fsecret.txt", "/hls/static-room/../secret.txt",
     "/hls/static-room/segments.jsonl", "/hls/STATIC/live.m3u8", "/hls/static-room/.tmp-x.m3u8",
     "/hls/static-room/.private"],
    ids=["missing", "encoded-dotdot", "dotdot", "not-hls", "bad-room", "hidden", "marker"],
)
def test_anything_else_is_404(stack: Stack, front: str, path: str) -> None:
    assert get(stack.url(front) + path)[0] == 404


@pytest.mark.parametrize("front", ["fast", "flask"])  # nginx cannot ask the directory (deploy/nginx)
def test_a_room_the_directory_does_not_know_is_404(stack: Stack, front: str) -> None:
    assert get(stack.url(front) + "/hls/ghost-room/live.m3u8")[0] == 404


@pytest.mark.parametrize("front", FRONTS)
def test_a_malformed_signed_prefix_is_403(stack: Stack, front: str) -> None:
    assert get(stack.url(front) + "/hls/static-room/s/1/short/live.m3u8")[0] == 403


MASTER = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=140000,CODECS=\"mp4a.40.2\"\n"
          "show-abc-128k.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=70000,CODECS=\"mp4a.40.2\"\nshow-abc-64k.m3u8\n")


@pytest.mark.parametrize("front", FRONTS)
def test_a_master_playlist_fetched_with_a_token_hands_it_to_its_variants(stack: Stack, front: str) -> None:
    room = stack.data_dir / "hls" / "static-room"
    (room / "show-abc.m3u8").write_text(MASTER)
    for rendition in ("128k", "64k"):
        (room / f"show-abc-{rendition}.m3u8").write_bytes(PLAYLIST)
    base = f"{stack.url(front)}/hls/static-room/"
    token = new_listener_token(SECRET)
    status, headers, body = get(f"{base}show-abc.m3u8?lt={token}")
    assert status == 200 and headers["Content-Type"] == "application/vnd.apple.mpegurl"
    variants = [p.uri for p in m3u8.loads(body.decode()).playlists]
    assert variants == [f"show-abc-128k.m3u8?lt={token}", f"show-abc-64k.m3u8?lt={token}"]
    for uri in variants:
        assert get(base + uri)[:3:2] == (200, PLAYLIST)
    for query in ("", "?lt=made.up-token"):
        assert get(f"{base}show-abc.m3u8{query}")[2] == MASTER.encode()


@pytest.fixture(scope="module")
def private_room(stack: Stack) -> str:
    """A room made through nginx's API proxy, turned private in the directory, with files."""
    status, body = stack.server.request("POST", "/api/rooms", {"title": "Members only"}, admin=True)
    assert status == 201, body
    room_id = str(body["id"])
    directory = open_directory(f"sqlite://{(stack.data_dir / 'rooms.db').resolve()}")
    room = directory.get(room_id)
    assert room is not None
    directory.update(replace(room, private=True))
    marker = stack.data_dir / "hls" / room_id / ".private"
    wait_for(marker.exists, 10, what="the server to write the private-room marker")
    (marker.parent / "live.m3u8").write_bytes(PLAYLIST)
    (marker.parent / "seg-00000001.ts").write_bytes(SEGMENT)
    return room_id


@pytest.mark.parametrize("front", ["fast", "nginx"])
def test_private_room_needs_a_valid_unexpired_signature(stack: Stack, private_room: str, front: str) -> None:
    base = stack.url(front)
    now = time.time()
    signed = room_path_prefix(private_room, private=True, secret=SECRET, now=now, ttl=60)
    for name, body in (("live.m3u8", PLAYLIST), ("seg-00000001.ts", SEGMENT)):
        assert get(f"{base}/hls/{private_room}/{name}")[0] == 403, "unsigned"
        assert get(f"{base}{signed}/{name}")[:3:2] == (200, body), "signed"
    expired_at = int(now) - 5
    expired = f"/hls/{private_room}/s/{expired_at}/{room_signature(private_room, expired_at, SECRET)}"
    assert get(f"{base}{expired}/live.m3u8")[0] == 403, "expired"
    forged = f"/hls/{private_room}/s/{int(now) + 60}/{room_signature(private_room, int(now) + 60, 'x' * 20)}"
    assert get(f"{base}{forged}/live.m3u8")[0] == 403, "forged"
    other_room = f"/hls/static-room/s/{int(now) + 60}/{room_signature(private_room, int(now) + 60, SECRET)}"
    assert get(f"{base}{other_room}/live.m3u8")[0] == 403, "another room's signature"


def test_listeners_counted_from_nginx_access_log_across_rotation(stack: Stack) -> None:
    counted: list[tuple[str, str, float]] = []
    log_path = stack.nginx.access_log
    tailer = NginxLogTailer(str(log_path), SECRET, lambda *hit: counted.append(hit), interval=0.1)
    tailer.start()  # nginx may still flush lines of earlier tests: only these tokens are looked at

    def tokens() -> set[str]:
        return {token for room, token, _ in list(counted) if room == "counted-room"}

    try:
        base = stack.nginx.url + "/hls/counted-room/"
        first, second, segment_only, missing = (new_listener_token(SECRET) for _ in range(4))
        for token in (first, second, first):
            assert get(f"{base}live.m3u8?lt={token}")[0] == 200
        assert get(f"{base}live.m3u8?lt=made.up-token")[0] == 200  # served, never counted
        assert get(f"{base}seg-00000001.ts?lt={segment_only}")[0] == 200  # segments are not listens
        assert get(f"{base}nothing.m3u8?lt={missing}")[0] == 404
        wait_for(lambda: {first, second} <= tokens(), 10, what="two listeners counted")
        log_path.rename(log_path.with_suffix(".log.1"))  # logrotate, then nginx reopens its logs
        assert stack.nginx.proc is not None
        stack.nginx.proc.send_signal(signal.SIGUSR1)
        wait_for(log_path.exists, 10, what="nginx to reopen its access log")
        third = new_listener_token(SECRET)
        assert get(f"{base}live.m3u8?lt={third}")[0] == 200
        wait_for(lambda: third in tokens(), 10, what="a listener after rotation")
    finally:
        tailer.stop()
    assert tokens() == {first, second, third}
    tracker = ListenerTracker(window=60)
    for hit in counted:
        tracker.seen(*hit)
    assert tracker.count("counted-room") == 3


def _fetch(url: str) -> tuple[int, bytes]:
    status, _, body = get(url)
    return status, body


def _watch(base: str, room_id: str, until: float, errors: list[str], rounds: list[int],
           seen: set[str]) -> None:
    """Fetch the playlists and every segment they name until ``until``; record any failure.

    A segment that left the live window must still download for its own duration plus
    the playlist's (DESIGN.md §4).
    """
    left: dict[str, float] = {}  # segment URL -> deadline until which it must be served
    listed: dict[str, float] = {}  # segment URL -> its retention allowance
    while time.monotonic() < until:
        status, body = _fetch(f"{base}/hls/{room_id}/live.m3u8")
        if status != 200:
            errors.append(f"{base} live.m3u8 {status}")
            continue
        entry = m3u8.loads(body.decode())
        media_names = [p.uri for p in entry.playlists] if entry.is_variant else ["live.m3u8"]
        now_listed: set[str] = set()
        for name in media_names:
            status, body = _fetch(f"{base}/hls/{room_id}/{name}") if entry.is_variant else (200, body)
            if status != 200:
                errors.append(f"{base} {name} {status}")
                continue
            media = m3u8.loads(body.decode())
            total = sum(s.duration for s in media.segments)
            for segment in media.segments:
                url = f"{base}/hls/{room_id}/{segment.uri}"
                now_listed.add(url)
                listed[url] = segment.duration + total
                status, data = _fetch(url)
                if status != 200 or not data:
                    errors.append(f"{url} listed but {status}")
                seen.add(segment.uri)
        now = time.monotonic()
        for url, allowance in listed.items():
            if url not in now_listed and url not in left:
                left[url] = now + allowance
        for url, deadline in list(left.items()):
            if now < deadline - 0.5:
                status, _ = _fetch(url)
                if status != 200:
                    errors.append(f"{url} left the window and answered {status} within retention")
        rounds.append(1)
        time.sleep(0.1)


def test_live_show_through_nginx_every_listed_segment_downloads_on_every_path(
        stack: Stack, tmp_path: Path) -> None:
    assert get(stack.nginx.url + "/healthz")[0] == 200
    request = urllib.request.Request(
        stack.nginx.url + "/api/rooms", method="POST", data=b'{"title": "Through nginx"}',
        headers={"Authorization": "Bearer serving-admin-token", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.status == 201
        room = json.loads(resp.read())
    with performing(stack.nginx.url, room["stream_key"], room["id"], seconds=40) as performer:
        wait_for(lambda: get(f"{stack.nginx.url}/hls/{room['id']}/live.m3u8")[0] == 200, 20,
                 what="the show's first playlist through nginx")
        until = time.monotonic() + 20
        errors: list[str] = []
        rounds: dict[str, list[int]] = {front: [] for front in FRONTS}
        seen: dict[str, set[str]] = {front: set() for front in FRONTS}
        watchers = [threading.Thread(target=_watch, args=(stack.url(front), room["id"], until, errors,
                                                          rounds[front], seen[front]))
                    for front in FRONTS for _ in range(2)]
        for watcher in watchers:
            watcher.start()
        for watcher in watchers:
            watcher.join(60)
        assert performer.poll() is None, "the performer through nginx kept streaming"
    assert errors == []
    for front in FRONTS:
        assert rounds[front], f"{front}: no complete round"
        assert len(seen[front]) >= 6, f"{front}: the window moved on during the test"
    name = sorted(seen["nginx"])[-1]
    status, data = _fetch(f"{stack.nginx.url}/hls/{room['id']}/{name}")
    assert status == 200
    (tmp_path / "segment.ts").write_bytes(data)
    assert [s["codec_name"] for s in ffprobe_streams(tmp_path / "segment.ts")] == ["aac"]


def _raw_exchange(port: int, payload: bytes) -> bytes:
    """Send ``payload`` on one connection and read until the server closes it (bounded)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        for _ in range(1000):
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_fast_path_keeps_connections_alive_and_shares_them_with_the_app(stack: Stack) -> None:
    pipelined = (b"GET /hls/static-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"HEAD /hls/static-room/seg-00000001.ts HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /hls/static-room/live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # werkzeug closes after app answers
    answer = _raw_exchange(stack.server.port, pipelined)
    assert answer.count(b"HTTP/1.1 200 ") == 4
    assert answer.count(PLAYLIST) == 2 and b'"status":"ok"' in answer.replace(b" ", b"")


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [(b"GET /hls/static-room/live.m3u8 HTTP/1.0\r\n\r\n", b"200"),
     (b"GET /hls/static-room/live.m3u8 HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", b"400"),
     (b"GET /hls/static-room/live.m3u8 HTTP/2.0\r\n\r\n", b"400"),
     (b"GET /hls/static-room/live.m3u8 extra HTTP/1.1\r\n\r\n", b"400")],
    ids=["http-1.0-closes", "bad-header", "bad-version", "bad-request-line"],
)
def test_fast_path_answers_once_then_closes(stack: Stack, request_bytes: bytes, status: bytes) -> None:
    answer = _raw_exchange(stack.server.port, request_bytes)  # returns only once the server closes
    assert answer.startswith(b"HTTP/1.1 " + status)


@pytest.mark.parametrize("front", FRONTS)
def test_a_playlist_replaced_atomically_is_served_new_at_once(stack: Stack, front: str) -> None:
    room = stack.data_dir / "hls" / "static-room"
    name = f"replaced-{front}.m3u8"
    for version in (b"#EXTM3U\n# version A\n", b"#EXTM3U\n# version B\n", b"#EXTM3U\n# version C\n"):
        tmp = room / f".tmp-{name}"
        tmp.write_bytes(version)
        os.replace(tmp, room / name)  # what the packager does: same size, new inode
        assert get(f"{stack.url(front)}/hls/static-room/{name}")[2] == version


@pytest.mark.parametrize("method", ["PUT", "SOURCE"])
def test_ingest_through_nginx_refuses_a_wrong_key_with_the_apps_401(stack: Stack, method: str) -> None:
    status, body = stack.server.request("POST", "/api/rooms", {"title": "Wrong keys"}, admin=True)
    assert status == 201, body
    request = urllib.request.Request(
        f"{stack.nginx.url}/ingest/{body['id']}", method=method, data=b"\xff\xfb" * 512,
        headers={"Authorization": "Basic c291cmNlOndyb25nLWtleQ==", "Content-Type": "audio/mpeg"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


HUGE = "9" * 5000  # past int()'s default digit limit (4,300), let alone any file's size


@pytest.mark.parametrize("front", FRONTS)
@pytest.mark.parametrize("header", [f"bytes=0-{HUGE}", f"bytes={HUGE}-", f"bytes={'9' * 30}-{'9' * 31}"],
                         ids=["huge-last", "huge-first", "past-64-bits"])
def test_an_absurd_range_is_416_and_the_connection_stays_useful(stack: Stack, front: str,
                                                                 header: str) -> None:
    url = stack.url(front) + "/hls/static-room/seg-00000001.ts"
    logged = len(stack.server.log())
    status, headers, _ = get(url, {"Range": header})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(SEGMENT)}"
    assert get(url)[0] == 200
    assert "Traceback" not in stack.server.log()[logged:]  # the module's other tests log their own


def keys_via_nginx(stack: Stack, room_id: str, key: str, source: str, method: str = "GET") -> int:
    """Status of one key-checked call through nginx from a chosen loopback address."""
    conn = http.client.HTTPConnection("127.0.0.1", stack.nginx.port, timeout=10,
                                      source_address=(source, 0))
    path = f"/api/rooms/{room_id}/keys" if method == "GET" else f"/ingest/{room_id}"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "audio/mpeg"}
    try:
        conn.request(method, path, body=b"" if method == "PUT" else None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_through_nginx_one_clients_wrong_keys_lock_out_no_other_performer(stack: Stack) -> None:
    status, room = stack.server.request("POST", "/api/rooms", {"title": "Behind nginx"}, admin=True)
    assert status == 201, room
    guesses = [keys_via_nginx(stack, room["id"], f"guess-{i}", "127.0.0.41", "PUT") for i in range(5)]
    assert guesses == [401] * 5
    assert keys_via_nginx(stack, room["id"], "guess-6", "127.0.0.41") == 429
    assert keys_via_nginx(stack, room["id"], room["stream_key"], "127.0.0.42") == 200
    assert keys_via_nginx(stack, room["id"], "typo", "127.0.0.42") == 401
    assert keys_via_nginx(stack, room["id"], room["stream_key"], "127.0.0.41") == 200


@pytest.mark.parametrize("front", FRONTS)
def test_a_large_segment_goes_out_whole_and_in_ranges(stack: Stack, front: str) -> None:
    big = os.urandom(300 * 1024)  # above the fast path's in-memory limit: sent with sendfile
    (stack.data_dir / "hls" / "static-room" / "big-00000001.ts").write_bytes(big)
    url = f"{stack.url(front)}/hls/static-room/big-00000001.ts"
    status, headers, body = get(url)
    assert (status, body, headers["Content-Type"]) == (200, big, "video/mp2t")
    status, _, body = get(url, {"Range": "bytes=200000-299999"})
    assert (status, body) == (206, big[200000:300000])


@pytest.mark.parametrize("front", ["nginx", "fast"])
def test_the_server_counts_listeners_of_either_path(stack: Stack, front: str) -> None:
    status, room = stack.server.request("POST", "/api/rooms", {"title": f"Counted via {front}"}, admin=True)
    assert status == 201, room
    folder = stack.data_dir / "hls" / room["id"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "live.m3u8").write_bytes(PLAYLIST)
    url = f"{stack.url(front)}/hls/{room['id']}/live.m3u8"
    for token in (new_listener_token(SECRET), new_listener_token(SECRET), "made.up-token"):
        assert get(f"{url}?lt={token}")[0] == 200

    def listeners() -> int:
        return int(stack.server.request("GET", f"/api/rooms/{room['id']}")[1]["listeners"])

    wait_for(lambda: listeners() == 2, 8, what="two listeners in the room API")  # within the 10 s window


@pytest.mark.parametrize("front", FRONTS)
def test_a_token_in_the_path_names_the_same_files_and_relative_uris_inherit_it(stack: Stack,
                                                                               front: str) -> None:
    room = stack.data_dir / "hls" / "static-room"
    (room / "show-abc.m3u8").write_text(MASTER)
    for rendition in ("128k", "64k"):
        (room / f"show-abc-{rendition}.m3u8").write_bytes(PLAYLIST)
    base = f"{stack.url(front)}{listener_path('/hls/static-room', new_listener_token(SECRET))}/"
    status, headers, body = get(base + "show-abc.m3u8")
    assert (status, body) == (200, MASTER.encode())  # nothing rewritten: the URIs stay relative
    assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert headers["Cache-Control"] == "public, max-age=1"
    for variant in m3u8.loads(MASTER).playlists:
        status, headers, body = get(urljoin(base, variant.uri))
        assert (status, body) == (200, PLAYLIST)
        assert get(urljoin(base, variant.uri), {"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, body = get(urljoin(base, "seg-00000001.ts"))
    assert (status, body, headers["Content-Type"]) == (200, SEGMENT, "video/mp2t")
    for malformed in ("/hls/static-room/t/not-a-token/live.m3u8",
                      f"/hls/static-room/t/{'A' * 48}.{'B' * 16}/seg-00000001.ts",
                      f"{listener_path('/hls/static-room', new_listener_token(SECRET))}/.private"):
        assert get(stack.url(front) + malformed)[0] == 404, malformed


@pytest.mark.parametrize("front", ["fast", "nginx"])
def test_a_private_rooms_token_path_needs_the_signed_prefix(stack: Stack, private_room: str,
                                                            front: str) -> None:
    token = new_listener_token(SECRET)
    signed = room_path_prefix(private_room, private=True, secret=SECRET, now=time.time(), ttl=60)
    assert get(f"{stack.url(front)}{listener_path(f'/hls/{private_room}', token)}/live.m3u8")[0] == 403
    assert get(f"{stack.url(front)}{listener_path(signed, token)}/live.m3u8")[:3:2] == (200, PLAYLIST)
    assert get(f"{stack.url(front)}{listener_path(signed, token)}/seg-00000001.ts")[:3:2] == (200, SEGMENT)


def _play(url: str, seconds: float, workdir: Path, results: dict[str, Playback], front: str) -> None:
    results[front] = gstreamer(url, seconds, workdir)


def test_real_players_on_token_paths_are_counted_in_every_minute_they_listen(stack: Stack,
                                                                            tmp_path: Path) -> None:
    """GStreamer plays the API's listen URL through the fast path and nginx across a minute's turn.

    Each player fetches its master playlist once and then polls a media playlist: being counted
    in the next minute too means the polls carried the token. The edge is checked on the same
    requests: nginx's log of the player's fetches, as CloudFront would log them, counts the
    listener in both minutes, and the CloudFront function maps every one to a file that exists.
    """
    status, room = stack.server.request("POST", "/api/rooms", {"title": "Counted players"}, admin=True)
    assert status == 201, room
    workdir = tmp_path / "players"
    workdir.mkdir()
    workdir.chmod(0o777)
    with performing(stack.server.url, room["stream_key"], room["id"], seconds=110):
        wait_for(lambda: get(f"{stack.nginx.url}/hls/{room['id']}/live.m3u8")[0] == 200, 30,
                 what="the show's first playlist")
        paths = {front: urlsplit(stack.server.request("GET", f"/api/rooms/{room['id']}", admin=True)[1]
                                 ["listen_url"]).path for front in ("fast", "nginx")}
        targets = {front: parse_hls_path(path) for front, path in paths.items()}
        tokens = {front: target.token for front, target in targets.items() if target is not None}
        assert len(tokens) == 2 and all(tokens.values()), paths  # the API hands out token paths
        began = time.time()
        seconds = max(20.0, 60 - began % 60 + 12)  # on until 12 s into the next minute
        results: dict[str, Playback] = {}
        players = [threading.Thread(target=_play,
                                    args=(stack.url(front) + path, seconds, workdir, results, front))
                   for front, path in paths.items()]
        for player in players:
            player.start()
        for player in players:
            player.join(seconds + 60)
        ended = time.time()
        time.sleep(2)  # nginx flushes its log every second; the server reads it every half second
        _, figures = stack.server.request("GET", f"/api/rooms/{room['id']}/listeners", admin=True)
    for front, playback in results.items():
        pcm = playback.audio.read_bytes()
        assert len(pcm) > 48000 * 2 * 8, f"{front}: under 8 s decoded\n{playback.log[-2000:]}"
        assert abs(dominant_frequency(pcm[-48000 * 2 * 4:]) - 440) < 5, front
    first = int(began // 60) - int(figures["since"] // 60)
    last = int(ended // 60) - int(figures["since"] // 60)
    assert last > first
    assert figures["listeners_per_minute"][first:last + 1] == [2] * (last - first + 1), figures

    logged = [line.split(" ", 3) for line in stack.nginx.access_log.read_text().splitlines()]
    fetches = [(float(at), *uri.partition("?")[::2]) for at, code, method, uri in logged
               if code == "200" and method == "GET" and f"/t/{tokens['nginx']}/" in uri]
    assert any(stem.endswith("-128k.m3u8") or stem.endswith("-64k.m3u8") for _, stem, _ in fetches)
    at_edge = listeners_by_minute(read_log(standard_log(fetches), SECRET))
    assert set(at_edge) == {(room["id"], minute) for minute in range(int(began // 60), int(ended // 60) + 1)}
    rewritten = run_viewer_requests({"url-secret": SECRET}, [{"uri": stem, "now": began}
                                                             for _, stem, _ in fetches[:40]])
    for outcome in rewritten:  # nginx logs playlist fetches only: each is a file still there
        assert outcome["querystring"] == {"lt": {"value": tokens["nginx"]}}
        assert (stack.data_dir / outcome["uri"].removeprefix("/")).is_file(), outcome
