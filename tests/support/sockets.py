"""Raw sockets for tests that speak HTTP by hand."""

from __future__ import annotations

import socket
import time


def read_until_closed(sock: socket.socket, wait: float) -> bytes:
    """Everything the server sends until it closes, resets, or ``wait`` seconds pass."""
    received = b""
    deadline = time.monotonic() + wait
    sock.settimeout(wait)
    while time.monotonic() < deadline:
        try:
            piece = sock.recv(1 << 20)
        except (TimeoutError, ConnectionResetError):
            break
        if not piece:
            break
        received += piece
    return received
