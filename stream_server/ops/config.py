"""Settings of the stream server: defaults in code, overrides from ``LIVESTAGE_*`` variables."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from room_directory.access import PRIVATE_URL_TTL


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told; each field maps to ``LIVESTAGE_<NAME>``."""

    #: Interface to listen on; 127.0.0.1 keeps a fresh install private.
    host: str = "127.0.0.1"
    #: TCP port of the HTTP server.
    port: int = 8080
    #: Where the room directory, segments and replays live.
    data_dir: Path = Path("data")
    #: Base of stream URLs in Play directives (Alexa needs HTTPS on 443); default http://HOST:PORT.
    public_url: str = ""
    #: Bearer token for admin calls; ``serve`` generates one when unset.
    admin_token: str = ""
    #: The Alexa skill id that /alexa accepts; unset accepts any (local testing only).
    skill_id: str = ""
    #: Verify Alexa request signatures on /alexa; 0 only for local test clients.
    verify_signatures: bool = True
    #: Extra trusted roots (PEM) for Alexa signing-certificate chains.
    alexa_ca_bundle: str = ""
    #: Persistent cache of signing-certificate chains (one file per URL, SHA-256 hex of the URL).
    alexa_cert_cache_dir: str = ""
    #: Room directory: ``sqlite:///PATH`` or ``memory:``; default a SQLite file in the data dir.
    directory_url: str = ""
    #: Segment store: empty for the local ``hls`` dir, or ``s3://BUCKET[/PREFIX][?region=R&endpoint=URL]``.
    segment_store: str = ""
    #: HLS target segment duration, whole seconds.
    segment_seconds: int = 2
    #: Segments in the live window (at least 6 and at least 3 target durations).
    window_segments: int = 8
    #: Sample rate of the room audio bus and the encoder: 48000 or 44100.
    sample_rate: int = 48000
    #: The ffmpeg binary.
    ffmpeg: str = "ffmpeg"
    #: A show with no publisher for this long ends by itself (seconds; 0 never).
    dead_air_seconds: int = 300
    #: This node's name in room leases; default ``<host name>:<port>``.
    node_id: str = ""
    #: Seconds a room's lease lasts unless renewed; another node takes the room over after it.
    lease_seconds: int = 15
    #: Start the three demo rooms with ``serve``.
    demo: bool = True
    #: HMAC secret of listener tokens and signed private-room URLs; ``serve`` generates one when
    #: unset and keeps it in ``<data dir>/url-secret`` (an app built without one uses a per-process one).
    url_secret: str = ""
    #: Login with Amazon client and refresh token of the Skill Management API: with all three and
    #: ``skill_id`` set, room titles are kept in the interaction model (``ops.model_sync``).
    smapi_client_id: str = ""
    smapi_client_secret: str = ""
    smapi_refresh_token: str = ""
    #: Locales whose models name the rooms, comma-separated (default: every locale of the skill).
    smapi_locales: str = ""
    #: The Skill Management API and Login with Amazon token endpoint (a test stand-in may replace them).
    smapi_url: str = "https://api.amazonalexa.com"
    lwa_token_url: str = "https://api.amazon.com/auth/o2/token"
    #: How long a signed private-room URL stays valid (seconds; default 12 h, long enough for a show).
    private_url_ttl: int = PRIVATE_URL_TTL
    #: A publisher that sends nothing for this long is closed (seconds; the room keeps room tone).
    ingest_idle_seconds: int = 10
    #: A publisher held back by back-pressure (faster than real time) this long is cut off (0: never).
    ingest_flood_seconds: int = 30
    #: A browser chunk session survives this long without a chunk, so the browser can resume.
    chunk_resume_seconds: int = 20
    #: AAC-LC renditions from the one room encoder (kbit/s, 16-384 each); ``LIVESTAGE_RENDITIONS=128,64``.
    renditions_kbps: tuple[int, ...] = (128, 64)
    #: ffmpeg's AAC coder: ``fast`` (about a third less CPU per room) or ``twoloop`` (ffmpeg's default).
    aac_coder: str = "fast"
    #: Normalise the program to ``loudness_lufs`` with a true-peak limit of -1 dBTP (0 passes it untouched).
    loudness: bool = True
    #: Integrated loudness target of every room's program (LUFS).
    loudness_lufs: int = -16
    #: Live captions (speech to text on this machine) for rooms that do not choose; a room's
    #: ``captions`` field overrides it. English only: the model pocketsphinx ships.
    captions: bool = False
    #: Replays (ended shows) older than this many days are deleted; 0 keeps them for ever.
    replay_retention_days: int = 30
    #: At most this many replays kept per room (the newest); 0 means no limit.
    replay_keep_per_room: int = 0
    #: Serve GET /hls/ in the request handler (sendfile, no WSGI); 0 sends it through Flask.
    hls_fast_path: bool = True
    #: nginx access log (``livestage nginx-config`` format) to follow for listener counts; unset: off.
    nginx_access_log: str = ""
    #: ARN of the CloudFront edge function's key value store; set: keep the URL secret and one
    #: key per private room there (``serving.edge_keys``).
    cloudfront_kvs: str = ""
    #: Add the listener counts CloudFront's access logs leave in the room directory to the room
    #: API's figures (on AWS, where listeners never reach a stream server).
    listeners_from_logs: bool = False
    #: Per-listener skill state: ``sqlite:///PATH``, ``dynamodb://TABLE`` or ``memory:``;
    #: default ``skill-state.db`` in the data dir.
    skill_state: str = ""
    #: Time zone the skill speaks schedules in (IANA name).
    time_zone: str = "UTC"
    #: The skill's Login with Amazon client id and secret (developer console, Permissions):
    #: with both set, followers who allow notifications hear when a host goes live.
    alexa_client_id: str = ""
    alexa_client_secret: str = ""
    #: Proactive Events API: ``…/stages/development`` while testing, ``/v1/proactiveEvents``
    #: once the skill is live.
    alexa_events_url: str = "https://api.amazonalexa.com/v1/proactiveEvents/stages/development"
    #: Where the skill-level access token of the events API comes from.
    alexa_token_url: str = "https://api.amazon.com/auth/o2/token"
    #: Connections open at once (listeners, performers, API clients); past it a new one is
    #: answered 503 and closed. Held below the process's open-file limit.
    max_connections: int = 20000
    #: Proxies whose X-Forwarded-For / X-Real-IP name the client (addresses or CIDR, commas); none.
    trusted_proxies: str = ""
    #: STUN/TURN servers handed to stage members' browsers, comma-separated
    #: (``stun:stun.example.net,turn:turn.example.net:3478?transport=udp``); none by default.
    stage_ice_servers: str = ""
    #: Fixed TURN credentials for those servers (or use ``stage_turn_secret``).
    stage_turn_username: str = ""
    stage_turn_credential: str = ""
    #: coturn's ``static-auth-secret``: each member gets TURN credentials valid for 12 h instead.
    stage_turn_secret: str = ""
    #: UDP ports the stage's media uses (one per member), ``LOW-HIGH``.
    stage_udp_ports: str = "40000-40999"
    #: Addresses the server offers as its media candidates, comma-separated; default: the
    #: address it listens on (``host``), or every interface's when that is 0.0.0.0.
    stage_media_addresses: str = ""

    def __post_init__(self) -> None:
        if self.window_segments < 6:
            raise ValueError("LIVESTAGE_WINDOW_SEGMENTS must be at least 6 (RFC 8216 live window)")
        if not 1 <= self.segment_seconds <= 10:
            raise ValueError("LIVESTAGE_SEGMENT_SECONDS must be a whole number from 1 to 10")
        if not 60 <= self.private_url_ttl <= 7 * 24 * 3600:
            raise ValueError("LIVESTAGE_PRIVATE_URL_TTL must be from 60 s to 7 days")
        if not self.renditions_kbps or len(set(self.renditions_kbps)) != len(self.renditions_kbps) or not all(
            16 <= kbps <= 384 for kbps in self.renditions_kbps
        ):
            raise ValueError("LIVESTAGE_RENDITIONS must list distinct bitrates from 16 to 384, e.g. 128,64")
        if self.sample_rate not in (44100, 48000):
            raise ValueError("LIVESTAGE_SAMPLE_RATE must be 44100 or 48000")
        if self.aac_coder not in ("fast", "twoloop"):
            raise ValueError("LIVESTAGE_AAC_CODER must be fast or twoloop")
        if self.replay_retention_days < 0 or self.replay_keep_per_room < 0:
            raise ValueError("replay retention settings must be 0 (off) or positive")
        if self.max_connections < 1:
            raise ValueError("LIVESTAGE_MAX_CONNECTIONS must be at least 1")
        try:
            self.trusted_networks  # noqa: B018 - parsed once here so a typo stops start-up
        except ValueError as exc:
            raise ValueError(f"LIVESTAGE_TRUSTED_PROXIES: {exc}") from exc
        low, sep, high = self.stage_udp_ports.partition("-")
        if not (low.strip().isdigit() and (not sep or high.strip().isdigit())
                and 1024 <= int(low) <= int(high if sep else low) <= 65535):
            raise ValueError("LIVESTAGE_STAGE_UDP_PORTS must be LOW-HIGH within 1024-65535, e.g. 40000-40999")

    @property
    def base_url(self) -> str:
        """The public base URL, without a trailing slash."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The proxies named by ``trusted_proxies``, as networks (a bare address is a /32 or /128)."""
        return tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in self.trusted_proxies.split(",") if part.strip())

    @property
    def hls_dir(self) -> Path:
        """Root of the published segments and playlists."""
        return self.data_dir / "hls"

    @property
    def work_dir(self) -> Path:
        """Scratch space of the encoders (segments being written)."""
        return self.data_dir / "work"

    @property
    def node_name(self) -> str:
        """This node's name: ``node_id``, else host name and port (stable across restarts)."""
        return self.node_id or f"{socket.gethostname()}:{self.port}"

    @property
    def room_directory_url(self) -> str:
        """The room directory's URL, defaulting to ``rooms.db`` in the data dir."""
        return self.directory_url or f"sqlite://{(self.data_dir / 'rooms.db').resolve()}"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced (None values ignored)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return Settings(**values)


_ENV_NAMES = {
    "directory_url": "LIVESTAGE_DIRECTORY",
    "renditions_kbps": "LIVESTAGE_RENDITIONS",
}


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Read ``LIVESTAGE_*`` variables over the defaults."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = _ENV_NAMES.get(f.name, "LIVESTAGE_" + f.name.upper())
        if name not in env:
            continue
        raw = env[name]
        default = getattr(Settings, f.name)
        if isinstance(default, bool):
            values[f.name] = _flag(raw)
        elif isinstance(default, int):
            values[f.name] = int(raw)
        elif isinstance(default, tuple):
            values[f.name] = tuple(int(part) for part in raw.split(",") if part.strip())
        elif isinstance(default, Path):
            values[f.name] = Path(raw)
        else:
            values[f.name] = raw
    return Settings(**values)
