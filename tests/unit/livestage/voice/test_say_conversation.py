"""``livestage say`` holds a conversation: a session across lines, any locale."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from click.testing import CliRunner

from livestage.say_command import say
from room_directory import Room, RoomStatus, SqliteRoomDirectory


def directory_with_rooms(tmp_path: Path) -> str:
    path = tmp_path / "rooms.db"
    directory = SqliteRoomDirectory(path)
    for room in (Room("jazz-night", "Late Night Jazz Concert", "x", host="Mia Santos", genre="jazz"),
                 Room("morning-talk", "Morning Talk with Sam", "x", host="Sam", genre="talk")):
        created = directory.create(room)
        directory.update(dataclasses.replace(created, status=RoomStatus.LIVE,
                                             live_since=time.time()))
    return f"sqlite:///{path}"


def run(tmp_path: Path, script: str, *args: str) -> str:
    result = CliRunner().invoke(
        say, ["--directory", directory_with_rooms(tmp_path), "--public-url",
              "https://live.example.test", "--state", "memory:", *args],
        input=script, env={"LIVESTAGE_SKILL_ID": ""})
    assert result.exit_code == 0, result.output
    return result.output


def test_lines_from_stdin_are_one_conversation(tmp_path: Path) -> None:
    output = run(tmp_path, "open live stage\nthe second one\npause\nresume\nnext\nstop\n")
    turns = output.split("\n\n")
    assert len(turns) == 6
    assert "LaunchRequest" in turns[0] and "session:   stays open" in turns[0]
    assert "JoinRoomIntent room=the second one" in turns[1]
    assert "AudioPlayer.Play" in turns[1]
    assert '"type": "AudioPlayer.Stop"' in turns[2]
    resumed = turns[3]
    assert "AudioPlayer.Play" in resumed
    played = resumed.split("/hls/")[1].split("/")[0]
    nxt = turns[4].split("/hls/")[1].split("/")[0]
    assert played != nxt


def test_a_script_file_and_a_locale(tmp_path: Path) -> None:
    script = tmp_path / "talk.txt"
    script.write_text("# a German conversation\nöffne live bühne\nspiele jazz\n", "utf-8")
    output = run(tmp_path, "", "--locale", "de-DE", "--script", str(script))
    assert "Willkommen bei Live Bühne" in output
    assert "Ich verbinde dich mit Late Night Jazz Concert." in output


def test_an_unknown_locale_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(say, ["--locale", "xx-XX", "hello"])
    assert result.exit_code == 2 and "xx-XX" in result.output


def test_device_screen_user_and_permissions(tmp_path: Path) -> None:
    from tests.support.alexa_api_server import alexa_api_server

    rooms = directory_with_rooms(tmp_path)
    SqliteRoomDirectory(tmp_path / "rooms.db").create(Room(
        "friday", "Friday Concert", "x", host="Dana Lee", scheduled_start=time.time() + 86400))
    state = f"sqlite:///{tmp_path / 'state.db'}"

    def say_as(script: str, *args: str, env: dict[str, str] | None = None) -> str:
        result = CliRunner().invoke(
            say, ["--directory", rooms, "--public-url", "https://live.example.test",
                  "--state", state, *args], input=script,
            env={"LIVESTAGE_SKILL_ID": "", **(env or {})})
        assert result.exit_code == 0, result.output
        return result.output

    assert "Alexa.Presentation.APL.RenderDocument" in say_as("what's live\n", "--device-screen")
    assert "Alexa.Presentation.APL" not in say_as("what's live\n")
    say_as("follow mia santos\n", "--user", "amzn1.ask.account.ada")
    assert "Would you like to join?" in say_as("open live stage\n", "--user",
                                               "amzn1.ask.account.ada")
    assert "Would you like to join?" not in say_as("open live stage\n", "--user",
                                                   "amzn1.ask.account.bo")
    asked = say_as("remind me about the friday concert\n")
    assert "Connections.SendRequest" in asked
    with alexa_api_server(tmp_path) as api:
        done = say_as("remind me about the friday concert\n", "--permissions", "reminders",
                      "--api-endpoint", api.url, env={"SSL_CERT_FILE": str(api.ca_file)})
    assert "I'll remind you when Friday Concert starts" in done
    assert [r.path for r in api.requests if r.method == "POST"] == ["/v1/alerts/reminders"]
