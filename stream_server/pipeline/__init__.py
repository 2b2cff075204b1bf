"""The pipeline: PCM from publishers in, continuous AAC segments of the room's program out.

Enters: one PCM input per publisher. The room's bus mixes them every 20 ms on the wall clock
(one clock thread for every room), fills gaps with room tone and meters levels; loudness
levels the program; one long-lived encoder per room and show cuts it into MPEG-TS segments
that leave for ``hls``'s packager. ``captions/`` turns the program of a room with captions
into timed words, off the clock thread, for ``hls``'s subtitle rendition. ``on_air`` starts
a room's pipeline with its first publisher and ends it with the show; ``shows`` keeps the
show records, retention and the sweep of unlisted files; ``leases`` says which server runs
a room; ``processes`` owns every child process.
"""
