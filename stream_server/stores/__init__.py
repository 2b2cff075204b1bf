"""Segment stores: published files in, durable bytes out.

Enters: named files from the packager. ``port`` is the Protocol every consumer types against;
its adapters are a local folder (the embedded default), memory (tests and tools), S3, and a
retrying wrapper that spools through an outage of the store it wraps. ``factory`` is the one
place that picks an adapter from the settings.
"""
