"""The S3 segment store: the same port as ``LocalSegmentStore``, writing to a bucket.

Every call is first written to a local spool (one numbered entry per call, fsynced) and
returns; one uploader thread drains the spool strictly in order. So:

- a segment is always uploaded before any playlist published after it (the order of the
  calls is the order of the uploads; nothing overtakes an entry that failed);
- a short S3 outage loses nothing: the head entry is retried with exponential backoff
  (capped) until S3 answers, then the backlog drains in order; a process restart picks the
  spool up where it stopped;
- while a backlog drains, a playlist entry with a newer version of itself queued behind
  it is skipped (the newer one still comes after every segment it names).

Objects are ``<prefix>/<room>/<name>`` (``hls/<room>/live.m3u8`` as the Flask server and
CloudFront serve it) with ``Content-Type`` and ``Cache-Control`` on every object:
playlists for at most half a target duration, segments for a year and immutable (their
names are unique per room, show and sequence). Boto3 is imported on first use.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stream_server.serving.headers import file_headers
from stream_server.stores.port import SegmentStoreError, StrayRule

log = logging.getLogger(__name__)


def object_headers(name: str, target_duration: int) -> tuple[str, str]:
    """``(Content-Type, Cache-Control)`` of a published file, by its extension."""
    headers = file_headers(name, target_duration)
    if headers is not None:
        return headers
    raise SegmentStoreError(f"{name!r} is neither a playlist (.m3u8), a segment (.ts), "
                            "captions (.vtt) nor a transcript (-transcript.txt)")


@dataclass(frozen=True)
class SpoolEntry:
    """One queued call: ``put`` (with its payload file beside it) or ``delete``."""

    seq: int
    op: str
    room_id: str
    name: str

    @property
    def key_suffix(self) -> str:
        return f"{self.room_id}/{self.name}"


#: How long a process that ends drains its spool before leaving the rest for the next start.
EXIT_DRAIN_SECONDS = 20.0


class S3SegmentStore:
    """Segments and playlists in ``bucket`` under ``prefix``, through an ordered disk spool."""

    def __init__(self, bucket: str, spool_dir: Path, *, prefix: str = "hls", target_duration: int = 2,
                 region: str | None = None, endpoint_url: str | None = None, client: Any = None,
                 max_backoff: float = 5.0) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.spool_dir = spool_dir
        self._target = target_duration
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client
        self._max_backoff = max_backoff
        self._cond = threading.Condition()
        self._entries: list[SpoolEntry] = []
        self._uploading = False
        self._stopping = False
        self._closed = False
        self._atexit_registered = False
        self._thread: threading.Thread | None = None
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self._entries = self._load_spool()
        self._next_seq = (self._entries[-1].seq + 1) if self._entries else 1

    # -- the port ------------------------------------------------------------------------

    def publish_segment(self, room_id: str, name: str, source: Path) -> None:
        """Queue the finished segment (moved into the spool); uploaded in order."""
        object_headers(name, self._target)

        def write(payload: Path) -> None:
            try:
                os.replace(source, payload)
            except OSError:  # another filesystem: copy, then remove the source
                shutil.copyfile(source, payload)
                source.unlink()

        self._enqueue("put", room_id, name, write)

    def publish_playlist(self, room_id: str, name: str, text: str) -> None:
        """Queue a playlist version; it goes up after everything queued before it."""
        object_headers(name, self._target)
        self._enqueue("put", room_id, name, lambda payload: payload.write_text(text, encoding="utf-8"))

    def delete(self, room_id: str, name: str) -> None:
        """Queue the removal of a published file (absent files are fine)."""
        self._enqueue("delete", room_id, name, None)

    # -- control -------------------------------------------------------------------------

    def sweep(self, is_stray: StrayRule) -> int:
        """Nothing: the bucket's lifecycle rules expire what no playlist names (see template.yaml)."""
        return 0

    def listing(self) -> dict[str, dict[str, int]]:
        """Nothing: listing a bucket at every start would cost more than the logs it could repair."""
        return {}

    def read_text(self, room_id: str, name: str) -> str | None:
        """Nothing: playlists are read by listeners through CloudFront, never back by the server."""
        return None

    def start(self) -> None:
        """Start the uploader thread (publishing calls start it too)."""
        # Build the client here, on the caller's thread: made lazily by the uploader, it
        # could come too late, in a process already shutting down ("can't register atexit
        # after shutdown"), and a stopping server's last uploads would stay spooled.
        _ = self.client
        with self._cond:
            if self._closed:
                return
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(target=self._drain, name="s3-uploader", daemon=True)
                self._thread.start()
                if not self._atexit_registered:
                    # a stopping server's last segments and playlists still go up (a container's
                    # disk, and so its spool, may not outlive the process); up to 20 s, inside
                    # ECS's default 30 s stop timeout
                    atexit.register(self.close, EXIT_DRAIN_SECONDS)
                    self._atexit_registered = True

    def pending(self) -> int:
        """Entries not yet in S3 (queued or uploading)."""
        with self._cond:
            return len(self._entries)

    def flush(self, timeout: float) -> bool:
        """Wait until the spool is empty; False when ``timeout`` seconds pass first."""
        self.start()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._entries:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def close(self, timeout: float = 5.0) -> None:
        """Try to drain for ``timeout`` seconds, then stop; what is left stays spooled."""
        if self._closed:
            return
        self.flush(timeout)
        with self._cond:
            self._closed = True
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- spool ---------------------------------------------------------------------------

    def _meta_path(self, seq: int) -> Path:
        return self.spool_dir / f"{seq:012d}.json"

    def _payload_path(self, seq: int) -> Path:
        return self.spool_dir / f"{seq:012d}.data"

    def _load_spool(self) -> list[SpoolEntry]:
        entries = []
        for meta in sorted(self.spool_dir.glob("*.json")):
            try:
                data = json.loads(meta.read_text())
                entry = SpoolEntry(int(data["seq"]), data["op"], data["room_id"], data["name"])
            except (OSError, ValueError, KeyError) as exc:
                log.error("s3 spool: unreadable entry %s skipped: %s", meta.name, exc)
                continue
            if entry.op == "put" and not self._payload_path(entry.seq).exists():
                log.error("s3 spool: entry %s lost its payload, skipped", meta.name)
                continue
            entries.append(entry)
        for tmp in self.spool_dir.glob("*.tmp"):
            tmp.unlink(missing_ok=True)
        return entries

    def _enqueue(self, op: str, room_id: str, name: str, write: Any) -> None:
        with self._cond:
            seq = self._next_seq
            self._next_seq += 1
            entry = SpoolEntry(seq, op, room_id, name)
            try:
                if write is not None:
                    write(self._payload_path(seq))
                tmp = self.spool_dir / f"{seq:012d}.tmp"
                with open(tmp, "w", encoding="utf-8") as handle:
                    json.dump({"seq": seq, "op": op, "room_id": room_id, "name": name}, handle)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self._meta_path(seq))
            except OSError as exc:
                raise SegmentStoreError(f"cannot spool {room_id}/{name}: {exc}") from exc
            self._entries.append(entry)
            self._cond.notify_all()
        self.start()

    def _forget(self, entry: SpoolEntry) -> None:
        self._meta_path(entry.seq).unlink(missing_ok=True)
        self._payload_path(entry.seq).unlink(missing_ok=True)

    # -- uploads -------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The boto3 S3 client, made on first use with bounded timeouts and retries."""
        with self._cond:
            if self._client is None:
                import boto3
                from botocore.config import Config

                config = Config(connect_timeout=2, read_timeout=10,
                                retries={"max_attempts": 3, "mode": "standard"})
                self._client = boto3.session.Session().client(
                    "s3", region_name=self._region, endpoint_url=self._endpoint_url, config=config
                )
            return self._client

    def _superseded(self, entry: SpoolEntry) -> bool:
        """A playlist put with a newer put of the same playlist queued behind it."""
        if entry.op != "put" or not entry.name.endswith(".m3u8"):
            return False
        return any(e.seq > entry.seq and e.key_suffix == entry.key_suffix for e in self._entries)

    def _send(self, entry: SpoolEntry) -> None:
        key = f"{self.prefix}/{entry.key_suffix}" if self.prefix else entry.key_suffix
        if entry.op == "delete":
            self.client.delete_object(Bucket=self.bucket, Key=key)
            return
        content_type, cache_control = object_headers(entry.name, self._target)
        with open(self._payload_path(entry.seq), "rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                                   CacheControl=cache_control)

    def _drain(self) -> None:
        backoff = 0.2
        while True:
            with self._cond:
                while not self._entries and not self._stopping:
                    self._cond.wait(1.0)
                if self._stopping:
                    return
                entry = self._entries[0]
                skip = self._superseded(entry)
            try:
                if not skip:
                    self._send(entry)
            except Exception as exc:  # S3 down, throttled, network: keep it, retry later
                log.warning("s3 upload of %s failed (%s); %d waiting, retry in %.1fs",
                            entry.key_suffix, exc, self.pending(), backoff)
                with self._cond:
                    if self._stopping:
                        return
                    self._cond.wait(backoff)
                backoff = min(self._max_backoff, backoff * 2)
                continue
            backoff = 0.2
            with self._cond:
                self._entries.pop(0)
                self._forget(entry)
                self._cond.notify_all()
