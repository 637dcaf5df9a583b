"""Banner, preference panel and data-request texts, in every shipped language.

``MESSAGES`` maps each text key the widget knows to its English source text
(the gettext msgid). The translations live in ``translations/<locale>/LC_MESSAGES``
and are compiled to ``.mo`` files by ``pybabel compile -d translations``; see
docs/TRANSLATIONS.md. No Flask here: callers pass the translations directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations


def N_(message: str) -> str:
    """Mark a string for extraction by pybabel; translated later, at lookup."""
    return message


MESSAGES: dict[str, str] = {
    "banner.title": N_("This website uses cookies"),
    # TRANSLATORS: “Cookie settings” is the link text of settings.link; quote it
    # exactly as translated there, so that visitors can find the link.
    "banner.body": N_(
        "We use cookies and similar technologies. Necessary cookies make this "
        "website work and are always on. With your consent, we also use "
        "analytics cookies to understand how the website is used, and we and "
        "our advertising partners use advertising cookies to show and measure "
        "ads. You can change your choice at any time via “Cookie settings”."
    ),
    # TRANSLATORS: the "Accept all" and "Reject all" buttons are shown side by
    # side with equal prominence; keep them of similar length.
    "banner.accept_all": N_("Accept all"),
    "banner.reject_all": N_("Reject all"),
    # TRANSLATORS: button that opens the panel with one switch per category.
    "banner.preferences": N_("Manage preferences"),
    "banner.save": N_("Save my choices"),
    # TRANSLATORS: label of the close button; closing records no choice.
    "banner.close": N_("Close"),
    "banner.saved": N_("Your choices have been saved."),
    "prefs.title": N_("Cookie preferences"),
    # TRANSLATORS: “Cookie settings” is the link text of settings.link.
    "prefs.body": N_(
        "Choose which categories of cookies we may use. Necessary cookies are "
        "needed for the website to work and cannot be switched off. You can "
        "change your choice at any time via “Cookie settings”."
    ),
    "prefs.always_on": N_("Always on"),
    # TRANSLATORS: column headings of the table of services in a category.
    "prefs.services": N_("Services"),
    "prefs.provider": N_("Provider"),
    "prefs.purpose": N_("Purpose"),
    "prefs.cookies": N_("Cookies"),
    # TRANSLATORS: how long a cookie is kept, e.g. "2 years".
    "prefs.lifetime": N_("Storage duration"),
    "prefs.privacy_policy": N_("Privacy policy"),
    # TRANSLATORS: label of the visitor's random consent identifier.
    "prefs.consent_id": N_("Consent ID"),
    "category.necessary.name": N_("Necessary"),
    "category.necessary.description": N_(
        "These cookies are needed for the website to work, for example to "
        "remember your cookie choices, keep you signed in and keep the website "
        "secure. They cannot be switched off."
    ),
    "category.analytics.name": N_("Analytics"),
    "category.analytics.description": N_(
        "These cookies help us understand how visitors use the website, for "
        "example which pages are viewed and for how long, so that we can "
        "improve it."
    ),
    "category.advertising.name": N_("Advertising"),
    "category.advertising.description": N_(
        "These cookies are used by us and our advertising partners to show you "
        "relevant ads and measure their performance. They may be used to build "
        "a profile of your interests across websites."
    ),
    # TRANSLATORS: the opt-out texts are shown under US state privacy laws
    # (CCPA/CPRA); the wording of optout.do_not_sell is set by those laws.
    "optout.title": N_("Your privacy choices"),
    "optout.body": N_(
        "We and our partners use cookies and similar technologies for analytics "
        "and advertising. Under some US state privacy laws, this may be "
        "considered a “sale” or “sharing” of your personal information. You "
        "have the right to opt out at any time."
    ),
    "optout.do_not_sell": N_("Do Not Sell or Share My Personal Information"),
    # TRANSLATORS: keep "Global Privacy Control" in English: it is the name of
    # the browser signal.
    "optout.gpc_honored": N_(
        "Opt-out request honored: we detected a Global Privacy Control signal "
        "from your browser and treat it as your request to opt out of the sale "
        "and sharing of your personal information."
    ),
    # TRANSLATORS: “Cookie settings” is the link text of settings.link.
    "notice.body": N_(
        "This website uses cookies and similar technologies for analytics and "
        "advertising. Necessary cookies are always on. You can choose which "
        "other cookies we may use at any time via “Cookie settings”."
    ),
    # TRANSLATORS: {category} is replaced with a category name as translated
    # here (e.g. "Analytics"); keep it verbatim and quote it if your grammar
    # would otherwise need to inflect it.
    "placeholder.blocked": N_(
        "This content is blocked because it needs {category} cookies."
    ),
    # TRANSLATORS: {category} is replaced with a category name; keep it verbatim.
    "placeholder.allow": N_("Allow {category} cookies"),
    # TRANSLATORS: link on every page that reopens the cookie panel.
    "settings.link": N_("Cookie settings"),
    "dsar.title": N_("Your data"),
    "dsar.download": N_("Download my data"),
    "dsar.delete": N_("Delete my data"),
    "dsar.delete_confirm": N_(
        "Delete your data? The analytics data collected about you will be "
        "deleted and your consent withdrawn. Records of your consent choices "
        "are kept as legal proof. This cannot be undone."
    ),
    "dsar.deleted": N_(
        "Your analytics data has been deleted and your consent has been withdrawn."
    ),
    "dsar.error": N_("Something went wrong. Please try again later."),
}


def available_locales(translations_dir: str | os.PathLike[str]) -> list[str]:
    """Return the sorted locale ids that have a catalog (.po or .mo) in the directory.

    Read once per process, like the catalogs themselves."""
    return list(_available_locales(str(translations_dir)))


def uncompiled_locales(translations_dir: str | os.PathLike[str]) -> list[str]:
    """Locales with a .po but no compiled .mo: their visitors would read English."""
    root = Path(translations_dir)
    return sorted(entry.parent.parent.name for entry in root.glob("*/LC_MESSAGES/messages.po")
                  if not entry.with_suffix(".mo").is_file()) if root.is_dir() else []


@lru_cache(maxsize=16)
def _available_locales(translations_dir: str) -> tuple[str, ...]:
    root = Path(translations_dir)
    if not root.is_dir():
        return ()
    return tuple(sorted(
        entry.name
        for entry in root.iterdir()
        if (entry / "LC_MESSAGES" / "messages.mo").is_file()
        or (entry / "LC_MESSAGES" / "messages.po").is_file()
    ))


@lru_cache(maxsize=256)
def _translations(translations_dir: str, locale: str) -> NullTranslations:
    # Compiled catalogs are read once per process; restart to pick up new .mo files.
    return Translations.load(translations_dir, [locale])


def texts_for(
    translations_dir: str | os.PathLike[str],
    locale: str,
    overrides: dict[str, str] | None = None,
) -> dict[str, str]:
    """Return every text key translated into ``locale``.

    ``locale`` is a Babel id ("pt_BR") or a BCP 47 tag ("pt-BR"); a regional
    variant without its own catalog falls back to the language ("de_AT" -> "de").
    A message missing from the catalog, or an unknown locale, gives the English
    text. ``overrides`` (a site's own wording, key -> text) win over both; unknown
    keys and empty texts in it are ignored.
    """
    translations = _translations(str(translations_dir), locale.replace("-", "_"))
    texts = {key: translations.gettext(msgid) for key, msgid in MESSAGES.items()}
    for key, text in (overrides or {}).items():
        if key in texts and text:
            texts[key] = text
    return texts


def text_direction(locale: str) -> str:
    """Return "rtl" for right-to-left languages (ar, he), else "ltr"."""
    try:
        return Locale.parse(locale.replace("-", "_")).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"
