"""``livestage models sync``: room and host names from the directory reach every model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from livestage.cli import main
from livestage.voice.interaction_models import LOCALES, MODELS_DIR
from room_directory import Room, SqliteRoomDirectory


def test_sync_writes_every_locale_with_the_directory_names(tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    shutil.copytree(MODELS_DIR / "samples", models_dir / "samples")
    db = tmp_path / "rooms.db"
    directory = SqliteRoomDirectory(db)
    directory.create(Room("bossa", "Bossa Nova Sunset", "x", host="Lia Rocha", genre="bossa",
                          topics=("guitar duets",)))
    directory.create(Room("hidden", "Secret Rehearsal", "x", host="Quiet Person", private=True,
                          join_code="1234"))
    runner = CliRunner()
    args = ["models", "sync", "--directory", f"sqlite:///{db}", "--models-dir", str(models_dir)]
    stale = runner.invoke(main, [*args, "--check"])
    assert stale.exit_code == 1 and "out of date" in stale.output
    done = runner.invoke(main, args)
    assert done.exit_code == 0, done.output
    for locale in LOCALES:
        model = json.loads((models_dir / f"{locale}.json").read_text("utf-8"))
        types = {t["name"]: [v["name"]["value"] for v in t["values"]]
                 for t in model["interactionModel"]["languageModel"]["types"]}
        assert {"Bossa Nova Sunset", "bossa", "guitar duets"} <= set(types["ROOM_NAME"]), locale
        assert "Lia Rocha" in types["HOST_NAME"]
        assert "Secret Rehearsal" not in types["ROOM_NAME"]
        assert "Quiet Person" not in types["HOST_NAME"]
    fresh = runner.invoke(main, [*args, "--check"])
    assert fresh.exit_code == 0, fresh.output
