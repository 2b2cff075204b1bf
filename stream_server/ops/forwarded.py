"""The client behind the proxies the operator trusts, read from ``X-Forwarded-For`` or ``X-Real-IP``.

Pure: ``stream_server.auth`` asks it with the connecting address, the two headers and the
trusted networks (``LIVESTAGE_TRUSTED_PROXIES``), and counts wrong keys against the answer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def forwarded_client(remote: str, forwarded_for: str | None, real_ip: str | None,
                     trusted: Sequence[Network]) -> str:
    """The client behind ``remote``: ``X-Forwarded-For`` read from the right past trusted proxies."""

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    if not hops and real_ip:
        hops = [real_ip.strip()]
    nearest = remote
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return nearest  # a hop nobody trusted could write: the last trusted one answers for it
        nearest = hop
        if not is_trusted(hop):
            return hop
    return nearest
