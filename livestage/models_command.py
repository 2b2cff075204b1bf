"""``livestage models``: the interaction models of every locale, kept in step with the rooms.

``livestage models sync`` rebuilds ``interaction_models/<locale>.json`` for every locale
from the sample sources, with the room titles, genres, topics and host names of the
directory merged into the ``ROOM_NAME`` and ``HOST_NAME`` slot values (private rooms
left out). ``--check`` writes nothing and fails when a model is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from livestage.voice.interaction_models import LOCALES, MODELS_DIR, build_model, load_samples, write_models
from room_directory import open_directory
from stream_server.ops.config import settings_from_env


@click.group()
def models() -> None:
    """Interaction models of every locale."""


@models.command()
@click.option("--directory", "directory_url",
              help="Room directory URL [LIVESTAGE_DIRECTORY, DATA_DIR/rooms.db].")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=MODELS_DIR,
              show_default=True, help="Folder holding samples/ and the <locale>.json models.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a model would change.")
def sync(directory_url: str | None, models_dir: Path, check: bool) -> None:
    """Regenerate every locale's model with the directory's room and host names."""
    try:
        settings = settings_from_env().with_overrides(directory_url=directory_url)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    rooms = open_directory(settings.room_directory_url).list_rooms()
    if check:
        stale = []
        for locale in LOCALES:
            path = models_dir / f"{locale}.json"
            built = build_model(load_samples(locale, models_dir), rooms)
            if not path.is_file() or json.loads(path.read_text("utf-8")) != built:
                stale.append(locale)
        if stale:
            raise click.ClickException(f"out of date: {', '.join(stale)}")
        click.echo(f"{len(LOCALES)} models up to date")
        return
    written = write_models(rooms, models_dir)
    click.echo(f"wrote {len(written)} models with {len(rooms)} rooms' names")
