"""The error a service raises when a request breaks one of its rules.

The message is an English template marked with ``N_`` (pybabel extracts it into the
catalogs) and its values: ``str(exc)`` is the English (API answers, CLI, logs) and
``translate(exc, gettext)`` the same in the admin's language.
"""
from __future__ import annotations

from collections.abc import Callable


class ServiceError(ValueError):
    def __init__(self, template: str, **values: object):
        super().__init__(template % values if values else template)
        self.template = template
        self.values = values


def translate(exc: Exception, gettext: Callable[..., str]) -> str:
    """The error's message through ``gettext(template, **values)`` (Flask-Babel's signature)."""
    if isinstance(exc, ServiceError):
        return gettext(exc.template, **exc.values)
    return str(exc)
