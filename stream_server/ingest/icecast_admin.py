"""Icecast's ``/admin/metadata``: a performer's tool announces the song on air.

``GET /admin/metadata?mode=updinfo&mount=/ingest/<room id>&song=Artist%20-%20Title`` (or
``title`` and ``artist``; ``charset`` names their encoding) is what liquidsoap, BUTT and
Mixxx send; libshout 2.4.6 (ezstream, ices, GStreamer's shout2send, mpd) sends the same
fields as a form in ``POST /admin/metadata``. Both are taken. libshout sends it first
without credentials and expects ``401`` with ``WWW-Authenticate: Basic`` before it sends
``source:<stream key>``; the room's host and co-host keys and the admin token are taken
(``stream_server.auth`` decides). Answers are Icecast's small XML documents.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request

from stream_server import auth
from stream_server.auth import Caller, room_or_none
from stream_server.ingest.song_titles import query_fields, song_title
from stream_server.ops.services import current_services

log = logging.getLogger(__name__)

bp = Blueprint("icecast_admin", __name__)

#: what libshout's challenge looks like on Icecast itself
CHALLENGE = 'Basic realm="Icecast2 Server"'
#: largest form body read from a title update (bytes)
MAX_FORM_BYTES = 16 * 1024
#: mount prefixes a tool may name before the room id
_MOUNT_PREFIXES = ("/ingest/", "/")


def ice_response(message: str, status: int = 200) -> Response:
    """Icecast's ``<iceresponse>`` XML with a message and ``return`` 1 (success) or 0."""
    text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = (f'<?xml version="1.0"?>\n<iceresponse><message>{text}</message>'
            f"<return>{1 if status == 200 else 0}</return></iceresponse>\n")
    return Response(body, status=status, mimetype="text/xml")


def room_of_mount(mount: str) -> str:
    """The room id a mount names (``/ingest/<id>``, or ``/<id>`` as some tools are set up)."""
    for prefix in _MOUNT_PREFIXES:
        if mount.startswith(prefix):
            return mount[len(prefix):].strip("/")
    return mount.strip("/")


def _request_fields() -> dict[str, str]:
    """The update's fields: the query's, and a form body's over them (libshout's POST)."""
    fields = query_fields(request.query_string)
    if request.method == "POST" and (request.content_length or 0) <= MAX_FORM_BYTES:
        fields |= query_fields(request.get_data(cache=False)[:MAX_FORM_BYTES])
    return fields


@bp.route("/admin/metadata", methods=["GET", "POST"])
@bp.route("/admin/metadata.xsl", methods=["GET", "POST"])
def update_metadata() -> Response:
    """Take a song title for a room on air (``mode=updinfo``) from its performer or the admin."""
    fields = _request_fields()
    room_id = room_of_mount(fields.get("mount", ""))
    room = room_or_none(room_id)
    auth.require(room, Caller.ADMIN, Caller.HOST, Caller.COHOST, basic=True, room_id=room_id,
                 message="the room's stream key or the admin token is required", challenge=CHALLENGE)
    if fields.get("mode") != "updinfo":
        return ice_response("only mode=updinfo is supported", 400)
    if room is None:
        return ice_response("Source does not exist", 404)
    song = song_title(fields.get("song", ""), fields.get("title", ""), fields.get("artist", ""))
    if song is None:
        return ice_response("No metadata given", 400)
    track = current_services().on_air.set_now_playing(room.id, song.title, song.artist)
    if track is None:
        log.info("room %s: a song title arrived while the room is not on air here", room.id)
        return ice_response("Source is not on air", 409)
    return ice_response("Metadata update successful")
