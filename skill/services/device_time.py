"""The listener's time zone: the device's setting (Alexa settings API), else the default.

``GET {apiEndpoint}/v2/devices/{deviceId}/settings/System.timeZone`` needs no consent.
A failure (no API access in a simulator, a timeout) falls back to ``SkillConfig.time_zone``;
the answer is cached on the request attributes for the rest of the request.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_device_id

log = logging.getLogger(__name__)

_CACHE_KEY = "deviceTimeZone"


def device_time_zone(handler_input: HandlerInput, default: str) -> str:
    """The device's IANA time zone, or ``default``."""
    cache = handler_input.attributes_manager.request_attributes
    if _CACHE_KEY in cache:
        return str(cache[_CACHE_KEY])
    zone = default
    try:
        device_id = get_device_id(handler_input)
        if device_id:
            ups = handler_input.service_client_factory.get_ups_service()
            answer = ups.get_system_time_zone(device_id=device_id)
            if isinstance(answer, str) and answer:
                ZoneInfo(answer)  # a name we cannot use is as good as none
                zone = answer
    except (ZoneInfoNotFoundError, ValueError) as exc:
        log.info("device time zone unusable: %s", exc)
    except Exception as exc:  # noqa: BLE001 - any API failure means: use the default
        log.info("device time zone unavailable: %s", exc)
    cache[_CACHE_KEY] = zone
    return zone
