"""Headers of the HTML pages: a strict Content-Security-Policy and friends.

Scripts and styles come only from this server (no inline code); media may be a blob
(hls.js feeds the audio element through Media Source Extensions) or the empty ``data:,WEBVTT``
that hls.js gives each caption track it adds (browsers keep the cues of a sourced track);
XHR may also reach the public stream origin when ``LIVESTAGE_PUBLIC_URL`` points elsewhere
(a CDN).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, or "" when it has none."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(stream_base_url: str) -> str:
    """The page policy: everything from 'self', streams also from ``stream_base_url``'s origin."""
    stream_origin = origin_of(stream_base_url)
    connect = " ".join(filter(None, ["'self'", stream_origin]))
    media = " ".join(filter(None, ["'self'", "blob:", "data:", stream_origin]))
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        f"media-src {media}",
        f"connect-src {connect}",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def page_headers(stream_base_url: str) -> dict[str, str]:
    """Every header an HTML page of ours carries."""
    return {
        "Content-Security-Policy": content_security_policy(stream_base_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
