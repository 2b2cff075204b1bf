"""Captions in the listener page: headless Chromium reads the spoken words off the player's text track."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import m3u8
import pytest

from tests.browser.conftest import screenshot, wait_in_page
from tests.browser.rooms import create_room, listed
from tests.support import wait_for
from tests.support.speech import SENTENCES, speaking, speech_pcm

pytestmark = pytest.mark.e2e

#: the content words of the sentences read (pocketsphinx hears some of them in espeak-ng's voice)
CONTENT_WORDS = {"evening", "welcome", "show", "talk", "gardens", "rivers", "weather", "cold", "tomorrow",
                 "morning", "thank", "listening", "radio", "program"}
CUES = ("Array.from(document.getElementById('audio').textTracks).flatMap(t => t.cues ? "
        "Array.from(t.cues).map(c => c.text) : []).join(' ')")


def speech_wav(folder: Path) -> Path:
    """The first four sentences, a second of silence before each, as a WAV a performer sends."""
    pcm, _ = speech_pcm(SENTENCES[:4], folder, sample_rate=48000)
    raw = folder / "talk.raw"
    raw.write_bytes(pcm)
    wav = folder / "talk.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "s16le", "-ar", "48000", "-ac", "2", "-i", str(raw),
                    str(wav)], check=True)
    return wav


def test_the_listener_page_shows_the_words_of_a_captioned_room(make_server: Any, open_page: Any,
                                                                tmp_path: Path) -> None:
    server = make_server("--no-demo")
    room = create_room(server, title="Garden Talk", host="Ada", captions=True)
    plain = create_room(server, title="Music Only", host="Bo")
    assert room["captions"] is True and plain["captions"] is None
    with speaking(server.url, room["stream_key"], room["id"], speech_wav(tmp_path), loops=3):
        wait_for(lambda: listed(server, room["id"]) >= 3, 30, what="three segments")
        master = m3u8.loads(server.get_text(f"/hls/{room['id']}/live.m3u8") or "")
        assert [m.type for m in master.media] == ["SUBTITLES"]
        page, problems = open_page()
        page.goto(server.url + "/")
        toggle = page.locator("#captions-toggle")
        page.locator("#live-rooms button.listen").click()
        wait_in_page(page, "document.getElementById('audio').currentTime > 1", 30, "playback to start")
        # on by default for screen readers: the words land in a polite live region, visually hidden
        wait_in_page(page, "document.getElementById('captions').textContent.trim().length > 0", 60,
                     "a caption in the live region")
        region = page.locator("#captions")
        assert region.get_attribute("aria-live") == "polite"
        assert "visually-hidden" in (region.get_attribute("class") or "")
        assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
        wait_for(lambda: len(CONTENT_WORDS & set(page.evaluate(CUES).split())) >= 2, 60,
                 what="two of the spoken words among the track's cues")
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true" and toggle.inner_text() == "Hide captions"
        assert "visually-hidden" not in (region.get_attribute("class") or "")
        assert region.is_visible()
        screenshot(page, "listener-captions.png")
        page.reload()  # the choice is remembered
        assert page.locator("#captions-toggle").get_attribute("aria-pressed") == "true"
        # the host's console reads the last lines from the levels call
        status, levels = server.request("GET", f"/api/rooms/{room['id']}/levels", admin=True)
        assert status == 200 and 1 <= len(levels["captions"]) <= 3
        assert all(isinstance(line, str) and line for line in levels["captions"])
        status, quiet = server.request("GET", f"/api/rooms/{plain['id']}/levels", admin=True)
        assert status == 200 and quiet["captions"] is None
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
