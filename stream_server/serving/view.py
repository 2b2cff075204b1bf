"""GET /hls/<room id>/<file>: playlists and segments with the headers HLS needs, and who may hear them.

Access rules (room_directory/access.py holds the signing scheme):

* a **public** room's files are served on the plain path ``/hls/<room>/<file>``;
* a **private** room's files are served only under a signed prefix
  ``/hls/<room>/s/<expires>/<sig>/<file>``; its plain path answers 403, and so does the
  signed path when the signature is forged or has expired;
* the signed path of a public room is served as well when its signature is genuine (a room
  made public mid-show keeps playing for listeners who hold signed URLs); a forged or
  expired one is 403 whatever the room;
* a room the directory does not know is 404, and so is any name outside the HLS file
  pattern (so no path ever leaves ``<hls_dir>/<room>/``); a malformed signed prefix is 403;
* ``…/t/<token>/<file>`` (after the room or its signed prefix) is the same file, fetched
  with a listener token.

The rules themselves live in ``hls_rules.resolve``, shared with the embedded fast path; the
nginx recipe implements the same ones in njs.

A playlist fetch carrying a valid listener token (in the path, or ``?lt=``) counts that
listener. Relative URIs inherit a path token; a master playlist fetched with ``?lt=`` is
served with the token added to its variant URIs, so the player's polls keep counting.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, request, send_from_directory
from flask.typing import ResponseReturnValue

from room_directory import RoomDirectoryError
from stream_server.ops.services import Services, current_services
from stream_server.serving.private import is_private
from stream_server.serving.rules import (
    HlsTarget,
    add_token_to_variants,
    cache_control,
    content_type,
    request_token,
    resolve,
)

bp = Blueprint("hls", __name__)


def _room_private(services: Services, room_id: str) -> bool | None:
    """Whether the room's files need a signed path; None when the directory does not know the room.

    The directory decides, and the ``.private`` marker kept by ``PrivateMarkerSync`` (what the
    fast path and nginx read) can only close a room further. 503 when the directory fails.
    """
    try:
        room = services.directory.get(room_id)
    except RoomDirectoryError:
        abort(503)
    if room is None:
        return None
    return room.private or is_private(services.settings.hls_dir, room_id)


def _serve(target: HlsTarget) -> ResponseReturnValue:
    services = current_services()
    settings = services.settings
    token = (request_token(target, request.query_string.decode("latin-1"), settings.url_secret)
             if target.is_playlist else None)
    room_dir = settings.hls_dir.resolve() / target.room_id
    response: Response
    if token is not None and target.token is not None:  # relative URIs inherit it: the file as it is
        if (room_dir / target.name).is_file():
            services.listeners.seen(target.room_id, token)
        token = None
    if token is not None:
        services.listeners.seen(target.room_id, token)
        try:
            text = (room_dir / target.name).read_text(encoding="utf-8")
        except OSError:
            abort(404)
        if "#EXT-X-STREAM-INF" in text:
            text = add_token_to_variants(text, token)
        response = Response(text, mimetype=content_type(target))
    else:
        # the bare type: Werkzeug adds "; charset=utf-8" to text types itself
        response = send_from_directory(room_dir, target.name, mimetype=content_type(target).split(";")[0],
                                       max_age=None, conditional=True)
    response.headers["Cache-Control"] = cache_control(target, settings.segment_seconds)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/hls/<path:rest>")
def hls_file(rest: str) -> ResponseReturnValue:
    """A playlist or segment (conditional GET included), under the rules of ``hls_rules.resolve``.

    The same rules as the fast path and nginx: 404 for an unknown room or a name outside the
    layout, 403 for a private room's plain path or a malformed, forged or expired signature.
    """
    services = current_services()
    target = resolve(f"/hls/{rest}", room_private=lambda room_id: _room_private(services, room_id),
                     secret=services.settings.url_secret, now=time.time())
    if isinstance(target, int):
        abort(target)
    return _serve(target)
