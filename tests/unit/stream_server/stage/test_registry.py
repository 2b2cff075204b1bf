"""Stage seats: one per key, a cap per room, cut by key or by room, levels in the view."""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection

from stream_server.pipeline.bus import AudioBus
from stream_server.stage.memory_engine import MemoryEngine
from stream_server.stage.registry import StageFull, StageRegistry
from tests.support.stage import run_async


@pytest.fixture(scope="module")
def offer() -> str:
    async def make() -> str:
        pc = RTCPeerConnection()
        pc.addTransceiver("audio", direction="sendrecv")
        await pc.setLocalDescription(await pc.createOffer())
        sdp = str(pc.localDescription.sdp)
        await pc.close()
        return sdp

    return run_async(make())


def bus() -> AudioBus:
    return AudioBus(48000, lambda _: None)


def test_the_stage_is_capped_per_room(offer: str) -> None:
    registry = StageRegistry(MemoryEngine(), max_members=2)
    registry.admit("r1", "k1", "Ada", "cohost", offer, bus)
    registry.admit("r1", "k2", "Bo", "cohost", offer, bus)
    with pytest.raises(StageFull):
        registry.admit("r1", "k3", "Cy", "cohost", offer, bus)
    registry.admit("r1", "k2", "Bo", "cohost", offer, bus)  # a rejoin replaces: still two
    registry.admit("r2", "k3", "Cy", "cohost", offer, bus)  # another room has room
    assert [m["key_id"] for m in registry.members("r1")] == ["k1", "k2"]
    assert [e["reason"] for e in registry.recent_ends("r1")] == ["replaced"]


def test_cut_by_key_and_by_room(offer: str) -> None:
    engine = MemoryEngine()
    registry = StageRegistry(engine)
    a = registry.admit("r1", "k1", "Ada", "cohost", offer, bus)
    registry.admit("r1", "k2", "Bo", "cohost", offer, bus)
    registry.admit("r2", "k1", "Ada", "cohost", offer, bus)
    assert registry.cut("r1", "k1", "revoked") and not registry.cut("r1", "k1", "revoked")
    assert a.session_id in engine.left
    assert registry.end_room("r1") == 1 and registry.members("r1") == []
    assert len(registry.members("r2")) == 1


def test_a_member_gone_by_itself_leaves_the_list(offer: str) -> None:
    engine = MemoryEngine()
    registry = StageRegistry(engine)
    joined = registry.admit("r1", "k1", "Ada", "cohost", offer, bus, muted=True)
    view = registry.members("r1")[0]
    assert view["muted"] is True and view["rms_dbfs"] == -120.0 and view["receives"] is True
    engine.drop(joined.session_id, "network")
    assert registry.members("r1") == [] and registry.recent_ends("r1")[0]["reason"] == "network"
