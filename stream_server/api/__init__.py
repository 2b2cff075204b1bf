"""The room API: JSON requests in, room directory changes and JSON answers out.

Rooms (create, list, get, update, end), co-host keys and mute, shows and replays, listeners'
messages to the host, field validation and the OpenAPI document that describes them all;
Icecast's status document (``/status-json.xsl``) for the tools that poll it.
Who may call each route is decided by ``stream_server.auth``.
"""
