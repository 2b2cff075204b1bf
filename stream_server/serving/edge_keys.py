"""What the CloudFront edge function must know, kept in its key value store: the secret, private rooms.

The function (``deploy/cloudfront/private_rooms.js``) reads ``url-secret`` to check signed
paths and ``private:<room>`` to refuse a private room's plain path, as nginx reads the
``.private`` markers (``private``). ``sync_edge_keys`` makes the store match this server's
URL secret and the directory: it puts the secret when it differs, a key for every private
room, and removes the key of a room that turned public (a room that left the directory keeps
its key: its files stay closed). ``EdgeKeySync`` runs it once at start and then every
``interval`` seconds (default 2 s); it asks the store for its keys only at start and every
``refresh`` rounds (default 1800: once an hour, as the API bills per call), and writes only
when something changed.

The store is a small port: ``InMemoryKeyValueStore`` for tests, ``CloudFrontKeyValueStore``
for AWS (the ``cloudfront-keyvaluestore`` API, signed with SigV4A through ``awscrt``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from room_directory import RoomDirectory

log = logging.getLogger(__name__)

#: Key of the shared URL secret in the store.
SECRET_KEY = "url-secret"
#: When the server that put the secret started (epoch seconds): the newest server's secret wins.
SECRET_SINCE_KEY = "url-secret-since"
#: Prefix of a private room's key (its value is "1").
PRIVATE_PREFIX = "private:"
#: Keys per UpdateKeys call.
_BATCH = 50


class KeyValueStore(Protocol):
    """The edge's key value store, as the sync needs it."""

    def items(self) -> dict[str, str]:
        """Every key and value in the store."""
        ...

    def update(self, puts: Mapping[str, str], deletes: list[str]) -> None:
        """Put and delete keys (one store version after another; a conflict raises)."""
        ...


class InMemoryKeyValueStore:
    """A store in a dict: the unit tests' adapter."""

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self.data = dict(initial or {})
        self.updates = 0

    def items(self) -> dict[str, str]:
        """Every key and value."""
        return dict(self.data)

    def update(self, puts: Mapping[str, str], deletes: list[str]) -> None:
        """Put and delete keys."""
        self.data.update(puts)
        for key in deletes:
            self.data.pop(key, None)
        self.updates += 1


class CloudFrontKeyValueStore:
    """A CloudFront KeyValueStore by ARN; the boto3 client is made on first use unless given."""

    def __init__(self, arn: str, *, client: Any = None, endpoint_url: str | None = None) -> None:
        self._arn = arn
        self._client = client
        self._endpoint_url = endpoint_url

    @property
    def client(self) -> Any:
        """The ``cloudfront-keyvaluestore`` client (SigV4A: needs ``awscrt``)."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client("cloudfront-keyvaluestore",
                                                          endpoint_url=self._endpoint_url)
        return self._client

    def items(self) -> dict[str, str]:
        """Every key and value (ListKeys, page by page)."""
        found: dict[str, str] = {}
        kwargs: dict[str, Any] = {"KvsARN": self._arn, "MaxResults": 50}
        while True:
            page = self.client.list_keys(**kwargs)
            found.update({item["Key"]: item["Value"] for item in page.get("Items", [])})
            if not page.get("NextToken"):
                return found
            kwargs["NextToken"] = page["NextToken"]

    def update(self, puts: Mapping[str, str], deletes: list[str]) -> None:
        """UpdateKeys in batches, each on the version (ETag) the previous one left."""
        etag = self.client.describe_key_value_store(KvsARN=self._arn)["ETag"]
        changes = [("put", key, value) for key, value in puts.items()]
        changes += [("delete", key, "") for key in deletes]
        for start in range(0, len(changes), _BATCH):
            batch = changes[start:start + _BATCH]
            etag = self.client.update_keys(
                KvsARN=self._arn, IfMatch=etag,
                Puts=[{"Key": key, "Value": value} for kind, key, value in batch if kind == "put"],
                Deletes=[{"Key": key} for kind, key, _ in batch if kind == "delete"])["ETag"]


def _secret_keys(current: Mapping[str, str], secret: str, since: float) -> dict[str, str]:
    """The secret's keys to want: ours, unless a server started later put another one.

    While a rotation replaces the servers, old and new ones run side by side; the newest
    writer wins, so an old server never puts the retired secret back.
    """
    if current.get(SECRET_KEY) == secret:
        return {}
    try:
        newer = float(current.get(SECRET_SINCE_KEY, "0")) > since
    except ValueError:
        newer = False
    if newer:
        log.warning("the edge holds the URL secret of a server started later: this one's is retired")
        return {}
    return {SECRET_KEY: secret, SECRET_SINCE_KEY: f"{since:.3f}"}


def edge_changes(current: Mapping[str, str], directory: RoomDirectory, secret: str,
                 since: float = 0.0) -> tuple[dict[str, str], list[str]]:
    """The puts and deletes that bring ``current`` in step with the secret and the directory.

    ``since`` is when this server started (it orders secrets during a rotation).
    """
    rooms = directory.list_rooms(include_private=True)
    wanted = _secret_keys(current, secret, since) | {
        PRIVATE_PREFIX + room.id: "1" for room in rooms if room.private}
    puts = {key: value for key, value in wanted.items() if current.get(key) != value}
    public = {PRIVATE_PREFIX + room.id for room in rooms if not room.private}
    deletes = sorted(key for key in current if key in public)  # unknown rooms stay closed
    return puts, deletes


def sync_edge_keys(store: KeyValueStore, directory: RoomDirectory, secret: str,
                   current: Mapping[str, str] | None = None, *, since: float = 0.0) -> dict[str, str]:
    """Bring the store in step (reading it unless ``current`` is given); what it now holds."""
    held = dict(store.items() if current is None else current)
    puts, deletes = edge_changes(held, directory, secret, since)
    if puts or deletes:
        store.update(puts, deletes)
        log.info("edge keys: %d put, %d deleted", len(puts), len(deletes))
        held.update(puts)
        for key in deletes:
            held.pop(key, None)
    return held


class EdgeKeySync:
    """A daemon thread running ``sync_edge_keys`` every ``interval`` seconds until stopped."""

    def __init__(self, store: KeyValueStore, directory: RoomDirectory, secret: str, *,
                 interval: float = 2.0, refresh: int = 1800) -> None:
        if not secret:
            raise ValueError("the edge needs the URL secret to check signed paths")
        self._store, self._directory, self._secret = store, directory, secret
        self._interval, self._refresh = interval, refresh
        self._since = time.time()
        self._held: dict[str, str] | None = None
        self._rounds = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edge-keys", daemon=True)

    def sync_once(self) -> None:
        """One round: read the store when due (or after a failure), then write what changed."""
        if self._rounds % self._refresh == 0:
            self._held = None
        self._rounds += 1
        try:
            self._held = sync_edge_keys(self._store, self._directory, self._secret, self._held,
                                        since=self._since)
        except Exception:
            self._held = None  # another server wrote first, or the store failed: read it again
            raise

    def start(self) -> None:
        """Sync once now (a failure is logged), then keep syncing in the background."""
        try:
            self.sync_once()
        except Exception:
            log.exception("syncing the edge's keys failed")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sync_once()
            except Exception:  # a store or directory hiccup must not stop the syncing
                log.exception("syncing the edge's keys failed")

    def stop(self) -> None:
        """Stop syncing (the keys stay: private rooms remain closed at the edge)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)
