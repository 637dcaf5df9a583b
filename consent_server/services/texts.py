"""Banner texts (placeholder until the translated catalogs land: English only)."""
MESSAGES = {
    "banner.title": "We use cookies",
    "banner.body": "We use cookies to run this site, to measure its audience and for advertising. "
                   "Necessary cookies are always on. You can change your choice at any time "
                   "in \u201cCookie settings\u201d.",
    "banner.accept_all": "Accept all",
    "banner.reject_all": "Reject all",
    "banner.preferences": "Preferences",
    "banner.save": "Save choices",
}


def available_locales(translations_dir) -> list[str]:
    return ["en"]


def texts_for(translations_dir, locale, overrides=None) -> dict[str, str]:
    texts = dict(MESSAGES)
    texts.update(overrides or {})
    return texts


def text_direction(locale) -> str:
    return "ltr"
