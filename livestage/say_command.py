"""``livestage say``: talk to the skill offline, as Alexa would, one line or a whole conversation.

``livestage say "join the jazz room"`` says one thing. Without an utterance it reads one
utterance per line from ``--script FILE`` or from stdin (a prompt when stdin is a
terminal) and keeps the session and the device's audio player across lines, so a
developer can hold a whole conversation: launch, list, join, pause, resume, next, stop.
``--locale`` picks the request locale and that locale's interaction model; built-in slots
(dates, times, numbers, durations) are resolved as Alexa resolves them in that locale.
``--device-screen``, ``--user`` and ``--permissions`` describe the device and the listener.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from typing import TextIO

import click

from livestage.voice.conversation import Conversation, Turn, model_for_locale
from livestage.voice.interaction_models import LOCALES
from livestage.voice.simulator import (
    DEFAULT_API_ENDPOINT,
    SIMULATOR_USER_ID,
    Resolution,
    load_interaction_model,
)
from room_directory import open_directory
from room_directory.follows import open_follow_book
from skill import build_skill, persistence_from_url
from skill.environment import config_from_env
from stream_server.ops.config import settings_from_env

#: Lines read from a script or stdin at most (a bound on any conversation).
MAX_LINES = 1000


def describe(resolution: Resolution) -> str:
    """One line naming what was understood, e.g. ``JoinRoomIntent room=jazz``."""
    name = resolution.intent_name or resolution.request_type
    slots = " ".join(f"{k}={v}" for k, v in resolution.slots.items())
    return f"{name} {slots}".strip()


def plain_speech(ssml: str | None) -> str:
    """The words of an SSML answer, without the ``<speak>`` wrapper."""
    return html.unescape(re.sub(r"</?speak>", "", ssml or "")).strip()


def print_turn(turn: Turn, as_json: bool) -> None:
    """Print what Alexa would say and do for one turn."""
    if as_json:
        click.echo(json.dumps(turn.response, indent=2, ensure_ascii=False))
        return
    click.echo(f"heard:     {describe(turn.resolution)}")
    speech = plain_speech(turn.body.get("outputSpeech", {}).get("ssml"))
    click.echo(f"speech:    {speech or '(none)'}")
    for directive in turn.directives:
        click.echo(f"directive: {json.dumps(directive, ensure_ascii=False)}")
    click.echo(f"session:   {'ends' if turn.body.get('shouldEndSession') is not False else 'stays open'}")


@click.command()
@click.argument("utterance", nargs=-1)
@click.option("--directory", "directory_url",
              help="Room directory URL [LIVESTAGE_DIRECTORY, DATA_DIR/rooms.db].")
@click.option("--public-url", help="Base of stream URLs in Play directives [LIVESTAGE_PUBLIC_URL].")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Interaction model [interaction_models/<locale>.json].")
@click.option("--locale", default="en-US", show_default=True, type=click.Choice(LOCALES),
              help="Locale of the requests (and of the model).")
@click.option("--token", "audio_token",
              help="context.AudioPlayer.token, as left by an earlier play (try: resume).")
@click.option("--script", "script", type=click.File("r", encoding="utf-8"),
              help="Read one utterance per line from this file (default: stdin).")
@click.option("--state", "state_url",
              help="Listener state [LIVESTAGE_SKILL_STATE, DATA_DIR/skill-state.db].")
@click.option("--device-screen", "screen", is_flag=True,
              help="The device has a screen (declares Alexa.Presentation.APL).")
@click.option("--user", "user_id", default=SIMULATOR_USER_ID, show_default=True,
              help="The Alexa user id (listener state and follows are per user).")
@click.option("--permissions", default="",
              help="Permissions the user granted, comma-separated: reminders, notifications "
                   "or whole scopes.")
@click.option("--api-endpoint", default=DEFAULT_API_ENDPOINT, show_default=True,
              help="Where Alexa's APIs (reminders, settings) answer; a local stand-in works.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response envelopes.")
def say(utterance: tuple[str, ...], directory_url: str | None, public_url: str | None,
        model_path: Path | None, locale: str, audio_token: str | None, script: TextIO | None,
        state_url: str | None, screen: bool, user_id: str, permissions: str, api_endpoint: str,
        as_json: bool) -> None:
    """Say UTTERANCE to the skill (or each line of a conversation); print Alexa's answers."""
    try:
        settings = settings_from_env().with_overrides(
            directory_url=directory_url, public_url=public_url, skill_state=state_url)
        persistence = persistence_from_url(settings.skill_state, data_dir=settings.data_dir)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    config = config_from_env(os.environ, public_url=settings.base_url)
    skill = build_skill(open_directory(settings.room_directory_url), config,
                        persistence=persistence,
                        follows=open_follow_book(settings.room_directory_url))
    model = load_interaction_model(model_path) if model_path else model_for_locale(locale)
    conversation = Conversation(
        skill, locale=locale, model=model, audio_token=audio_token, supports_screen=screen,
        user_id=user_id, permissions=tuple(p.strip() for p in permissions.split(",") if p.strip()),
        api_endpoint=api_endpoint)
    if utterance:
        print_turn(conversation.say(" ".join(utterance)), as_json)
        return
    source = script or sys.stdin
    interactive = source.isatty()
    for count in range(MAX_LINES):
        if interactive:
            click.echo("you> ", nl=False)
        line = source.readline()
        if not line or line.strip() in ("quit", "exit"):
            break
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if count and not as_json:
            click.echo("")
        if not as_json:
            click.echo(f"you:       {text}")
        print_turn(conversation.say(text), as_json)
