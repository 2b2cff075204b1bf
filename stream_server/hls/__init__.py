"""HLS packaging: finished encoder segments in, published segments and playlists out.

Enters: segment files from the encoder with their durations. ``names`` says what every
published file is called; ``playlist`` holds playlists as plain values rendered by pure
functions (RFC 8216); ``transport`` puts each segment's tables in the order players expect;
the packager keeps each show's live window, discontinuities and replay, and hands files to a
segment store in order (segment before the playlist naming it); ``show_log`` is the durable
record of what a show published; ``tracks`` the record of the songs it announced, which the
playlists carry as ``EXT-X-DATERANGE``.
"""
