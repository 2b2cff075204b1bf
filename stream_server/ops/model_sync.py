"""Keeps the skill's interaction model naming today's rooms, through the Skill Management API.

Dynamic entities only help later turns of a session; the one-shot "ask Live Stage to join
…" is heard against the interaction model's ``ROOM_NAME`` values. So when a room is created
or renamed, this puts every public room (title as the value, its id, how it is said as
synonyms) into the model of each configured locale: Login with Amazon turns the refresh
token into an access token, then for each locale GET the model, replace the ``ROOM_NAME``
values and PUT it back with the ETag it came with (Alexa rebuilds it). Changes within
``DEBOUNCE_SECONDS`` go out as one update. Off unless the client id, secret, refresh token
and skill id are all set; a failure is logged and retried at the next change, never raised
into the API call that caused it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from room_directory.models import Room
from skill.core.entities import ROOM_SLOT_TYPE, spoken_variants

log = logging.getLogger(__name__)

#: Changes closer together than this go out as one update (seconds).
DEBOUNCE_SECONDS = 10.0
#: The Skill Management API and Login with Amazon's token endpoint.
SMAPI_URL = "https://api.amazonalexa.com"
LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
#: The interaction model's catalogue holds at most this many values of one slot type.
MAX_SLOT_VALUES = 10_000


@dataclass(frozen=True)
class SmapiCredentials:
    """What the Skill Management API needs: a Login with Amazon client and its refresh token."""

    client_id: str
    client_secret: str
    refresh_token: str
    skill_id: str
    locales: tuple[str, ...]
    smapi_url: str = SMAPI_URL
    token_url: str = LWA_TOKEN_URL


def room_slot_values(rooms: Sequence[Room]) -> list[dict[str, Any]]:
    """The ``ROOM_NAME`` values of an interaction model for these rooms (public ones only)."""
    return [{"id": room.id, "name": {"value": room.title, "synonyms": spoken_variants(room)}}
            for room in rooms if not room.private][:MAX_SLOT_VALUES]


def with_room_values(model: dict[str, Any], values: list[dict[str, Any]]) -> dict[str, Any]:
    """The interaction model with its ``ROOM_NAME`` values replaced (the type added if missing)."""
    language = model.setdefault("interactionModel", {}).setdefault("languageModel", {})
    types = language.setdefault("types", [])
    room_type = next((t for t in types if t.get("name") == ROOM_SLOT_TYPE), None)
    if room_type is None:
        room_type = {"name": ROOM_SLOT_TYPE}
        types.append(room_type)
    room_type["values"] = values
    return model


class ModelSync:
    """Pushes the rooms into the interaction model after a change, debounced, off the caller's thread."""

    def __init__(self, credentials: SmapiCredentials, list_rooms: Callable[[], Sequence[Room]], *,
                 debounce: float = DEBOUNCE_SECONDS, timeout: float = 10.0) -> None:
        self._credentials = credentials
        self._list_rooms = list_rooms
        self.debounce = debounce
        self._timeout = timeout
        self._due: float | None = None
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        #: updates that reached every locale, and those that failed
        self.pushed = 0
        self.failed = 0

    def notify(self) -> None:
        """A room was created, renamed or made private: push the rooms after the debounce."""
        with self._cond:
            self._due = time.monotonic() + self.debounce
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="model-sync", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._due is None or time.monotonic() < self._due:
                    wait = None if self._due is None else max(0.0, self._due - time.monotonic())
                    self._cond.wait(wait)
                self._due = None
            try:
                self.push()
                self.pushed += 1
            except Exception as exc:  # the API call that caused it has long answered
                self.failed += 1
                log.warning("interaction model not updated (%s); next room change retries", exc)

    def push(self) -> None:
        """Put the current public rooms into every configured locale's model, now."""
        creds = self._credentials
        token = self._access_token()
        values = room_slot_values(self._list_rooms())
        for locale in creds.locales:
            url = (f"{creds.smapi_url}/v1/skills/{urllib.parse.quote(creds.skill_id)}/stages/development"
                   f"/interactionModel/locales/{urllib.parse.quote(locale)}")
            model, etag = self._call("GET", url, token)
            headers = {"If-Match": etag} if etag else {}
            self._call("PUT", url, token, with_room_values(model, values), headers)
        log.info("interaction model: %d rooms in %s", len(values), ", ".join(creds.locales))

    def _access_token(self) -> str:
        creds = self._credentials
        body = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": creds.refresh_token,
                                       "client_id": creds.client_id,
                                       "client_secret": creds.client_secret}).encode()
        request = urllib.request.Request(creds.token_url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=self._timeout) as response:
            token = json.loads(response.read())["access_token"]
        return str(token)

    def _call(self, method: str, url: str, token: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": token, "Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(request, timeout=self._timeout) as response:
            raw = response.read()
            return (json.loads(raw) if raw else {}), response.headers.get("ETag", "")


def model_sync_from(settings: Any, list_rooms: Callable[[], Sequence[Room]],
                    all_locales: Sequence[str]) -> ModelSync | None:
    """The model sync the settings ask for, or None when its credentials are not all set."""
    if not (settings.smapi_client_id and settings.smapi_client_secret and settings.smapi_refresh_token
            and settings.skill_id):
        return None
    locales = tuple(part.strip() for part in settings.smapi_locales.split(",") if part.strip())
    return ModelSync(SmapiCredentials(settings.smapi_client_id, settings.smapi_client_secret,
                                      settings.smapi_refresh_token, settings.skill_id,
                                      locales or tuple(all_locales), settings.smapi_url,
                                      settings.lwa_token_url), list_rooms)
