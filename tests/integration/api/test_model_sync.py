"""Rooms reach the interaction model through a stand-in of Login with Amazon and the Skill
Management API that records every call, served over real HTTP on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from stream_server.ops.app import create_app
from stream_server.ops.config import Settings
from tests.support import wait_for

TOKEN = "admin-secret"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
SKILL = "amzn1.ask.skill.sync-test"


class StandIn(BaseHTTPRequestHandler):
    """Login with Amazon's token endpoint and the interaction-model GET/PUT of SMAPI."""

    calls: list[dict[str, Any]] = []
    fail_puts = False

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:  # noqa: N802 (http.server's names)
        form = parse_qs(self._body().decode())
        StandIn.calls.append({"method": "POST", "path": self.path, "form": form})
        ok = form.get("refresh_token") == ["refresh-1"] and form.get("grant_type") == ["refresh_token"]
        self._json(200 if ok else 400, {"access_token": "access-1"} if ok else {"error": "invalid_grant"})

    def do_GET(self) -> None:  # noqa: N802
        StandIn.calls.append({"method": "GET", "path": self.path, "auth": self.headers["Authorization"]})
        model = {"interactionModel": {"languageModel": {"invocationName": "live stage", "types": [
            {"name": "ROOM_NAME", "values": [{"name": {"value": "old room"}}]},
            {"name": "GENRE", "values": [{"name": {"value": "jazz"}}]}]}}}
        self._json(200, model, etag='"v7"')

    def do_PUT(self) -> None:  # noqa: N802
        StandIn.calls.append({"method": "PUT", "path": self.path, "auth": self.headers["Authorization"],
                              "if_match": self.headers.get("If-Match"), "body": json.loads(self._body())})
        self._json(500 if StandIn.fail_puts else 202, {})

    def _json(self, status: int, body: dict[str, Any], etag: str = "") -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def stand_in() -> Iterator[str]:
    StandIn.calls = []
    StandIn.fail_puts = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def app_for(tmp_path: Path, base: str, **extra: Any) -> Any:
    settings = Settings(data_dir=tmp_path, admin_token=TOKEN, skill_id=SKILL, smapi_client_id="client-1",
                        smapi_client_secret="secret-1", smapi_refresh_token="refresh-1",
                        smapi_locales="en-US,de-DE", smapi_url=base, lwa_token_url=f"{base}/auth/o2/token",
                        **extra)
    app = create_app(settings, run_encoders=False)
    app.extensions["livestage"].model_sync.debounce = 0.2
    return app


def puts() -> list[dict[str, Any]]:
    return [c for c in StandIn.calls if c["method"] == "PUT"]


def test_created_and_renamed_rooms_reach_every_locale_s_model(tmp_path: Path, stand_in: str) -> None:
    client = app_for(tmp_path, stand_in).test_client()
    made = client.post("/api/rooms", json={"title": "St Patrick's Day 4 You", "host": "Ciarán Ó Briain"},
                       headers=ADMIN).get_json()
    client.post("/api/rooms", json={"title": "Secret Rehearsal", "private": True}, headers=ADMIN)
    wait_for(lambda: len(puts()) >= 2, 10, what="the models of both locales put back")
    assert [c["path"].rsplit("/", 1)[-1] for c in puts()] == ["en-US", "de-DE"]
    for call in puts():
        assert call["auth"] == "access-1" and call["if_match"] == '"v7"'
        assert f"/v1/skills/{SKILL}/stages/development/interactionModel/locales/" in call["path"]
        types = {t["name"]: t["values"] for t in call["body"]["interactionModel"]["languageModel"]["types"]}
        assert types["GENRE"] == [{"name": {"value": "jazz"}}]  # other types untouched
        assert [v["id"] for v in types["ROOM_NAME"]] == [made["id"]]  # the private room stays out
        name = types["ROOM_NAME"][0]["name"]
        assert name["value"] == "St Patrick's Day 4 You"
        assert "saint Patrick's Day four You" in name["synonyms"] and "Ciaran O Briain" in name["synonyms"]

    StandIn.calls.clear()
    client.patch(f"/api/rooms/{made['id']}", json={"title": "Reels and Jigs"}, headers=ADMIN)
    wait_for(lambda: len(puts()) >= 2, 10, what="the renamed room put back")
    values = puts()[-1]["body"]["interactionModel"]["languageModel"]["types"][0]["values"]
    assert values[0]["name"]["value"] == "Reels and Jigs"


def test_a_failing_api_is_counted_and_never_fails_the_room_call(tmp_path: Path, stand_in: str) -> None:
    StandIn.fail_puts = True
    app = app_for(tmp_path, stand_in)
    response = app.test_client().post("/api/rooms", json={"title": "Jazz"}, headers=ADMIN)
    assert response.status_code == 201
    sync = app.extensions["livestage"].model_sync
    wait_for(lambda: sync.failed >= 1, 10, what="the failed update counted")
    assert sync.pushed == 0


def test_without_credentials_nothing_is_synced(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, admin_token=TOKEN, skill_id=SKILL), run_encoders=False)
    assert app.extensions["livestage"].model_sync is None
    assert app.test_client().post("/api/rooms", json={"title": "Jazz"}, headers=ADMIN).status_code == 201
