"""GET /metrics: Prometheus text exposition of the counters and of gauges read at scrape time.

The counters live in ``stream_server.ops.metrics`` (incremented where things happen); the gauges
(rooms live, encoders, publishers, listeners) are collected from this app's stage, directory
and listener tracker when Prometheus scrapes. Only totals are exposed, never room ids (so
private rooms stay unlisted).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from room_directory import RoomDirectoryError
from stream_server.ops.metrics import REGISTRY
from stream_server.ops.services import Services, current_services

bp = Blueprint("metrics", __name__)


class StageCollector(Collector):
    """Gauges of one app, read from its services on every scrape."""

    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        """Rooms live, encoders running, publishers connected, listeners now."""
        services = self._services
        try:
            live = services.directory.list_rooms(live_only=True, include_private=True)
        except RoomDirectoryError:
            live = []
        publishers = 0
        for room in live:
            stream = services.on_air.stream(room.id)
            if stream is not None:
                publishers += stream.bus.publisher_count
        yield GaugeMetricFamily("livestage_rooms_live", "Rooms on air (directory)", value=len(live))
        yield GaugeMetricFamily("livestage_encoders", "Room encoders running in this process",
                                value=services.on_air.encoder_count())
        yield GaugeMetricFamily("livestage_publishers", "Publishers connected to rooms on air",
                                value=publishers)
        yield GaugeMetricFamily("livestage_listeners", "Listeners now, all rooms",
                                value=sum(services.listeners.counts().values()))


def exposition(services: Services) -> bytes:
    """The text exposition: the module counters, then this app's gauges."""
    gauges = CollectorRegistry(auto_describe=False)
    gauges.register(StageCollector(services))
    return generate_latest(REGISTRY) + generate_latest(gauges)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus scrape target."""
    return Response(exposition(current_services()), mimetype=None,
                    headers={"Content-Type": CONTENT_TYPE_LATEST})
