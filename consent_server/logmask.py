"""No raw IP address in any log line: a formatter wrapper that masks addresses, and the
gunicorn logger class that puts it on gunicorn's error and access logs (gunicorn.conf.py).

gunicorn writes client addresses on its own, outside the access log format, e.g.
``Invalid request from ip=203.0.113.9: Invalid HTTP Version`` for a malformed request.
Every formatted line (message and traceback) goes through ``mask_addresses``.
"""
from __future__ import annotations

import ipaddress
import logging
import re

from gunicorn.glogging import Logger

MASK = "[ip]"
# Candidates only; a candidate is masked when it parses as an address (so "07:53:42" and
# "1.2.3.4.5" stay). An IPv6 candidate may end in the ":" of a port or of a message.
_IPV6 = re.compile(r"(?<![\w:.])(?:(?:[0-9A-Fa-f]{0,4}:){2,6}\d{1,3}(?:\.\d{1,3}){3}"
                   r"|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,8})(?:%\w+)?")
_IPV4 = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)")


def _mask(match: re.Match) -> str:
    text = match.group(0)
    candidate = text.rstrip(":")
    try:
        ipaddress.ip_address(candidate.split("%", 1)[0])
    except ValueError:
        return text
    return MASK + text[len(candidate):]


def mask_addresses(text: str) -> str:
    return _IPV4.sub(_mask, _IPV6.sub(_mask, text))


class MaskingFormatter(logging.Formatter):
    """Formats with ``inner`` and masks every IP address in the result."""

    def __init__(self, inner: logging.Formatter | None):
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return mask_addresses(self.inner.format(record))


class MaskedLogger(Logger):
    """gunicorn's logger with every handler of its error and access logs masked."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log, logging.getLogger()):
            for handler in log.handlers:
                if not isinstance(handler.formatter, MaskingFormatter):
                    handler.setFormatter(MaskingFormatter(handler.formatter))
