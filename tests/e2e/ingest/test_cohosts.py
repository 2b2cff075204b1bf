"""Co-hosts on the room bus: scoped keys, mixing, levels, mute, revoke and host-key rotation."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.support import LiveServer, wait_for
from tests.support.ingest import (
    call,
    create_room,
    end_show,
    levels,
    publishing,
    replay_pcm,
    tone_strength,
    windows,
)

pytestmark = pytest.mark.e2e

#: host first, then eight co-hosts: distinct tones, none a harmonic of another
TONES = [330, 470, 610, 750, 890, 1030, 1170, 1310, 1450]
PRESENT_DB = 20.0  # a tone counts as present this far above the spectrum's median


def add_cohost(server: LiveServer, room_id: str, name: str, token: str | None = None) -> dict[str, Any]:
    status, body, _ = call(server, "POST", f"/api/rooms/{room_id}/keys", body={"name": name},
                           token=token or server.admin_token)
    assert status == 201, body
    return dict(body)


def present(pcm: bytes, freq: float) -> bool:
    return tone_strength(pcm, freq) > PRESENT_DB


def on_air(server: LiveServer, room_id: str, key_id: str) -> dict[str, Any] | None:
    """The publisher's level entry once it is on air with a signal."""
    for pub in levels(server, room_id)["publishers"]:
        if pub["key_id"] == key_id and pub["rms_dbfs"] > -40:
            return dict(pub)
    return None


def test_host_and_eight_cohosts_are_mixed_into_one_program(ingest_server: LiveServer,
                                                          tmp_path: Path) -> None:
    room = create_room(ingest_server, "Panel")
    cohosts = [add_cohost(ingest_server, room["id"], f"Guest {i}", token=room["stream_key"])
               for i in range(8)]
    status, listed, _ = call(ingest_server, "GET", f"/api/rooms/{room['id']}/keys",
                             token=room["stream_key"])
    assert status == 200 and [k["role"] for k in listed["keys"]] == ["host"] + ["cohost"] * 8
    assert all("stream_key" not in k and "key_hash" not in k for k in listed["keys"])
    keys = [room["stream_key"]] + [c["stream_key"] for c in cohosts]
    key_ids = ["host"] + [c["key_id"] for c in cohosts]
    with ExitStack() as stack:
        procs = [stack.enter_context(publishing(ingest_server, key, room["id"], freq=freq, seconds=4))
                 for key, freq in zip(keys, TONES, strict=True)]
        seen = wait_for(lambda: (lambda pubs: pubs if len(pubs) == 9 else None)(
            [p for p in levels(ingest_server, room["id"])["publishers"] if p["rms_dbfs"] > -40]),
            20, what="nine publishers with signal")
        now = levels(ingest_server, room["id"])
        assert sorted(p["key_id"] for p in seen) == sorted(key_ids)
        assert now["program"]["rms_dbfs"] > -30 and now["program"]["peak_dbfs"] <= 0
        for proc in procs:
            assert proc.wait(30) == 0
    ended = end_show(ingest_server, room["id"])
    pcm = replay_pcm(ingest_server, room["id"], ended["show_id"], tmp_path)
    assert any(all(present(w, f) for f in TONES) for w in windows(pcm)), \
        "no second of the program carries all nine voices at once"


def test_mute_takes_a_cohost_out_of_the_program_and_unmute_is_remembered(
    ingest_server: LiveServer, tmp_path: Path
) -> None:
    room = create_room(ingest_server, "Mute room")
    guest = add_cohost(ingest_server, room["id"], "Loud guest")
    with publishing(ingest_server, room["stream_key"], room["id"], freq=500, seconds=60) as host, \
            publishing(ingest_server, guest["stream_key"], room["id"], freq=1300, seconds=60) as g:
        wait_for(lambda: on_air(ingest_server, room["id"], guest["key_id"]), 20, what="guest on air")
        wait_for(lambda: on_air(ingest_server, room["id"], "host"), 20, what="host on air")
        status, body, _ = call(ingest_server, "POST",
                               f"/api/rooms/{room['id']}/keys/{guest['key_id']}/mute",
                               body={"muted": True}, token=room["stream_key"])
        assert status == 200 and body["muted"] is True and body["live"] is True
        muted = wait_for(lambda: on_air(ingest_server, room["id"], guest["key_id"]), 5,
                         what="the muted guest still metered")
        assert muted["muted"] is True  # the host still sees the guest talking
        time.sleep(2.5)  # the show goes on a while after the mute
        assert host.poll() is None and g.poll() is None
    ended = end_show(ingest_server, room["id"])
    pcm = replay_pcm(ingest_server, room["id"], ended["show_id"], tmp_path)
    with_host = [present(w, 1300) for w in windows(pcm) if present(w, 500)]
    assert True in with_host, "both voices before the mute"
    first_both = with_host.index(True)
    assert False in with_host[first_both:], "after the mute the host is heard without the guest"
    assert with_host[-1] is False, "the muted guest stays out of the program to the end"
    status, listed, _ = call(ingest_server, "GET", f"/api/rooms/{room['id']}/keys",
                             token=ingest_server.admin_token)
    assert {k["key_id"]: k["muted"] for k in listed["keys"]}[guest["key_id"]] is True


