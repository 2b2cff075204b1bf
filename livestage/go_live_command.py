"""``livestage go-live ROOM FILE|-``: play any audio file into a room, in real time."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from livestage.live_sender import ConnectionLost, IngestRefused, LiveSender, SendProgress
from livestage.pcm_audio import AudioDecodeError, decode_audio
from livestage.server_client import default_server_url


def clock_text(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``)."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def level_bar(dbfs: float, width: int = 10) -> str:
    """A text meter of a level from -60 to 0 dBFS."""
    filled = max(0, min(width, round((dbfs + 60) / 60 * width)))
    return "█" * filled + "·" * (width - filled)


@click.command("go-live")
@click.argument("room_id")
@click.argument("source")
@click.option("--key", envvar="LIVESTAGE_STREAM_KEY", required=True,
              help="The room's stream key [LIVESTAGE_STREAM_KEY].")
@click.option("--server", envvar="LIVESTAGE_SERVER", default=None,
              help="Server base URL [LIVESTAGE_SERVER, http://127.0.0.1:8080].")
@click.option("--retries", default=5, show_default=True, type=click.IntRange(0, 100),
              help="Reconnects in a row before giving up.")
def go_live(room_id: str, source: str, key: str, server: str | None, retries: int) -> None:
    """Play SOURCE (any audio file ffmpeg reads, or - for stdin) into ROOM_ID at real-time pace.

    The audio is decoded with pydub, sent as 48 kHz stereo WAV over one chunked PUT to the
    room's ingest, and the connection is re-opened if the server drops it.
    """
    if source == "-":
        click.echo("Reading audio from stdin…", err=True)
        stream = sys.stdin.buffer
        try:
            pcm = decode_audio(stream)
        except AudioDecodeError as exc:
            raise click.ClickException(f"cannot decode stdin as audio: {exc}") from None
    else:
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"no such file: {source} (give an audio file, or - for stdin)")
        click.echo(f"Decoding {path.name}…", err=True)
        try:
            pcm = decode_audio(path)
        except AudioDecodeError as exc:
            raise click.ClickException(
                f"cannot decode {source}: {exc}. Is it an audio file ffmpeg can read?") from None
    if not pcm.data:
        raise click.ClickException(f"{source} holds no audio")
    base = server or default_server_url()
    try:
        sender = LiveSender(base, room_id, key, max_retries=retries)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--server") from None
    total = clock_text(pcm.seconds)
    click.echo(f"Going live in {room_id} on {base}: {total} of audio. Ctrl-C stops.", err=True)
    shown_events = 0
    with click.progressbar(length=max(1, int(pcm.seconds * 10)), label="on air", file=sys.stderr,
                           show_eta=False, show_percent=False, width=24) as bar:
        last = 0

        def update(progress: SendProgress) -> None:
            nonlocal last, shown_events
            for event in progress.events[shown_events:]:
                click.echo(f"\n{event}", err=True)
            shown_events = len(progress.events)
            now = int(progress.position * 10)
            bar.label = (f"on air {clock_text(progress.position)} / {total}  "
                         f"{level_bar(progress.level)} {progress.level:5.1f} dBFS")
            bar.update(now - last)
            last = now

        try:
            result = sender.send(pcm, update)
        except IngestRefused as exc:
            raise click.ClickException(f"{exc}. Check the room id and its stream key "
                                       "(`livestage rooms show ROOM`).") from None
        except ConnectionLost as exc:
            raise click.ClickException(f"{exc}. Is the server up? Run go-live again to resume.") from None
    reconnects = f" after {result.reconnects} reconnect(s)" if result.reconnects else ""
    click.echo(f"Done: sent {clock_text(result.position)} of audio{reconnects}. "
               f"The room stays on air until you end it: livestage rooms end {room_id}", err=True)
