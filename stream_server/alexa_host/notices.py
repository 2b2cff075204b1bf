"""Live notices: when a host goes on air, their followers who allow it hear about it.

``LiveNotices.room_on_air`` is a show-start hook of ``OnAir``: it returns at once and
sends from its own thread, so going on air never waits for Amazon. For each follower
of the room's host who has subscribed (``room_directory.follows``), one
``AMAZON.MediaContent.Available`` event goes to the Proactive Events API with a
skill-level token (Login with Amazon, client credentials, scope
``alexa::proactive_events``; cached until shortly before it expires). Private rooms are
never announced. Without a client id and secret nothing is sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from room_directory import Room
from room_directory.follows import FollowBook
from stream_server.alexa_host.live_event import live_show_event

log = logging.getLogger(__name__)

#: The scope of the Proactive Events API's skill-level token.
EVENTS_SCOPE = "alexa::proactive_events"
#: A cached token is renewed this long before it expires (seconds).
TOKEN_MARGIN = 60.0


class NoticeError(Exception):
    """The token or the event was refused, or Amazon could not be reached."""


class ProactiveEventsClient:
    """Sends events to the Proactive Events API (``events_url``) with a cached skill token."""

    def __init__(self, client_id: str, client_secret: str, *, token_url: str, events_url: str,
                 clock: Callable[[], float] = time.time, timeout: float = 10.0) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._events_url = events_url
        self._clock = clock
        self._timeout = timeout
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _post(self, url: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as reply:  # noqa: S310
                return reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            raise NoticeError(f"{url} answered {exc.code}: {exc.read()[:200]!r}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise NoticeError(f"{url} unreachable: {exc}") from exc

    def token(self) -> str:
        """The skill-level access token, fetched once and reused until near its expiry."""
        with self._lock:
            if self._token is not None and self._token[1] > self._clock():
                return self._token[0]
            form = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret, "scope": EVENTS_SCOPE}).encode()
            _, body = self._post(self._token_url, form,
                                 {"Content-Type": "application/x-www-form-urlencoded"})
            try:
                answer: dict[str, Any] = json.loads(body)
                token = str(answer["access_token"])
                lifetime = float(answer.get("expires_in", 3600))
            except (ValueError, KeyError) as exc:
                raise NoticeError(f"no access token from {self._token_url}") from exc
            self._token = (token, self._clock() + lifetime - TOKEN_MARGIN)
            return token

    def send(self, event: dict[str, Any]) -> int:
        """Post one event; the API's status (202 when accepted)."""
        status, _ = self._post(self._events_url, json.dumps(event).encode(), {
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token()}"})
        return status


class LiveNotices:
    """Notifies a host's subscribed followers when one of the host's rooms goes on air."""

    def __init__(self, follows: FollowBook, client: ProactiveEventsClient | None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._follows = follows
        self._client = client
        self._clock = clock
        #: the threads sending, so tests and shutdown can wait for them
        self.senders: list[threading.Thread] = []

    def room_on_air(self, room: Room, show_id: str) -> None:
        """The show-start hook: send the notices from a thread of their own."""
        if self._client is None or room.private or not room.host:
            return
        sender = threading.Thread(target=self.notify, args=(room, show_id), daemon=True,
                                  name=f"notices-{room.id}")
        self.senders = [t for t in self.senders if t.is_alive()] + [sender]
        sender.start()

    def notify(self, room: Room, show_id: str) -> int:
        """Send one event per subscribed follower of the room's host; how many were accepted."""
        if self._client is None or room.private or not room.host:
            return 0
        sent = 0
        for follower in self._follows.followers(room.host, subscribed_only=True):
            event = live_show_event(room, show_id, follower.user_id, follower.locale, self._clock())
            try:
                self._client.send(event)
                sent += 1
            except NoticeError as exc:
                log.warning("room %s: live notice not sent: %s", room.id, exc)
        if sent:
            log.info("room %s: live notice sent to %d follower(s) of %s", room.id, sent, room.host)
        return sent


def live_notices(follows: FollowBook, client_id: str, client_secret: str, *, token_url: str,
                 events_url: str) -> LiveNotices:
    """Live notices for the app: sending when the skill's client id and secret are set."""
    client = ProactiveEventsClient(client_id, client_secret, token_url=token_url,
                                   events_url=events_url) if client_id and client_secret else None
    return LiveNotices(follows, client)
