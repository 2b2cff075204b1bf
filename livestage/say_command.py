"""``livestage say "join the jazz room"``: talk to the skill offline, as Alexa would."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import click
from ask_sdk_core.serialize import DefaultSerializer

from room_directory import open_directory
from skill import SkillConfig, build_skill
from skill.simulator import Resolution, load_interaction_model, simulate
from stream_server.config import settings_from_env


def describe(resolution: Resolution) -> str:
    """One line naming what was understood, e.g. ``JoinRoomIntent room=jazz``."""
    name = resolution.intent_name or resolution.request_type
    slots = " ".join(f"{k}={v}" for k, v in resolution.slots.items())
    return f"{name} {slots}".strip()


def plain_speech(ssml: str | None) -> str:
    """The words of an SSML answer, without the ``<speak>`` wrapper."""
    return html.unescape(re.sub(r"</?speak>", "", ssml or "")).strip()


@click.command()
@click.argument("utterance", nargs=-1)
@click.option("--directory", "directory_url",
              help="Room directory URL [LIVESTAGE_DIRECTORY, DATA_DIR/rooms.db].")
@click.option("--public-url", help="Base of stream URLs in Play directives [LIVESTAGE_PUBLIC_URL].")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Interaction model [interaction_models/en-US.json].")
@click.option("--locale", default="en-US", show_default=True, help="Locale of the request.")
@click.option("--token", "audio_token",
              help="context.AudioPlayer.token, as left by an earlier play (try: resume).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response envelope.")
def say(utterance: tuple[str, ...], directory_url: str | None, public_url: str | None,
        model_path: Path | None, locale: str, audio_token: str | None, as_json: bool) -> None:
    """Say UTTERANCE to the skill; print what Alexa would say and do."""
    try:
        settings = settings_from_env().with_overrides(
            directory_url=directory_url, public_url=public_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    skill = build_skill(
        open_directory(settings.room_directory_url),
        SkillConfig(public_url=settings.base_url, skill_id=settings.skill_id),
    )
    resolution, response = simulate(
        " ".join(utterance), skill, load_interaction_model(model_path),
        now=datetime.now(UTC), locale=locale, audio_token=audio_token,
    )
    serialized = cast(dict[str, Any], DefaultSerializer().serialize(response))
    if as_json:
        click.echo(json.dumps(serialized, indent=2))
        return
    body = serialized.get("response", {})
    click.echo(f"heard:     {describe(resolution)}")
    speech = plain_speech(body.get("outputSpeech", {}).get("ssml"))
    click.echo(f"speech:    {speech or '(none)'}")
    for directive in body.get("directives", []):
        click.echo(f"directive: {json.dumps(directive)}")
    click.echo(f"session:   {'ends' if body.get('shouldEndSession') else 'stays open'}")
