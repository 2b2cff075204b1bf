"""Prometheus metrics of the stream server, in one place (exposed at ``/metrics``).

Counters are incremented where the thing happens; the gauges (rooms live, publishers,
listeners) are read from the running stage when Prometheus scrapes.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

#: this server's registry (not the global default, so that tests can build many apps)
REGISTRY = CollectorRegistry(auto_describe=True)

SEGMENTS_WRITTEN = Counter(
    "livestage_segments_written",
    "HLS segments published, by rendition",
    ["rendition"],
    registry=REGISTRY,
)
SEGMENTS_LATE = Counter(
    "livestage_segments_late",
    "Segments listed later than their target duration plus half a second after their start",
    registry=REGISTRY,
)
ENCODER_RESTARTS = Counter(
    "livestage_encoder_restarts",
    "Room encoders restarted after they died",
    registry=REGISTRY,
)
INGEST_BYTES = Counter(
    "livestage_ingest_bytes",
    "Bytes of audio received from performers",
    registry=REGISTRY,
)
STAGE_TICKS = Counter(
    "livestage_stage_ticks",
    "20 ms stage mixer ticks run (all stages of this process at once)",
    registry=REGISTRY,
)
STAGE_TICKS_LATE = Counter(
    "livestage_stage_ticks_late",
    "Stage mixer ticks that began more than one frame (20 ms) after they were due",
    registry=REGISTRY,
)
STAGE_MEMBERS_LEFT = Counter(
    "livestage_stage_members_left",
    "Stage members whose session ended, by reason (left, network, revoked, removed, …)",
    ["reason"],
    registry=REGISTRY,
)
INGEST_ERRORS = Counter(
    "livestage_ingest_errors",
    "Ingest requests refused or ended by an error, by reason",
    ["reason"],
    registry=REGISTRY,
)
CAPTION_AUDIO_DROPPED = Counter(
    "livestage_caption_audio_dropped_seconds",
    "Seconds of program audio the caption recogniser skipped because it fell behind real time",
    registry=REGISTRY,
)
INGEST_RECOVERIES = Counter(
    "livestage_ingest_recoveries",
    "Publisher streams repaired or decoders restarted without dropping the performer, by kind "
    "(empty_ogg_packet, ogg_resync, decoder_restart)",
    ["kind"],
    registry=REGISTRY,
)
