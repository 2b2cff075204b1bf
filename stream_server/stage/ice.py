"""ICE for the stage: the servers browsers are told about, and the candidates the server offers.

Browsers get the STUN/TURN servers (``LIVESTAGE_STAGE_ICE_SERVERS``) in the WHIP answer's
``Link`` headers (RFC 9725 section 4.6) and in the room's stage JSON. TURN credentials are either
fixed (``LIVESTAGE_STAGE_TURN_USERNAME``/``_CREDENTIAL``) or made per join from coturn's shared
secret (``LIVESTAGE_STAGE_TURN_SECRET``, the "TURN REST API": user ``<expiry>:livestage``,
password base64 HMAC-SHA1 of it), so no long-lived TURN password reaches a page.

The server itself gathers no STUN or TURN candidates: it offers one host candidate per
``LIVESTAGE_STAGE_MEDIA_ADDRESSES`` entry (default: the address it listens on), on a UDP port
from ``LIVESTAGE_STAGE_UDP_PORTS``. An address this machine does not have (a public address in
front of a 1:1 NAT, as on EC2) is offered as is while the socket listens on all interfaces.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import hashlib
import hmac
import random
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aioice import Candidate, Connection
from aioice.ice import StunProtocol, candidate_foundation, candidate_priority, get_host_addresses

from stream_server.ops.config import Settings

#: Lifetime of TURN credentials made from the shared secret (seconds).
TURN_CREDENTIAL_SECONDS = 12 * 3600


@dataclass(frozen=True)
class IceSettings:
    """The stage's ICE configuration, read once from the settings."""

    servers: tuple[str, ...] = ()
    turn_username: str = ""
    turn_credential: str = ""
    turn_secret: str = ""
    ports: tuple[int, int] = (40000, 40999)
    addresses: tuple[str, ...] = ("127.0.0.1",)


def parse_port_range(text: str) -> tuple[int, int]:
    """``"40000-40999"`` as (40000, 40999); ValueError unless 1024 <= low <= high <= 65535."""
    low, sep, high = text.strip().partition("-")
    first, last = int(low), int(high if sep else low)
    if not 1024 <= first <= last <= 65535:
        raise ValueError(f"UDP port range {text!r} must be LOW-HIGH within 1024-65535")
    return first, last


def ice_settings(settings: Settings) -> IceSettings:
    """The ICE part of the server's settings, with the media addresses defaulted."""
    addresses = tuple(a.strip() for a in settings.stage_media_addresses.split(",") if a.strip())
    if not addresses:
        if settings.host in ("", "0.0.0.0", "::"):
            addresses = ("127.0.0.1", *get_host_addresses(use_ipv4=True, use_ipv6=False))
        else:
            addresses = (settings.host,)
    return IceSettings(
        servers=tuple(s.strip() for s in settings.stage_ice_servers.split(",") if s.strip()),
        turn_username=settings.stage_turn_username, turn_credential=settings.stage_turn_credential,
        turn_secret=settings.stage_turn_secret, ports=parse_port_range(settings.stage_udp_ports),
        addresses=addresses,
    )


def _turn_credentials(ice: IceSettings, now: float) -> tuple[str, str]:
    if ice.turn_secret:
        username = f"{int(now) + TURN_CREDENTIAL_SECONDS}:livestage"
        digest = hmac.new(ice.turn_secret.encode(), username.encode(), hashlib.sha1).digest()
        return username, base64.b64encode(digest).decode()
    return ice.turn_username, ice.turn_credential


def browser_ice_servers(ice: IceSettings, now: float | None = None) -> list[dict[str, Any]]:
    """The servers as ``RTCPeerConnection({iceServers})`` takes them, TURN with its credentials."""
    username, credential = _turn_credentials(ice, time.time() if now is None else now)
    out: list[dict[str, Any]] = []
    for url in ice.servers:
        entry: dict[str, Any] = {"urls": url}
        if url.startswith("turn"):
            entry |= {"username": username, "credential": credential}
        out.append(entry)
    return out


def link_headers(ice: IceSettings, now: float | None = None) -> list[str]:
    """One ``Link: <url>; rel="ice-server"`` value per server (RFC 9725 section 4.6)."""
    values = []
    for entry in browser_ice_servers(ice, now):
        value = f'<{entry["urls"]}>; rel="ice-server"'
        if "username" in entry:
            value += (f'; username="{entry["username"]}"; credential="{entry["credential"]}"'
                      '; credential-type="password"')
        values.append(value)
    return values


def _bind_in_range(loop: asyncio.AbstractEventLoop, factory: Callable[[], StunProtocol], address: str,
                   ports: tuple[int, int]) -> Any:
    async def bind() -> tuple[Any, StunProtocol, int] | None:
        candidates = list(range(ports[0], ports[1] + 1))
        random.shuffle(candidates)
        host = address
        for port in candidates[:200]:  # a crowded range: give up after 200 tries
            try:
                transport, protocol = await loop.create_datagram_endpoint(factory, local_addr=(host, port))
                return transport, protocol, port
            except OSError as exc:
                if exc.errno == errno.EADDRNOTAVAIL and host != "0.0.0.0":
                    host = "0.0.0.0"  # not ours (a NAT's public address): listen everywhere
                    try:
                        transport, protocol = await loop.create_datagram_endpoint(
                            factory, local_addr=(host, port))
                        return transport, protocol, port
                    except OSError:
                        continue
        return None

    return bind()


def offer_configured_candidates(connection: Connection, ice: IceSettings) -> None:
    """Make ``connection`` gather one host candidate per configured address, in the port range.

    aioice gathers on every interface but loopback, on any port, and has no setting for either;
    its ``get_component_candidates`` is the one step that picks addresses and ports, so this
    connection gets its own version of that step.
    """

    async def get_component_candidates(self: Connection, component: int, addresses: list[str],
                                       timeout: int = 5) -> list[Candidate]:
        loop = asyncio.get_running_loop()
        candidates: list[Candidate] = []
        for address in ice.addresses:
            bound = await _bind_in_range(loop, lambda: StunProtocol(self), address, ice.ports)
            if bound is None:
                continue
            _, protocol, port = bound
            protocol.local_candidate = Candidate(
                foundation=candidate_foundation("host", "udp", address), component=component,
                transport="udp", priority=candidate_priority(component, "host"), host=address,
                port=port, type="host")
            self._protocols.append(protocol)
            candidates.append(protocol.local_candidate)
        return candidates

    connection.get_component_candidates = types.MethodType(  # type: ignore[method-assign]
        get_component_candidates, connection)
