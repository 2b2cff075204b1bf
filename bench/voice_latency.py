"""Skill latency with 10,000 rooms: in process and over HTTP (``POST /alexa``).

In process: JoinRoomIntent envelopes (a mix of titles, genres, hosts, slips and names of
no room) go through what the Lambda entry does — deserialize, ``skill.invoke``,
serialize — over an in-memory directory of 10,000 rooms. The matcher's room index is
built once and reused while the rooms do not change (a request batch). Peer: the same
requests with the index rebuilt for every request (what matching costs unindexed).

Over HTTP: the same requests to ``POST /alexa`` of the Flask app, served on 127.0.0.1 by
werkzeug's threaded server in this process, signatures off; peer: ``GET /healthz`` on the
same server (the HTTP floor).

Every fifth value names no room: the answer then lists the live rooms (all 10,000 rooms
are live here, a worst case), checks them for rooms newer than the index and offers the
newest as dynamic entities. p50, p95 and p99 are reported for the requests that name a
room and for those that name none, separately.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from werkzeug.serving import make_server

from bench.percentile import nearest_rank
from bench.results import BenchOptions, Result
from room_directory import InMemoryRoomDirectory, Room, RoomStatus
from skill import SkillConfig, build_skill
from skill.core.matching import match_room

ROOMS = 10_000
#: Requests in process: a fifth name no room, so the p99 of those is over 200 samples.
REQUESTS = 1000
PEER_REQUESTS = 8
HTTP_REQUESTS = 300

_ADJECTIVES = ("late", "early", "sunday", "golden", "velvet", "electric", "quiet", "wild", "blue",
               "northern", "urban", "midnight", "sunny", "deep", "open", "little", "grand", "brave")
_NOUNS = ("jazz", "talk", "rock", "sessions", "lounge", "hour", "club", "radio", "garden", "stage",
          "kitchen", "desk", "lab", "bunker", "yard", "bar", "circle", "corner", "den", "loft")
_GENRES = ("jazz", "talk", "rock", "pop", "classical", "comedy", "news", "sports", "hip hop",
           "folk", "blues", "soul", "electronic", "country", "metal", "reggae", "latin", "gospel")
_FIRST = ("mia", "sam", "dana", "kim", "marcus", "ines", "rob", "priya", "nina", "tom", "alan",
          "sofia", "oscar", "tasha", "kenji", "fatima", "bill", "carla", "eddie", "amara")
_NO_SUCH_ROOM = ("polka", "knitting circle", "astronomy", "wine tasting", "bird watching",
                 "chess club", "salsa dance class", "quantum physics", "the weather", "poetry slam")
_LAST = ("santos", "okafor", "lee", "barrett", "cole", "duarte", "kane", "nair", "kraft", "hollis",
         "chu", "marquez", "bell", "brooks", "mori", "khan", "green", "reyes", "mae", "obi")


def directory_of(count: int, seed: int = 7) -> InMemoryRoomDirectory:
    """``count`` live rooms with made-up titles, hosts and genres (deterministic)."""
    rng = random.Random(seed)
    directory = InMemoryRoomDirectory()
    for n in range(count):
        title = f"{rng.choice(_ADJECTIVES).title()} {rng.choice(_NOUNS).title()} {n}"
        host = f"{rng.choice(_FIRST).title()} {rng.choice(_LAST).title()}"
        directory.create(Room(f"room-{n}", title, "x", host=host, genre=rng.choice(_GENRES),
                              status=RoomStatus.LIVE, live_since=1.0))
    return directory


def spoken_values(directory: InMemoryRoomDirectory, count: int, seed: int = 11) -> list[str]:
    """What listeners say: exact titles, titles with slips, hosts, genres, nothing that exists."""
    rng = random.Random(seed)
    rooms = directory.list_rooms()
    values = []
    for n in range(count):
        room = rng.choice(rooms)
        kind = n % 5
        if kind == 0:
            values.append(room.title.lower())
        elif kind == 1:
            values.append(room.title.lower().replace("o", "", 1))
        elif kind == 2:
            values.append(f"{room.host.split()[0]}'s show")
        elif kind == 3:
            values.append(room.genre)
        else:
            values.append(rng.choice(_NO_SUCH_ROOM))
    return values


def envelope(spoken: str) -> dict[str, Any]:
    """A JoinRoomIntent request envelope as Alexa sends it."""
    application = {"applicationId": "amzn1.ask.skill.bench"}
    user = {"userId": "amzn1.ask.account.BENCH"}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.bench",
                    "application": application, "attributes": {}, "user": user},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "d", "supportedInterfaces": {"AudioPlayer": {}}},
                               "apiEndpoint": "https://api.amazonalexa.com", "apiAccessToken": "t"},
                    "AudioPlayer": {"playerActivity": "IDLE"}},
        "request": {"type": "IntentRequest", "requestId": "amzn1.echo-api.request.bench",
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "locale": "en-US",
                    "intent": {"name": "JoinRoomIntent", "confirmationStatus": "NONE",
                               "slots": {"room": {"name": "room", "value": spoken}}}},
    }


def in_process(directory: InMemoryRoomDirectory, values: list[str]) -> list[float]:
    """Milliseconds per request through deserialize → invoke → serialize."""
    skill = build_skill(directory, SkillConfig(public_url="https://live.example.test", url_secret="b"))
    serializer = DefaultSerializer()
    bodies = [json.dumps(envelope(v)) for v in values]
    skill.invoke(request_envelope=serializer.deserialize(bodies[0], RequestEnvelope), context=None)
    timings = []
    for body in bodies:
        started = time.perf_counter()
        request = serializer.deserialize(body, RequestEnvelope)
        serializer.serialize(skill.invoke(request_envelope=request, context=None))
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def unindexed(directory: InMemoryRoomDirectory, values: list[str]) -> list[float]:
    """Milliseconds per match with the rooms listed and indexed again for every request."""
    timings = []
    for spoken in values:
        started = time.perf_counter()
        match_room(spoken, directory.list_rooms())
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def over_http(directory: InMemoryRoomDirectory, values: list[str],
              tmp: str) -> tuple[list[float], list[float]]:
    """Milliseconds per ``POST /alexa`` and per ``GET /healthz`` on one loopback server."""
    from pathlib import Path

    from stream_server.ops.app import create_app
    from stream_server.ops.config import Settings

    app = create_app(Settings(data_dir=Path(tmp), verify_signatures=False,
                              public_url="https://live.example.test", skill_state="memory:"),
                     directory=directory, run_encoders=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        def timed(method: str, path: str, body: bytes | None) -> float:
            started = time.perf_counter()
            connection.request(method, path, body=body,
                               headers={"Content-Type": "application/json"} if body else {})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path} answered {response.status}")
            return (time.perf_counter() - started) * 1000

        bodies = [json.dumps(envelope(v)).encode() for v in values]
        timed("POST", "/alexa", bodies[0])
        alexa = [timed("POST", "/alexa", body) for body in bodies]
        health = [timed("GET", "/healthz", None) for _ in bodies]
    finally:
        connection.close()
        server.shutdown()
        thread.join(timeout=5)
    return alexa, health


def run(options: BenchOptions) -> list[Result]:
    """p50/p95/p99 in process (rooms named, no room named) and over HTTP, each beside its peer."""
    import tempfile

    directory = directory_of(ROOMS)
    values = spoken_values(directory, REQUESTS)
    mine = in_process(directory, values)
    kinds = {"a room named": [t for n, t in enumerate(mine) if n % 5 != 4],
             "no room named": [t for n, t in enumerate(mine) if n % 5 == 4]}
    peer = unindexed(directory, values[:PEER_REQUESTS])
    with tempfile.TemporaryDirectory() as tmp:
        alexa, health = over_http(directory, values[:HTTP_REQUESTS], tmp)
    name = "index rebuilt per request"
    results = [
        Result("voice_latency", f"in process p{q}, {ROOMS:,} rooms, {kind}",
               nearest_rank(timings, q), "ms", nearest_rank(peer, q), name)
        for kind, timings in kinds.items() for q in (50, 95, 99)
    ]
    return [
        *results,
        Result("voice_latency", f"in process p99, {ROOMS:,} rooms, all requests", nearest_rank(mine, 99),
               "ms", nearest_rank(peer, 99), name),
        Result("voice_latency", "POST /alexa p50", nearest_rank(alexa, 50), "ms",
               nearest_rank(health, 50), "GET /healthz"),
        Result("voice_latency", "POST /alexa p99", nearest_rank(alexa, 99), "ms",
               nearest_rank(health, 99), "GET /healthz"),
    ]
