"""Browser publishing sessions: MediaRecorder chunks appended, in order, to one decoder.

Each session has an id the browser picks, a next expected sequence number and one
``PublisherSession``. A chunk whose number was seen already is ignored (a retry
whose answer was lost); a chunk past the expected number is refused, so nothing is
ever appended out of order. A session outlives a pause in requests for
``resume_seconds``; then a reaper thread ends it (reason ``idle``). Ended sessions
are remembered (bounded) so a late chunk learns why.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stream_server.ingest.publisher import DecoderFailed, PublisherCut
from stream_server.ingest.registry import Connection, PublisherRegistry

log = logging.getLogger(__name__)

#: session ids the browser may pick (``crypto.randomUUID()`` fits)
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
#: ended sessions remembered, to tell a late chunk what happened
TOMBSTONES = 1024


@dataclass(eq=False)
class ChunkSession:
    """One browser's session: its connection, the next chunk number, a lock for ordering."""

    session_id: str
    connection: Connection
    next_seq: int = 0
    last_chunk_at: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ended: str | None = None


class ChunkSessions:
    """The open browser sessions of this process and the reaper that ends idle ones."""

    def __init__(self, registry: PublisherRegistry, resume_seconds: float, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._registry = registry
        self.resume_seconds = resume_seconds
        self._clock = clock
        self._open: dict[str, ChunkSession] = {}
        self._ended: collections.OrderedDict[str, str] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None

    def now(self) -> float:
        """The sessions' clock (monotonic seconds)."""
        return self._clock()

    def interrupter(self, session: ChunkSession) -> Callable[[], None]:
        """What a kick (revoke, rotation, replacement) calls to end ``session`` for its cut reason."""

        def interrupt() -> None:
            pub = session.connection.session
            self.end(session, (pub.cut_reason if pub else None) or "ended", cut=True)

        return interrupt

    def get(self, session_id: str) -> ChunkSession | None:
        """An open session."""
        with self._lock:
            return self._open.get(session_id)

    def ended_reason(self, session_id: str) -> str | None:
        """Why a recently ended session ended, if remembered."""
        with self._lock:
            return self._ended.get(session_id)

    def add(self, session: ChunkSession) -> None:
        """Open a session (its connection is claimed already) and make sure the reaper runs."""
        with self._lock:
            self._open[session.session_id] = session
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap_forever, name="chunk-reaper",
                                                daemon=True)
                self._reaper.start()

    def end(self, session: ChunkSession, reason: str, *, cut: bool) -> None:
        """Close a session: ``cut`` drops its audio now, otherwise what it sent plays out."""
        with self._lock:
            if session.ended:
                return
            session.ended = reason
            self._open.pop(session.session_id, None)
            self._ended[session.session_id] = reason
            while len(self._ended) > TOMBSTONES:
                self._ended.popitem(last=False)
        pub = session.connection.session
        if pub is not None:
            if cut:
                pub.cut(reason)
            else:
                try:
                    pub.finish()
                except (DecoderFailed, PublisherCut) as exc:
                    log.info("browser session of %s ended: %s", pub.label, exc)
        self._registry.release(session.connection, reason)

    def reap(self) -> list[str]:
        """End every session without a chunk for ``resume_seconds``; their ids."""
        now = self._clock()
        with self._lock:
            candidates = list(self._open.values())
        reaped = []
        for session in candidates:
            if not session.lock.acquire(blocking=False):
                continue  # a chunk is being appended right now: not idle
            try:
                if session.ended is None and now - session.last_chunk_at > self.resume_seconds:
                    log.info("browser session of %s idle for %ss: ending it",
                             session.connection.publisher.key_id, self.resume_seconds)
                    self.end(session, "idle", cut=False)
                    reaped.append(session.session_id)
            finally:
                session.lock.release()
        return reaped

    def _reap_forever(self) -> None:
        while True:
            time.sleep(1.0)
            try:
                self.reap()
            except Exception:
                log.exception("chunk session reaper failed")
