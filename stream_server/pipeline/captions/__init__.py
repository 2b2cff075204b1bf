"""Live captions: the program a room's listeners hear in, timed words out, on this machine.

Enters: the room's program PCM after loudness, tapped on the bus clock thread (a reference
appended to a bounded queue, nothing more). A thread per captioned room downmixes it to
16 kHz mono and hands it to a recogniser process of its own (``worker``: pocketsphinx and
the English model its wheel ships; ``process`` speaks to it); words grouped into cues
leave for ``hls``'s ``CaptionTrack``. A room without captions has no captioner: no thread,
no process, no model loaded.
"""
