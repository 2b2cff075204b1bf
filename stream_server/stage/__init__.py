"""The stage: people talking live in a room over WebRTC, mixed into the room's program.

Enters: WHIP offers (``POST /whip/<room>``, RFC 9725) with a room key, then each member's
Opus over RTP. Leaves: to every member who listens, the mix of everyone else on stage plus
the room's other bus inputs (mix-minus, 20 ms frames, Opus); to the room's audio bus, the
stage mix as one more input, so the program, renditions and replays carry the conversation.

    whip        the HTTP exchange (offer, answer, trickle, leave), keys via ``auth``
    registry    who is on stage in which room; cut a member at once (revoke, remove, show end)
    engine      the port an engine implements; ``aiortc_engine`` (in process), ``memory_engine``
    room_stage  one room's 20 ms mixer: receive buffers in, mix-minus and stage mix out
    bus_link    the stage's input on the room's bus and the bus's return feed, resampled
    receive_buffer, opus, mix, ice   the pieces: jitter buffer with FEC/PLC, libopus, the sums, ICE
"""
