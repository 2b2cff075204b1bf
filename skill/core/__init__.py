"""The skill's pure cores: decisions and answers computed from values, with no I/O.

In: rooms and shows (``room_directory.models``), what was said, a locale's catalogs, the
skill's configuration and a clock reading passed as a number. Out: plain values and
ask-sdk model objects: which room was named (``matching``, scored by ``room_scoring``,
searched through ``room_index``; ``normalise``), what "join"
does (``join_decision``), sentences (``speech``, ``schedule_words``), AudioPlayer
directives and their tokens (``directives``, ``tokens``), dynamic entities and the APL
room list (``entities``, ``screens``). Nothing here reads a request, a file, a database
or the network, so every rule is tested with plain values.
"""
