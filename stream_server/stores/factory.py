"""Pick the segment store from configuration (``LIVESTAGE_SEGMENT_STORE``)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from stream_server.ops.config import Settings
from stream_server.stores.local import LocalSegmentStore
from stream_server.stores.port import SegmentStore
from stream_server.stores.retrying import RetryingSegmentStore


def open_segment_store(settings: Settings) -> SegmentStore:
    """The local ``hls`` directory by default; ``s3://BUCKET[/PREFIX][?region=R&endpoint=URL]`` for S3.

    The S3 store spools under ``DATA_DIR/s3-spool/<node id>`` (so nodes may share a data
    dir) and uses the prefix ``hls`` unless the URL
    names another, so object keys read ``hls/<room>/<file>`` as listeners' URLs do.
    """
    url = settings.segment_store
    if not url:
        # a local disk can fail too (full, read-only): spool and retry rather than lose segments
        return RetryingSegmentStore(LocalSegmentStore(settings.hls_dir), settings.work_dir)
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"LIVESTAGE_SEGMENT_STORE={url!r}: use s3://BUCKET[/PREFIX] or leave it empty")
    from stream_server.stores.s3 import S3SegmentStore

    node = settings.node_name

    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return S3SegmentStore(
        parts.netloc, settings.data_dir / "s3-spool" / _safe(node), prefix=parts.path.strip("/") or "hls",
        target_duration=settings.segment_seconds, region=query.get("region") or None,
        endpoint_url=query.get("endpoint") or None,
    )


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
