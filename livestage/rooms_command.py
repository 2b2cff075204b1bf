"""``livestage rooms create|list|show|end``: manage rooms on a server through its API."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from livestage.server_client import ServerClient, ServerError, default_server_url, find_admin_token

server_option = click.option("--server", envvar="LIVESTAGE_SERVER", default=None,
                             help="Server base URL [LIVESTAGE_SERVER, http://127.0.0.1:8080].")
token_option = click.option("--token", envvar="LIVESTAGE_ADMIN_TOKEN", default=None,
                            help="Admin token [LIVESTAGE_ADMIN_TOKEN, else DATA_DIR/admin-token].")
data_dir_option = click.option("--data-dir", type=click.Path(path_type=Path), envvar="LIVESTAGE_DATA_DIR",
                               default=None, help="Local server's data dir, for its admin-token [./data].")


def client(server: str | None, token: str | None, data_dir: Path | None) -> ServerClient:
    """A client for the chosen server, with the admin token when one is found."""
    return ServerClient(server or default_server_url(), find_admin_token(token, data_dir))


def parse_when(value: str) -> float:
    """Epoch seconds from epoch digits or an ISO 8601 time (no zone: UTC)."""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter("use ISO 8601 (2026-05-01T20:00Z) or epoch seconds") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def when_text(epoch: Any) -> str:
    """A UTC time for people, or "-"."""
    if not epoch:
        return "-"
    return datetime.fromtimestamp(float(epoch), UTC).strftime("%Y-%m-%d %H:%M UTC")


def run(call: Any) -> Any:
    """Run an API call, turning a ServerError into a one-line CLI error."""
    try:
        return call()
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def rooms() -> None:
    """Create, list, show and end rooms on a server."""


@rooms.command("create")
@click.option("--title", required=True, help="What listeners and speakers hear the room called.")
@click.option("--host", "host_name", default=None, help="Who presents it.")
@click.option("--genre", default=None)
@click.option("--description", default=None)
@click.option("--topic", "topics", multiple=True, help="A topic (repeat for more).")
@click.option("--scheduled-start", default=None, help="When the show starts: ISO 8601 or epoch seconds.")
@click.option("--private", is_flag=True, default=False, help="Unlisted; listeners join with a code.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@server_option
@token_option
@data_dir_option
def create(title: str, host_name: str | None, genre: str | None, description: str | None,
           topics: tuple[str, ...], scheduled_start: str | None, private: bool, as_json: bool,
           server: str | None, token: str | None, data_dir: Path | None) -> None:
    """Create a room; prints its id and stream key (shown only this once)."""
    body: dict[str, Any] = {"title": title}
    for name, value in (("host", host_name), ("genre", genre), ("description", description)):
        if value:
            body[name] = value
    if topics:
        body["topics"] = list(topics)
    if scheduled_start:
        body["scheduled_start"] = parse_when(scheduled_start)
    if private:
        body["private"] = True
    api = client(server, token, data_dir)
    room = run(lambda: api.call("POST", "/api/rooms", body, admin=True))
    if as_json:
        click.echo(json.dumps(room, indent=2))
        return
    click.echo(f"room:        {room['id']}  ({room['title']})")
    click.echo(f"stream key:  {room['stream_key']}   (shown once: keep it safe)")
    click.echo(f"ingest:      {room['ingest_url']}")
    click.echo(f"listen:      {room['listen_url']}")
    if room.get("join_code"):
        click.echo(f"join code:   {room['join_code']}")
    click.echo(f"go live:     livestage go-live {room['id']} song.mp3 --key <stream key>")


def room_state(room: dict[str, Any], now: float) -> str:
    """``LIVE``, ``scheduled`` (idle with a start still ahead), or the room's status."""
    if room.get("live"):
        return "LIVE"
    start = room.get("scheduled_start")
    if room.get("status") == "idle" and isinstance(start, int | float) and start > now:
        return "scheduled"
    return str(room.get("status", ""))


def room_table(found: list[dict[str, Any]], now: float) -> list[str]:
    """The rows of ``rooms list``, columns as wide as their longest value."""
    rows = [(room["id"], room_state(room, now),
             "-" if room.get("listeners") is None else str(room["listeners"]),
             room["title"] + (f"  (with {room['host']})" if room.get("host") else ""))
            for room in found]
    id_width = max([len("ID"), *(len(row[0]) for row in rows)])
    state_width = max([len("STATE"), *(len(row[1]) for row in rows)])
    lines = [f"{'ID':<{id_width}} {'STATE':<{state_width}} {'LISTENERS':>9}  TITLE"]
    lines += [f"{rid:<{id_width}} {state:<{state_width}} {count:>9}  {title}"
              for rid, state, count, title in rows]
    return lines


@rooms.command("list")
@click.option("--live", is_flag=True, help="Only rooms on air.")
@click.option("--json", "as_json", is_flag=True)
@server_option
@token_option
@data_dir_option
def list_rooms(live: bool, as_json: bool, server: str | None, token: str | None,
               data_dir: Path | None) -> None:
    """List the rooms: id, state, listeners, title, host."""
    api = client(server, token, data_dir)
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:  # the server hands rooms out a page at a time
        query = urlencode({k: v for k, v in (("live", "true" if live else ""), ("limit", "500"),
                                             ("cursor", cursor)) if v})
        data = run(lambda q=query: api.call("GET", f"/api/rooms?{q}"))
        found += data.get("rooms", [])
        cursor = data.get("next_cursor") or ""
        if not cursor:
            break
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo("No rooms." + ("" if live else " Create one: livestage rooms create --title 'My Show'"))
        return
    for line in room_table(found, time.time()):
        click.echo(line)


@rooms.command("show")
@click.argument("room_id")
@click.option("--json", "as_json", is_flag=True)
@server_option
@token_option
@data_dir_option
def show(room_id: str, as_json: bool, server: str | None, token: str | None, data_dir: Path | None) -> None:
    """Show one room with its URLs."""
    api = client(server, token, data_dir)
    room = run(lambda: api.call("GET", f"/api/rooms/{room_id}"))
    if as_json:
        click.echo(json.dumps(room, indent=2))
        return
    rows = [("room", room["id"]), ("title", room["title"]), ("host", room.get("host") or "-"),
            ("genre", room.get("genre") or "-"), ("state", room_state(room, time.time())),
            ("listeners", room.get("listeners", "-")), ("live since", when_text(room.get("live_since"))),
            ("scheduled", when_text(room.get("scheduled_start"))), ("listen", room["listen_url"]),
            ("ingest", room["ingest_url"])]
    if room.get("replay_url"):
        rows.append(("replay", room["replay_url"]))
    for name, value in rows:
        click.echo(f"{name + ':':<12} {value}")


@rooms.command("end")
@click.argument("room_id")
@server_option
@token_option
@data_dir_option
def end(room_id: str, server: str | None, token: str | None, data_dir: Path | None) -> None:
    """End the room's show: the live playlist closes, the show stays as a replay."""
    api = client(server, token, data_dir)
    room = run(lambda: api.call("POST", f"/api/rooms/{room_id}/end", admin=True))
    click.echo(f"Ended {room['id']} ({room['title']}).")
    if room.get("replay_url"):
        click.echo(f"replay: {room['replay_url']}")
