"""The stage of one app: its engine and registry, built on first use (never at import)."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from stream_server import auth
from stream_server.ops.services import current_services
from stream_server.stage.engine import StageEngine
from stream_server.stage.ice import IceSettings, ice_settings
from stream_server.stage.registry import StageRegistry

_EXTENSION = "livestage_stage"
#: ``app.config`` key naming an engine to use instead of aiortc (tests: ``MemoryEngine()``)
ENGINE_CONFIG = "LIVESTAGE_STAGE_ENGINE"
_create_lock = threading.Lock()


class StageState:
    """The ICE settings, the engine and the registry of seats."""

    def __init__(self, ice: IceSettings, engine: StageEngine) -> None:
        self.ice = ice
        self.registry = StageRegistry(engine)

    def follow(self, events: auth.KeyEvents) -> None:
        """Cut a revoked key's seat and mute a muted key's seat at once (``auth.key_events``)."""
        events.on_revoked.append(self.registry.cut)
        events.on_muted.append(self.registry.set_muted)


def _build(app: Flask) -> StageState:
    # aioice logs every ICE check at INFO: a line per candidate pair per member
    logging.getLogger("aioice").setLevel(max(logging.WARNING, logging.getLogger("aioice").level))
    ice = ice_settings(current_services().settings)
    engine = app.config.get(ENGINE_CONFIG)
    if engine is None:
        from stream_server.stage.aiortc_engine import AiortcEngine  # aiortc loads on first use

        engine = AiortcEngine(ice)
    state = StageState(ice, engine)
    state.follow(auth.key_events(app))
    return state


def stage_state() -> StageState:
    """The stage of the app handling the current request."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get(_EXTENSION)
    if state is None:
        with _create_lock:
            state = app.extensions.get(_EXTENSION)
            if state is None:
                state = app.extensions[_EXTENSION] = _build(app)
    assert isinstance(state, StageState)
    return state


def built_stage(app: Flask) -> StageState | None:
    """The app's stage if anyone used it (for shutdown and show-end hooks), else None."""
    state = app.extensions.get(_EXTENSION)
    return state if isinstance(state, StageState) else None
