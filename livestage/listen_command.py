"""``livestage listen ROOM``: play a room with ffplay, or print the segments as they arrive."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import click

from livestage.server_client import ServerClient, ServerError, default_server_url


@dataclass(frozen=True)
class PlaylistEntry:
    """One segment of a media playlist."""

    sequence: int
    uri: str
    duration: float


@dataclass(frozen=True)
class MediaPlaylist:
    """The parts of an HLS playlist ``listen`` needs."""

    entries: tuple[PlaylistEntry, ...]
    variants: tuple[str, ...]
    ended: bool
    target_duration: float


def parse_playlist(text: str) -> MediaPlaylist:
    """Parse an HLS playlist (master or media) into its variants or its segments."""
    if not text.lstrip().startswith("#EXTM3U"):
        raise ValueError("not an HLS playlist (no #EXTM3U)")
    sequence, target, ended = 0, 0.0, False
    duration: float | None = None
    expect_variant = False
    entries: list[PlaylistEntry] = []
    variants: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            target = float(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-ENDLIST"):
            ended = True
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",", 1)[0])
        elif line.startswith("#EXT-X-STREAM-INF"):
            expect_variant = True
        elif line and not line.startswith("#"):
            if expect_variant:
                variants.append(line)
                expect_variant = False
            elif duration is not None:
                entries.append(PlaylistEntry(sequence + len(entries), line, duration))
                duration = None
    return MediaPlaylist(tuple(entries), tuple(variants), ended, target)


def _media_url(api: ServerClient, url: str) -> str:
    """Follow a master playlist to its first (highest listed) variant."""
    playlist = parse_playlist(api.text(url))
    return urljoin(url, playlist.variants[0]) if playlist.variants else url


@click.command("listen")
@click.argument("room_id")
@click.option("--server", envvar="LIVESTAGE_SERVER", default=None,
              help="Server base URL [LIVESTAGE_SERVER, http://127.0.0.1:8080].")
@click.option("--print", "print_only", is_flag=True, help="Print segments even when ffplay is there.")
@click.option("--segments", "max_segments", type=click.IntRange(1), default=None,
              help="Stop after printing this many segments.")
@click.option("--timeout", type=click.FloatRange(1), default=60.0, show_default=True,
              help="Give up when nothing new arrives for this many seconds.")
def listen(room_id: str, server: str | None, print_only: bool, max_segments: int | None,
           timeout: float) -> None:
    """Listen to ROOM_ID: ffplay plays it when installed; otherwise print what arrives."""
    api = ServerClient(server or default_server_url())
    try:
        room = api.call("GET", f"/api/rooms/{room_id}")
        replay = room.get("replay_url")
        url = replay if replay and not room.get("live") else room["listen_url"]
        ffplay = shutil.which("ffplay")
        if ffplay and not print_only:
            click.echo(f"Playing {room['title']} with ffplay (q quits)…", err=True)
            raise SystemExit(subprocess.call([ffplay, "-nodisp", "-autoexit", "-loglevel", "warning", url]))
        if not ffplay and not print_only:
            click.echo("ffplay is not installed (Debian: apt install ffmpeg); printing the segments "
                       "as they arrive instead.", err=True)
        _print_segments(api, url, room["title"], max_segments, timeout)
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None
    except ValueError as exc:
        raise click.ClickException(f"the room's playlist is not usable: {exc}") from None


def _wait_for_playlist(api: ServerClient, url: str, timeout: float) -> str:
    """The media playlist URL, once the room's playlist exists (it appears with the first segment)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _media_url(api, url)
        except ServerError as exc:
            if "answered 404" not in str(exc) or time.monotonic() > deadline:
                raise ServerError(f"{exc}; nobody has performed in this room yet") from None
            time.sleep(1.0)


def _print_segments(api: ServerClient, url: str, title: str, max_segments: int | None,
                    timeout: float) -> None:
    media = _wait_for_playlist(api, url, timeout)
    click.echo(f"{title}: {media}", err=True)
    seen = -1
    printed = 0
    total = 0.0
    last_new = time.monotonic()
    while True:
        playlist = parse_playlist(api.text(media))
        for entry in playlist.entries:
            if entry.sequence <= seen:
                continue
            seen = entry.sequence
            total += entry.duration
            printed += 1
            last_new = time.monotonic()
            click.echo(f"#{entry.sequence:<6} {entry.duration:6.3f} s  total {total:8.3f} s  {entry.uri}")
            if max_segments is not None and printed >= max_segments:
                return
        if playlist.ended:
            click.echo("The show has ended (EXT-X-ENDLIST).", err=True)
            return
        if time.monotonic() - last_new > timeout:
            raise click.ClickException(f"nothing new for {timeout:.0f} s; is anyone performing in this room?")
        time.sleep(max(0.5, playlist.target_duration / 2 or 1.0))
