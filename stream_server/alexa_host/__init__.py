"""The skill hosted as a web service: Alexa's signed POST /alexa in, the skill's response out.

Every check Amazon requires runs before the skill sees a request: the certificate chain URL
rules, the certificate fetched (memory, disk cache, network) and verified to a trusted root,
the signature over the raw body, the timestamp window and the skill id. Any failure answers
400, never a handler's output.
"""
