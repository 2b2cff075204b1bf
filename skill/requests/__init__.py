"""Request glue: what handlers read from an Alexa request and write back into it.

In: the SDK's ``HandlerInput`` (the envelope, session and persistent attributes) and
the directory's narrow readers. Out: slot text, device capabilities and the
AudioPlayer's token (``envelope``), the rooms offered on the previous turn (``offers``),
the listener's remembered rooms, follows and replay offsets (``listener_state``), and
the responses that start or resume a play (``playing``, ``resume``). Decisions are the
core's; this layer only moves values between the request and it.
"""
