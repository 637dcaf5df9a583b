"""IP addresses are masked in every log line gunicorn writes; other numbers are kept."""
import logging

import pytest

from consent_server.logmask import MaskingFormatter, mask_addresses


@pytest.mark.parametrize("line,expected", [
    ("Invalid request from ip=203.0.113.9: Invalid HTTP Version", "Invalid request from ip=[ip]: Invalid HTTP Version"),
    ("Invalid request from ip=::1: bad", "Invalid request from ip=[ip]: bad"),
    ("peer 2001:db8::1%eth0 and fe80::1", "peer [ip] and [ip]"),
    ("mapped ::ffff:10.0.0.1 and 64:ff9b::192.0.2.33", "mapped [ip] and [ip]"),
    ("Listening at: http://127.0.0.1:8000 (12)", "Listening at: http://[ip]:8000 (12)"),
    ("[2001:0db8:0000:0000:0000:0000:0000:0001]:443", "[[ip]]:443"),
])
def test_addresses_are_masked(line, expected):
    assert mask_addresses(line) == expected


@pytest.mark.parametrize("line", ["at 07:53:42 on 2026-11-22", "version 1.2.3.4.5", "999.1.1.1",
                                  "a::b::c", "ab:cd", "took 12.5ms"])
def test_times_versions_and_non_addresses_are_kept(line):
    assert mask_addresses(line) == line


def test_the_formatter_masks_message_and_traceback():
    formatter = MaskingFormatter(logging.Formatter("%(levelname)s %(message)s"))
    try:
        raise ValueError("connect to 198.51.100.7 failed")
    except ValueError:
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "from %s", ("198.51.100.8",),
                                   exc_info=__import__("sys").exc_info())
    text = formatter.format(record)
    assert "198.51.100" not in text and text.startswith("WARNING from [ip]") and "connect to [ip] failed" in text
