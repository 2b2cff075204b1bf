"""What every ingest request of one app shares: live connections and browser sessions.

Built on first use per app (kept in ``app.extensions``), never at import. The registry
subscribes to ``auth.key_events``: a revoked key's connection is cut, a muted key's input muted.
"""

from __future__ import annotations

import threading

from flask import current_app

from stream_server import auth
from stream_server.ingest.chunk_sessions import ChunkSessions
from stream_server.ingest.registry import REPLACE_AFTER_SECONDS, PublisherRegistry
from stream_server.ops.config import Settings
from stream_server.ops.services import current_services

_EXTENSION = "livestage_ingest"
_create_lock = threading.Lock()


class IngestState:
    """The live publisher registry and the browser sessions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # a connection silent for half the idle limit (at most 5 s) may be replaced by a new one
        replace_after = max(1.0, min(REPLACE_AFTER_SECONDS, settings.ingest_idle_seconds / 2))
        self.registry = PublisherRegistry(replace_after=replace_after)
        self.chunks = ChunkSessions(self.registry, settings.chunk_resume_seconds)


def ingest_state() -> IngestState:
    """The ingest state of the app handling the current request."""
    extensions = current_app.extensions
    state = extensions.get(_EXTENSION)
    if state is None:
        with _create_lock:
            state = extensions.get(_EXTENSION)
            if state is None:
                state = IngestState(current_services().settings)
                extensions[_EXTENSION] = state
                events = auth.key_events()
                events.on_revoked.append(state.registry.kick)
                events.on_muted.append(state.registry.set_muted)
    assert isinstance(state, IngestState)
    return state
