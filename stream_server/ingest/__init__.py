"""Ingest: performers' connections in, PCM on the room's bus out.

Enters: Icecast source requests (HTTP PUT and the legacy ``SOURCE`` method, Basic or Bearer
auth), browser MediaRecorder chunks, and the keys they carry. Admission lets a publisher in
(throttle, room, key, codec, one connection per key) or refuses it with a JSON reason that is
counted; each admitted connection gets one decoder process whose PCM leaves for a bus input
of ``pipeline`` (Ogg repaired page by page on the way, a stopped decoder started again).
Song titles enter too, through Icecast's ``/admin/metadata`` or inside Ogg streams, and leave
as the room's now-playing.
"""