def test_revoking_a_live_cohost_disconnects_it_and_its_key_stops_working(
    ingest_server: LiveServer,
) -> None:
    room = create_room(ingest_server, "Revoke room")
    guest = add_cohost(ingest_server, room["id"], "Guest")
    with publishing(ingest_server, guest["stream_key"], room["id"], freq=700, seconds=60) as proc:
        wait_for(lambda: on_air(ingest_server, room["id"], guest["key_id"]), 20, what="guest on air")
        status, body, _ = call(ingest_server, "DELETE", f"/api/rooms/{room['id']}/keys/{guest['key_id']}",
                               token=room["stream_key"])
        assert status == 200 and body["revoked"] is True and body["disconnected"] is True
        assert proc.wait(15) != 0  # the client was cut off, not left streaming into the void
    info = levels(ingest_server, room["id"])
    assert info["on_air"] and not info["publishers"]
    assert {"key_id": guest["key_id"], "reason": "revoked"}.items() <= info["recent_disconnects"][-1].items()
    status, body, _ = call(ingest_server, "PUT", f"/ingest/{room['id']}", token=guest["stream_key"],
                           raw=b"\xff\xfb" * 10, headers={"Content-Type": "audio/mpeg"},
                           source="127.0.0.21")
    assert status == 401 and body["reason"] == "auth"


def test_rotating_the_host_key_ends_the_old_connection_and_only_the_new_key_works(
    ingest_server: LiveServer,
) -> None:
    room = create_room(ingest_server, "Rotate room")
    old = room["stream_key"]
    with publishing(ingest_server, old, room["id"], freq=600, seconds=60) as proc:
        wait_for(lambda: on_air(ingest_server, room["id"], "host"), 20, what="host on air")
        status, body, _ = call(ingest_server, "POST", f"/api/rooms/{room['id']}/rotate-key", token=old)
        assert status == 200 and body["disconnected"] is True and body["stream_key"] != old
        new = body["stream_key"]
        assert proc.wait(15) != 0
    status, _, _ = call(ingest_server, "GET", f"/api/rooms/{room['id']}/keys", token=old,
                        source="127.0.0.22")
    assert status == 401
    with publishing(ingest_server, new, room["id"], freq=600, seconds=30):
        wait_for(lambda: on_air(ingest_server, room["id"], "host"), 20, what="new key on air")


def test_cohost_keys_only_publish_and_strangers_are_refused(ingest_server: LiveServer) -> None:
    room = create_room(ingest_server, "Scope room")
    other = create_room(ingest_server, "Other room")
    guest = add_cohost(ingest_server, room["id"], "Guest")
    base = f"/api/rooms/{room['id']}"
    for method, path in (("GET", "/keys"), ("GET", "/levels"), ("POST", "/rotate-key")):
        status, _, _ = call(ingest_server, method, base + path, token=guest["stream_key"])
        assert status == 403, (method, path)
    status, _, _ = call(ingest_server, "GET", base + "/keys", token=other["stream_key"],
                        source="127.0.0.23")
    assert status == 401  # another room's host key opens nothing here
    status, body, _ = call(ingest_server, "PUT", f"/ingest/{other['id']}", token=guest["stream_key"],
                           raw=b"\xff\xfb" * 10, headers={"Content-Type": "audio/mpeg"},
                           source="127.0.0.23")
    assert status == 401  # a co-host key is scoped to its room
    for bad in ({}, {"name": ""}, {"name": "x" * 81}, {"name": "a\u0000b"}):
        status, _, _ = call(ingest_server, "POST", base + "/keys", body=bad, token=room["stream_key"])
        assert status == 400, bad
