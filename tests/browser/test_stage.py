"""The stage in headless Chromium: pages with fake microphones talk over WHIP (``/static/stage.js``).

Each Chromium process has its own fake microphone playing its own tone (Chromium takes one
file per process). Each page must hear the others' tones and never its own, and the room's
HLS must carry all of them. Through a relay that drops 5 % of a talker's packets and delays
each by 30 ms ± 30 ms, the longest gap in what the other page hears stays at most 60 ms.
What pages hear is recorded in the page (WebAudio) and analysed here with numpy.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.browser.conftest import launch_with_microphone, wait_in_page
from tests.support import LiveServer, wait_for
from tests.support.ingest import create_room, end_show, replay_pcm, tone_strength
from tests.support.stage import LossyRelay, longest_gap, through_relay, tone_level

pytestmark = pytest.mark.e2e

#: each microphone's tone; ffmpeg's sine is 1/8 of full scale, halved here: amplitude 0.0625
TONES = (440.0, 620.0, 830.0)
#: what a page runs: join, then record what the stage sends (mono, 48 kHz) for the test to read
JOIN = """async ({room, key}) => {
  const { joinStage } = await import("/static/stage.js");
  window.levels = [];
  window.stage = await joinStage({ room, key, voice: false, onLevel: (l) => window.levels.push(l) });
  const ctx = new AudioContext({ sampleRate: 48000 });
  const recorder = ctx.createScriptProcessor(4096, 1, 1);
  window.heard = [];
  recorder.onaudioprocess = (e) => { window.heard.push(new Float32Array(e.inputBuffer.getChannelData(0))); };
  ctx.createMediaStreamSource(window.stage.remote).connect(recorder);
  recorder.connect(ctx.destination);
  window.recording = ctx;
  return window.stage.location;
}"""
HEARD = "(n) => Array.from(window.heard.slice(-n)).flatMap((b) => Array.from(b))"


def tone_wav(path: Path, freq: float) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency={freq}:sample_rate=48000:duration=30", "-af", "volume=0.5",
                    "-ac", "1", "-c:a", "pcm_s16le", str(path)], check=True)
    return path


@pytest.fixture
def mic_pages(playwright: Any, tmp_path: Path) -> Iterator[Any]:
    """Factory of pages, each in its own Chromium whose microphone plays its own tone."""
    browsers: list[Any] = []

    def make(freq: float) -> Any:
        browser = launch_with_microphone(playwright, tone_wav(tmp_path / f"tone-{freq:.0f}.wav", freq))
        browsers.append(browser)
        context = browser.new_context()
        context.set_default_timeout(20000)
        return context.new_page()

    yield make
    for browser in browsers:
        browser.close()


def heard(page: Any, seconds: float) -> np.ndarray:
    blocks = int(seconds * 48000 / 4096)
    return np.asarray(page.evaluate(HEARD, blocks), dtype=np.float32)


def join(page: Any, server: LiveServer, room_id: str, key: str) -> str:
    page.goto(server.url + "/")
    location = page.evaluate(JOIN, {"room": room_id, "key": key})
    wait_in_page(page, "window.stage.pc.connectionState === 'connected'", 15, "the stage connected")
    return str(location)


def cohost_key(server: LiveServer, room_id: str, name: str) -> str:
    status, body = server.request("POST", f"/api/rooms/{room_id}/keys", {"name": name}, admin=True)
    assert status == 201, body
    return str(body["stream_key"])


def test_three_pages_hear_each_other_never_themselves_and_the_hls_has_all(
        make_server: Any, mic_pages: Any, tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Panel")
    keys = [room["stream_key"], cohost_key(server, room["id"], "Bo"), cohost_key(server, room["id"], "Cy")]
    pages = [mic_pages(freq) for freq in TONES]
    for page, key in zip(pages, keys, strict=True):
        join(page, server, room["id"], key)
    wait_for(lambda: all(page.evaluate("window.heard.length") > 60 for page in pages), 30, 0.5,
             "five seconds heard by every page")
    for page, own in zip(pages, TONES, strict=True):
        audio = heard(page, 3.0)
        levels = {freq: tone_level(audio, freq) for freq in TONES}
        others = [levels[f] for f in TONES if f != own]
        assert min(others) > 0.02, f"the page of {own} Hz must hear the others: {levels}"
        assert levels[own] < min(others) / 30, f"the page of {own} Hz must not hear itself: {levels}"
        assert page.evaluate("window.levels.at(-1).local") > -40  # its microphone is metered
    status, stage = server.request("GET", f"/api/rooms/{room['id']}/stage", admin=True)
    assert status == 200 and len(stage["members"]) == 3
    assert all(m["rms_dbfs"] > -40 for m in stage["members"]), stage["members"]
    for page in pages:
        page.evaluate("window.stage.leave()")
    wait_for(lambda: not server.request("GET", f"/api/rooms/{room['id']}/stage", admin=True)[1]["members"],
             10, 0.2, "everyone off stage")
    end_show(server, room["id"])
    show_id = server.request("GET", f"/api/rooms/{room['id']}", admin=True)[1]["show_id"]
    pcm = replay_pcm(server, room["id"], show_id, tmp_path)
    for freq in TONES:
        assert tone_strength(pcm, freq) > 25, f"the room's HLS must carry {freq} Hz"


class RelayThread:
    """A ``LossyRelay`` on an event loop of its own (the browser test is synchronous)."""

    def __init__(self, **impairment: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.relay: LossyRelay = asyncio.run_coroutine_threadsafe(
            LossyRelay(**impairment).start(), self.loop).result(5)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.relay.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def route_through(page: Any, relay: LossyRelay) -> None:
    """Rewrite the page's WHIP exchange so its media crosses the relay (trickled candidates too
    would open a direct path, so they are answered here and not passed on)."""

    def handle(route: Any) -> None:
        request = route.request
        if request.method == "POST":
            offer, relay.client = through_relay(request.post_data, relay.host, relay.server_port)
            response = route.fetch(post_data=offer)
            if response.status != 201:
                route.fulfill(response=response)
                return
            answer, relay.server = through_relay(response.text(), relay.host, relay.client_port)
            route.fulfill(response=response, body=answer)
        elif request.method == "PATCH":
            route.fulfill(status=204)
        else:
            route.continue_()

    page.route("**/whip/**", handle)


def test_five_percent_loss_and_30ms_jitter_leave_no_gap_over_60ms(
        make_server: Any, mic_pages: Any) -> None:
    server = make_server("--no-demo")
    room = create_room(server, "Lossy")
    relay = RelayThread(loss=0.05, delay=0.030, jitter=0.030, seed=20261206)
    try:
        talker, listener = mic_pages(TONES[0]), mic_pages(TONES[1])
        route_through(talker, relay.relay)
        join(talker, server, room["id"], room["stream_key"])
        join(listener, server, room["id"], cohost_key(server, room["id"], "Bo"))
        wait_for(lambda: listener.evaluate("window.heard.length") > 12 * 48000 / 4096, 40, 0.5,
                 "twelve seconds heard")
        audio = heard(listener, 10.0)
        forwarded = relay.relay.forwarded
        _, stage = server.request("GET", f"/api/rooms/{room['id']}/stage", admin=True)
        _, metrics = server.request("GET", "/metrics")
        late = [line for line in metrics.decode().splitlines() if line.startswith("livestage_stage_ticks")]
        network = ("buffer_ms", "packets", "recovered", "concealed", "late")
        on_stage = next(m for m in stage["members"] if m["key_id"] == "host")  # the talker's key
        talker_stats = {k: v for k, v in on_stage.items() if k in network}
        print("talker on stage:", talker_stats, late, "relay forwarded", forwarded)
        # every packet the server took from the talker crossed the relay (no direct path)
        assert talker_stats["packets"] <= relay.relay.forwarded
        assert relay.relay.dropped > 0.03 * (relay.relay.dropped + relay.relay.forwarded)
        assert tone_level(audio, TONES[0]) > 0.02
        gap = longest_gap(audio, TONES[0])
        print(f"loss {relay.relay.dropped}/{relay.relay.dropped + relay.relay.forwarded} packets, "
              f"longest gap heard {gap * 1000:.0f} ms")
        assert gap <= 0.060, f"the longest gap in what the listener heard was {gap * 1000:.0f} ms"
    finally:
        relay.stop()
