"""Serving: listeners' GET /hls/… requests in, playlists and segments with the right headers out.

``rules`` are the pure rules every path shares (which file a request names, private rooms'
signed paths, cache headers); ``view`` is the Flask route, ``fast`` the embedded fast path
that answers without WSGI; ``private`` marks private rooms for file servers and
``edge_keys`` for CloudFront's edge function; ``listeners`` counts who fetched a playlist
lately, from any path or from nginx's log (``nginx_log``); ``cloudfront_log`` turns
CloudFront's access logs into listeners per room and minute in the directory; ``analytics``
puts the figures together and keeps them in each show's record.
"""
