"""What every published HLS file of a room is called: one rule per kind of file.

Names are unique per room (its folder), show, rendition and sequence, so no cache ever
serves stale audio; the encoder, the packager, the sweep and the serving rules all ask here.
The room's entry playlist is one name for its whole life; every media playlist belongs to
one show, so a playlist that ended with its show is never written again.
"""

from __future__ import annotations

import re
from dataclasses import replace

from stream_server.hls.playlist import Segment

#: The room's entry point: the master playlist of its latest show that could be played.
LIVE_PLAYLIST = "live.m3u8"
_RENDITION_SUFFIX = re.compile(r"-\d{2,3}k$")
_LIVE_SUFFIX = "-live"


def rendition_name(kbps: int) -> str:
    """The name of a rendition in file names: ``128k``."""
    return f"{kbps}k"


def live_media_name(show_id: str, rendition: str) -> str:
    """One show's live media playlist of one rendition: ``<show>-live-128k.m3u8``."""
    return f"{show_id}{_LIVE_SUFFIX}-{rendition}.m3u8"


def segment_name(show_id: str, sequence: int, rendition: str = "") -> str:
    """Published name of a segment: unique per room (its folder), show, rendition and sequence."""
    middle = f"-{rendition}" if rendition else ""
    return f"{show_id}{middle}-{sequence:08d}.ts"


def replay_name(show_id: str) -> str:
    """Published name of a show's replay (master) playlist."""
    return f"{show_id}.m3u8"


def episode_name(show_id: str) -> str:
    """Published name of a show's podcast episode: one audio file of the whole replay."""
    return f"{show_id}.m4a"


def chapters_name(show_id: str) -> str:
    """Published name of an episode's chapters (Podcasting 2.0 JSON chapters, from its songs)."""
    return f"{show_id}.chapters.json"


def replay_media_name(show_id: str, rendition: str) -> str:
    """Published name of one rendition's replay (VOD) media playlist."""
    return f"{show_id}-{rendition}.m3u8"


def show_of_playlist(name: str) -> str | None:
    """The show a live or replay playlist belongs to, or None for the room's entry playlist."""
    if not name.endswith(".m3u8") or name.startswith("live"):
        return None
    return _RENDITION_SUFFIX.sub("", name.removesuffix(".m3u8")).removesuffix(_LIVE_SUFFIX)


def for_rendition(segment: Segment, rendition: str) -> Segment:
    """The segment as one rendition's media playlist lists it.

    A sequence recorded without this rendition (the rendition list changed across a
    restart, or an old single-rendition log) lists the first rendition it has.
    """
    if not segment.renditions:
        return segment
    name = rendition if rendition in segment.renditions else segment.renditions[0]
    return replace(segment, uri=segment_name(segment.show_id, segment.sequence, name))


def segment_files(segment: Segment) -> list[str]:
    """Every published file name of one recorded sequence."""
    if not segment.renditions:
        return [segment.uri]
    return [segment_name(segment.show_id, segment.sequence, r) for r in segment.renditions]
