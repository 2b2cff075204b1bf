"""What a WHIP offer asks for, read before any engine sees it: audio, Opus, and its direction."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc.sdp import SessionDescription

#: Largest offer taken (a browser's is 3-6 KB; OBS with video about 10 KB).
MAX_OFFER_BYTES = 64 * 1024


class OfferRefused(ValueError):
    """The offer cannot join the stage; the message says why (HTTP 400)."""


@dataclass(frozen=True)
class OfferShape:
    """The first audio section of an offer: whether the sender also listens (``sendrecv``)."""

    receives: bool
    has_video: bool
    #: the client's ICE username fragment (a trickle PATCH with another one is an ICE restart)
    ice_ufrag: str


def read_offer(sdp: str) -> OfferShape:
    """Check an SDP offer for an Opus audio section that sends; ``OfferRefused`` otherwise."""
    if not sdp.strip() or len(sdp) > MAX_OFFER_BYTES:
        raise OfferRefused("the body must be an SDP offer (at most 64 KiB)")
    if not sdp.lstrip().startswith("v=0"):
        raise OfferRefused("not an SDP offer: it must start with v=0")
    try:
        parsed = SessionDescription.parse(sdp)
    except (ValueError, IndexError, KeyError, StopIteration, AttributeError) as exc:
        raise OfferRefused(f"unreadable SDP offer: {exc}") from exc
    audio = next((m for m in parsed.media if m.kind == "audio" and m.port != 0), None)
    if audio is None:
        raise OfferRefused("the offer has no audio section")
    if not any(c.mimeType.lower() == "audio/opus" for c in audio.rtp.codecs):
        raise OfferRefused("the stage takes Opus audio; the offer has none")
    direction = audio.direction or "sendrecv"
    if direction not in ("sendrecv", "sendonly"):
        raise OfferRefused(f"the offer's audio is {direction}; WHIP needs sendrecv or sendonly")
    if (audio.ice is None or not audio.ice.usernameFragment or audio.dtls is None
            or not audio.dtls.fingerprints):
        raise OfferRefused("the offer lacks ICE credentials or a DTLS fingerprint")
    return OfferShape(receives=direction == "sendrecv",
                      has_video=any(m.kind == "video" and m.port != 0 for m in parsed.media),
                      ice_ufrag=audio.ice.usernameFragment)
