"""The pages: the listener page and the performer console, with their scripts and styles.

Enters: browser requests for ``/`` and ``/console``. Leaves: HTML under a strict
Content-Security-Policy; everything room-specific is fetched by the pages' scripts from the
API. ``static/`` and ``templates/`` are the app's only static and template folders.
"""
