"""Request -> banner language.

Order: the ``data-lang`` attribute, the page's ``<html lang>``, the browser's
Accept-Language (Werkzeug parses it and picks the best quality), the official
languages of the visitor's country (Babel's CLDR territory data), the site
default. Each tag is mapped to one of the supported Babel locale ids through
CLDR: likely scripts (zh-TW -> zh_Hant), parent locales (es-MX -> es_419,
en-GB -> en, pt-AO -> pt_PT -> pt) and language families (nn, no -> nb).
Nothing here raises on visitor input.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.languages import get_official_languages
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

_TAG_RE = re.compile(r"[A-Za-z0-9]{1,8}(?:[-_][A-Za-z0-9]{1,8}){0,7}")
_MAX_ACCEPT_ITEMS = 16


@functools.lru_cache(maxsize=4096)
def _parse(tag: str) -> Locale | None:
    """Babel's Locale for a BCP 47 or POSIX tag, dropping subtags Babel rejects
    (extensions, private use, unknown variants); None when nothing is left."""
    if not _TAG_RE.fullmatch(tag):
        return None
    parts = tag.replace("_", "-").split("-")
    if parts[0].lower() == "und":  # "undetermined": Babel would read it as English
        return None
    for end in range(min(len(parts), 3), 0, -1):
        try:
            return Locale.parse("_".join(parts[:end]))
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return None


def _family(language: str) -> str:
    """CLDR parent language: "nb" and "nn" belong to "no"; others to themselves."""
    return get_global("parent_exceptions").get(language, language)


def _candidates(locale: Locale) -> list[str]:
    """Locale ids to try for ``locale``, most specific first."""
    language, territory = locale.language, locale.territory
    script = locale.script
    if script is None:
        likely = get_global("likely_subtags").get(language)
        script = _parse(likely).script if likely else None
    ids = []
    if territory:
        if script:
            ids.append(f"{language}_{script}_{territory}")
        ident = f"{language}_{territory}"
        while ident:  # CLDR parent chain: es_MX -> es_419, en_GB -> en_001
            ids.append(ident)
            ident = get_global("parent_exceptions").get(ident)
    if script:
        ids.append(f"{language}_{script}")
    ids.append(language)
    return ids


class _Supported:
    """The site's locale ids, indexed for matching."""

    def __init__(self, supported: Iterable[str]):
        self.ids: dict[str, str] = {}
        self.families: dict[str, list[tuple[Locale, str]]] = {}
        for ident in supported:
            locale = _parse(ident) if isinstance(ident, str) else None
            if locale is None:
                continue
            self.ids.setdefault(str(locale).lower(), ident)
            self.families.setdefault(_family(locale.language), []).append((locale, ident))

    def match(self, tag: str) -> str | None:
        """The supported id for ``tag``, or None."""
        locale = _parse(tag) if isinstance(tag, str) else None
        if locale is None:
            return None
        for candidate in _candidates(locale):
            if candidate.lower() in self.ids:
                return self.ids[candidate.lower()]
        # Same language (or family) in another variant: pt-PT -> pt_BR, nn -> nb.
        relatives = self.families.get(_family(locale.language), [])
        for other, ident in relatives:
            if other.script == locale.script:
                return ident
        return relatives[0][1] if relatives else None

    def best_accepted(self, header: str) -> str | None:
        """The supported id the Accept-Language ``header`` prefers, or None."""
        accepted = parse_accept_header(header, LanguageAccept)
        mapped = []
        for tag, quality in list(accepted)[:_MAX_ACCEPT_ITEMS]:
            ident = self.match(tag)
            if ident is not None:
                mapped.append((ident, quality))
        # Werkzeug picks the highest quality; ties go to the first of the
        # matches, which are in the visitor's order.
        matches = list(dict.fromkeys(ident for ident, _ in mapped))
        return LanguageAccept(mapped).best_match(matches)

    def for_country(self, country: str) -> str | None:
        """The first supported official language of ``country``, or None."""
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            return None
        country = country.upper()
        for language in get_official_languages(country, de_facto=True):
            ident = self.match(f"{language}_{country}")
            if ident is not None:
                return ident
        return None


@functools.lru_cache(maxsize=64)
def _supported(supported: tuple[str, ...]) -> _Supported:
    return _Supported(supported)


def negotiate_language(
    supported: Iterable[str],
    forced: str | None = None,
    html_lang: str | None = None,
    accept_language: str | None = None,
    country: str | None = None,
    default: str = "en",
) -> tuple[str, str]:
    """Choose the banner language: ``(locale_id, reason)``.

    ``locale_id`` is one of ``supported`` (Babel ids such as "pt_BR", "zh_Hant"),
    or ``default``. ``reason`` says which input decided: "data-lang",
    "html-lang", "accept-language", "country" or "site-default".
    """
    index = _supported(tuple(supported))
    steps = (
        ("data-lang", forced, index.match),
        ("html-lang", html_lang, index.match),
        ("accept-language", accept_language, index.best_accepted),
        ("country", country, index.for_country),
    )
    for reason, value, resolve in steps:
        if value and isinstance(value, str):
            ident = resolve(value)
            if ident is not None:
                return ident, reason
    return index.match(default) or default, "site-default"
