"""An independent check of a podcast feed, from the requirements podcast directories publish.

Written from Apple Podcasts' RSS requirements and the Podcasting 2.0 namespace, reading
the XML with the standard library (not with the code that wrote it): the channel has a
title, link, description, language, ``itunes:image`` (an http(s) URL), ``itunes:category``,
``itunes:explicit`` and an author; every item has a title, an enclosure with an http(s)
URL, a positive integer length and an audio type, a GUID unique in the feed, an RFC 2822
``pubDate`` and an ``itunes:duration``; ``podcast:guid`` is a UUID version 5.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"


def feed_problems(xml: bytes) -> list[str]:
    """Every requirement ``xml`` misses (empty: the feed is fine)."""
    problems: list[str] = []
    root = ET.fromstring(xml)
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        return ["not an RSS 2.0 document with a channel"]
    for tag in ("title", "link", "description", "language"):
        if not (channel.findtext(tag) or "").strip():
            problems.append(f"channel has no {tag}")
    image = channel.find(f"{ITUNES}image")
    if image is None or not (image.get("href") or "").startswith(("http://", "https://")):
        problems.append("channel has no itunes:image URL")
    if channel.find(f"{ITUNES}category") is None:
        problems.append("channel has no itunes:category")
    if channel.findtext(f"{ITUNES}explicit") not in ("yes", "no", "true", "false", "clean"):
        problems.append("channel has no valid itunes:explicit")
    if not (channel.findtext(f"{ITUNES}author") or "").strip():
        problems.append("channel has no itunes:author")
    try:
        if uuid.UUID(channel.findtext(f"{PODCAST}guid") or "").version != 5:
            problems.append("podcast:guid is not a UUID v5")
    except ValueError:
        problems.append("channel has no podcast:guid")
    guids: set[str] = set()
    for item in channel.findall("item"):
        guid = item.findtext("guid") or ""
        label = guid or item.findtext("title") or "?"
        if not guid or guid in guids:
            problems.append(f"item {label}: missing or repeated guid")
        guids.add(guid)
        if not (item.findtext("title") or "").strip():
            problems.append(f"item {label}: no title")
        enclosure = item.find("enclosure")
        if enclosure is None:
            problems.append(f"item {label}: no enclosure")
        else:
            if not (enclosure.get("url") or "").startswith(("http://", "https://")):
                problems.append(f"item {label}: enclosure URL not http(s)")
            if not (enclosure.get("length") or "").isdigit() or int(enclosure.get("length") or 0) <= 0:
                problems.append(f"item {label}: enclosure length not a positive integer")
            if not (enclosure.get("type") or "").startswith("audio/"):
                problems.append(f"item {label}: enclosure type not audio")
        try:
            parsedate_to_datetime(item.findtext("pubDate") or "")
        except (TypeError, ValueError):
            problems.append(f"item {label}: pubDate not RFC 2822")
        duration = item.findtext(f"{ITUNES}duration") or ""
        if not duration.replace(":", "").isdigit():
            problems.append(f"item {label}: no itunes:duration")
    return problems
