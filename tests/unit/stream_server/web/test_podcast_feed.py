"""The podcast feed writer: valid by the podcast rules, and the rule check can fail."""

from __future__ import annotations

import dataclasses
import uuid

import feedparser

from stream_server.web.podcast_feed import Episode, FeedInfo, podcast_guid, render_feed
from tests.support.podcast_rules import feed_problems

INFO = FeedInfo(title="Late Jazz", link="https://live.example/", description="Jazz at night",
                feed_url="https://live.example/podcasts/rooms/jazz.xml", author="Mia Santos",
                image_url="https://live.example/static/podcast-cover.png")
EPISODE = Episode(guid="livestage:jazz:s1", title="Late Jazz", description="", length=123456,
                  url="https://live.example/hls/jazz/s1.m4a", published=1_900_000_000.0,
                  duration=3671.4, chapters_url="https://live.example/hls/jazz/s1.chapters.json")


def test_the_podcast_guid_is_the_uuid5_of_the_bare_feed_url() -> None:
    guid = uuid.UUID(podcast_guid("https://live.example/podcasts/rooms/jazz.xml"))
    assert guid.version == 5
    assert guid == uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a0b6f3fa1c7e"),
                              "live.example/podcasts/rooms/jazz.xml")
    assert podcast_guid("http://live.example/podcasts/rooms/jazz.xml/") == str(guid)


def test_a_feed_with_chapters_is_valid_and_reads_back() -> None:
    xml = render_feed(INFO, [EPISODE, dataclasses.replace(EPISODE, guid="livestage:jazz:s2",
                                                          published=1_900_100_000.0,
                                                          chapters_url="")])
    assert feed_problems(xml) == []
    feed = feedparser.parse(xml)
    assert not feed.bozo
    assert [e.id for e in feed.entries] == ["livestage:jazz:s2", "livestage:jazz:s1"]
    assert feed.entries[1].itunes_duration == "3671"
    assert xml.count(b"<podcast:chapters ") == 1 and b'type="application/json+chapters"' in xml


def test_the_rule_check_catches_what_apps_need() -> None:
    broken = render_feed(dataclasses.replace(INFO, image_url="cover.png"),
                         [EPISODE, dataclasses.replace(EPISODE, length=0)])
    problems = feed_problems(broken)
    assert "channel has no itunes:image URL" in problems
    assert "item livestage:jazz:s1: missing or repeated guid" in problems
    assert "item livestage:jazz:s1: enclosure length not a positive integer" in problems
