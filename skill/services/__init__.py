"""Calls from the skill to Alexa's own APIs, at the request's ``apiEndpoint``.

In: the ``HandlerInput`` (its API endpoint and access token) and reminder values. Out:
the outcome of a reminder (``reminders``), the device's time zone or the configured
default (``device_time``); a failed call becomes an outcome or the default, never an
exception. ``api_client`` is their HTTP transport, on the standard library.
"""
