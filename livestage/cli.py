"""The ``livestage`` command."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from livestage.nginx_config import nginx_config
from stream_server.ops.config import settings_from_env


@click.group()
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Live Stage: live audio rooms for Alexa speakers."""
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
@click.option("--host", help="Interface to listen on [LIVESTAGE_HOST, 127.0.0.1].")
@click.option("--port", type=int, help="Port [LIVESTAGE_PORT, 8080].")
@click.option("--data-dir", type=click.Path(path_type=Path),
              help="Rooms, segments, replays [LIVESTAGE_DATA_DIR, ./data].")
@click.option("--public-url", help="Base of stream URLs given to speakers [LIVESTAGE_PUBLIC_URL].")
@click.option("--demo/--no-demo", default=None, help="Start the three demo rooms [on].")
def serve(host: str | None, port: int | None, data_dir: Path | None, public_url: str | None,
          demo: bool | None) -> None:
    """Run the stream server (HLS, ingest, room API, /alexa) with demo rooms."""
    from stream_server.ops.server import serve as run

    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        settings = settings_from_env().with_overrides(
            host=host, port=port, data_dir=data_dir, public_url=public_url, demo=demo)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    run(settings, echo=click.echo)


def _register_commands() -> None:
    """The voice tools and the performer's commands, each in its own module."""
    from livestage.go_live_command import go_live
    from livestage.listen_command import listen
    from livestage.models_command import models
    from livestage.rooms_command import rooms
    from livestage.say_command import say

    for command in (say, models, nginx_config, rooms, go_live, listen):
        main.add_command(command)


_register_commands()
