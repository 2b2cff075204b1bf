"""A podcast feed as RSS 2.0: feedgen writes the channel, items and iTunes tags; lxml adds
the Podcasting 2.0 tags (``podcast:guid``, ``podcast:locked``, ``podcast:chapters``).

Pure apart from building XML: every value comes in as a ``FeedInfo`` and ``Episode``s.
What podcast apps rely on: an enclosure with its length and type, a duration, a GUID that
never changes (``livestage:<room>:<show>``, not a URL, so a moved server keeps it), and
artwork. The channel's ``podcast:guid`` is the UUIDv5 of the feed URL without its scheme,
as the Podcasting 2.0 namespace defines it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

#: The Podcasting 2.0 namespace and the UUID namespace its ``podcast:guid`` uses.
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a0b6f3fa1c7e")
#: The enclosure type of an episode (AAC in MP4).
EPISODE_TYPE = "audio/mp4"


@dataclass(frozen=True)
class FeedInfo:
    """The channel: a room's shows, or a host's."""

    title: str
    link: str
    feed_url: str
    description: str
    author: str
    image_url: str
    language: str = "en"
    category: str = "Music"


@dataclass(frozen=True)
class Episode:
    """One ended show's episode."""

    guid: str
    title: str
    description: str
    url: str
    length: int
    published: float
    duration: float
    image_url: str = ""
    chapters_url: str = ""


def podcast_guid(feed_url: str) -> str:
    """The channel's ``podcast:guid``: UUIDv5 of the feed URL without scheme or trailing slash."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def render_feed(info: FeedInfo, episodes: Sequence[Episode]) -> bytes:
    """The feed's XML (UTF-8), newest episode first."""
    feed = FeedGenerator()
    feed.load_extension("podcast")
    feed.title(info.title)
    feed.link(href=info.link, rel="alternate")
    feed.description(info.description or info.title)
    feed.language(info.language)
    feed.author(name=info.author)
    feed.image(url=info.image_url, title=info.title, link=info.link)
    feed.podcast.itunes_author(info.author)
    feed.podcast.itunes_image(info.image_url)
    feed.podcast.itunes_category(info.category)
    feed.podcast.itunes_explicit("no")
    feed.podcast.itunes_type("episodic")
    for episode in sorted(episodes, key=lambda e: e.published):  # feedgen prepends entries
        entry = feed.add_entry()
        entry.guid(episode.guid, permalink=False)
        entry.title(episode.title)
        entry.description(episode.description or episode.title)
        entry.enclosure(episode.url, str(episode.length), EPISODE_TYPE)
        entry.pubDate(datetime.fromtimestamp(episode.published, UTC))
        entry.podcast.itunes_duration(int(round(episode.duration)))
        if episode.image_url:
            entry.podcast.itunes_image(episode.image_url)
    return _with_podcast_namespace(feed.rss_str(pretty=True), info, episodes)


def _with_podcast_namespace(xml: bytes, info: FeedInfo, episodes: Sequence[Episode]) -> bytes:
    old = etree.fromstring(xml)
    nsmap = {**old.nsmap, "podcast": PODCAST_NS}
    root = etree.Element(old.tag, nsmap=nsmap, attrib=dict(old.attrib))
    root.extend(list(old))
    channel = root.find("channel")
    assert channel is not None  # feedgen always writes one
    etree.SubElement(channel, f"{{{PODCAST_NS}}}guid").text = podcast_guid(info.feed_url)
    etree.SubElement(channel, f"{{{PODCAST_NS}}}locked").text = "no"
    chapters = {e.guid: e.chapters_url for e in episodes if e.chapters_url}
    for item in channel.iter("item"):
        guid = item.findtext("guid")
        if guid in chapters:
            etree.SubElement(item, f"{{{PODCAST_NS}}}chapters", url=chapters[guid],
                             type="application/json+chapters")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
