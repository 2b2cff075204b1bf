"""Reading WHIP offers: Opus audio that sends joins; anything else is refused with a reason."""

from __future__ import annotations

import re

import pytest
from aiortc import RTCPeerConnection

from stream_server.stage.offer import OfferRefused, read_offer
from tests.support.stage import run_async


def aiortc_offer(*kinds: tuple[str, str]) -> str:
    async def make() -> str:
        pc = RTCPeerConnection()
        for kind, direction in kinds:
            pc.addTransceiver(kind, direction=direction)
        await pc.setLocalDescription(await pc.createOffer())
        sdp = str(pc.localDescription.sdp)
        await pc.close()
        return sdp

    return run_async(make())


@pytest.fixture(scope="module")
def sendrecv() -> str:
    return aiortc_offer(("audio", "sendrecv"))


def test_sendrecv_listens_sendonly_does_not() -> None:
    talk = read_offer(aiortc_offer(("audio", "sendrecv")))
    assert talk.receives and not talk.has_video and talk.ice_ufrag
    assert not read_offer(aiortc_offer(("audio", "sendonly"))).receives


def test_an_encoder_with_video_joins_for_its_audio() -> None:
    shape = read_offer(aiortc_offer(("video", "sendonly"), ("audio", "sendonly")))
    assert shape.has_video and not shape.receives


@pytest.mark.parametrize(("mangle", "why"), [
    (lambda s: "", "SDP offer"),
    (lambda s: "hello", "v=0"),
    (lambda s: s.replace("a=sendrecv", "a=recvonly"), "recvonly"),
    (lambda s: s.replace("a=sendrecv", "a=inactive"), "inactive"),
    (lambda s: re.sub(r"m=audio (\d+)", "m=audio 0", s), "no audio"),
    (lambda s: re.sub(r"a=rtpmap:\d+ opus/48000/2\r\n", "", s), "Opus"),
    (lambda s: re.sub(r"a=ice-ufrag:.*\r\n", "", s), "ICE"),
    (lambda s: re.sub(r"a=fingerprint:.*\r\n", "", s), "fingerprint"),
    (lambda s: s + "a=x\r\n" * 20000, "64 KiB"),
], ids=["empty", "not-sdp", "recvonly", "inactive", "audio-port-0", "no-opus", "no-ice", "no-dtls", "huge"])
def test_offers_that_cannot_join_say_why(sendrecv: str, mangle: object, why: str) -> None:
    with pytest.raises(OfferRefused, match=why):
        read_offer(mangle(sendrecv))  # type: ignore[operator]
