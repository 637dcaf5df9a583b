"""The banner catalogs in translations/ and the lookups in services/texts.py.

Catalog checks read the .po files (no compiled .mo needed); the texts_for tests
compile the catalogs into a temporary directory themselves.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from consent_server.services.texts import (
    MESSAGES,
    available_locales,
    text_direction,
    texts_for,
)

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# The extraction keywords of docs/TRANSLATIONS.md: N_ (banner texts) and the gettext family.
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "_l": None, "lazy_gettext": None}

# The 40 locales of brief/CONTRACT.md, as Babel ids (= directory names).
SHIPPED_LOCALES = [
    "en", "bg", "hr", "cs", "da", "nl", "et", "fi", "fr", "de", "el", "hu", "ga",
    "it", "lv", "lt", "mt", "pl", "pt", "ro", "sk", "sl", "es", "sv",
    "nb", "is", "ca", "pt_BR", "fr_CA", "es_419", "ja", "ko", "zh_Hans", "zh_Hant",
    "hi", "tr", "ru", "uk", "ar", "he",
]
TRANSLATED_LOCALES = [locale for locale in SHIPPED_LOCALES if locale != "en"]
RIGHT_TO_LEFT = {"ar", "he"}
# Names and codes that no language translates.
SAME_AS_ENGLISH_EVERYWHERE = {"GPC", "JS API"}
# Words each language spells like the English source (reviewed one by one: "Cookies" in
# German, "Services" in French, "Tablet" in Dutch); anything else left identical to the
# English is an untranslated message.
SAME_AS_ENGLISH_ALLOWED = {
    "hr": {"Bot", "Format", "Hash", "Status", "Tablet"},
    "cs": {"Bot", "Data", "Editor", "Hash", "Region", "Role", "Tablet"},
    "da": {"Bot", "Cookies", "Data", "Download", "Downloads", "Format", "Log", "Region",
           "Revision", "Revision %(n)s", "Status", "Tablet", "Type", "revision %(n)s"},
    "nl": {"Account", "Bot", "Browsers", "Client", "Cookies", "Desktop", "Details", "Downloads",
           "Exports", "Hash", "Site", "Sites", "Status", "Tablet", "Type"},
    "fr": {"Action", "Actions", "Client", "Cookies", "Description", "Exports", "Format",
           "Mobile", "Page", "Rectification", "Service", "Services", "Site", "Sites", "Type"},
    "de": {"Bot", "Client", "Cookies", "Desktop", "Details", "Domains", "Downloads", "Format",
           "Hash", "Name", "Region", "Revision", "Revision %(n)s", "Status", "Tablet"},
    "el": {"Bot", "Cookies", "Email", "Hash", "Opt-in %(category)s", "Tablet"},
    "hu": {"Bot", "Hash"},
    "ga": {"Bot"},
    "it": {"Account", "Bot", "Client", "Desktop", "Editor", "Email", "Hash", "Mobile",
           "Opt-in %(category)s", "Password", "Regime", "Tablet"},
    "mt": {"Bot", "Browsers", "Cookies", "Data", "Email", "Format", "Hash",
           "Opt-in %(category)s", "Password", "Status", "Tablet"},
    "pl": {"Bot", "Format", "Region", "Status", "Tablet"},
    "pt": {"Bot", "Cookies", "Editor", "Hash", "Opt-in %(category)s", "Regime", "Site", "Sites",
           "Tablet"},
    "ro": {"Bot", "Client", "Contract", "Desktop", "Editor", "Format", "Hash", "Site"},
    "sk": {"Editor", "Hash", "Tablet"},
    "es": {"Bot", "Cookies", "Editor", "Hash"},
    "sv": {"Bot", "Data", "Format", "Region", "Status"},
    "nb": {"Data", "Format", "Region", "Status", "Type"},
    "ca": {"Bot", "Client", "Decisions", "Editor", "Format", "Hash", "Regions", "Revisions"},
    "pt_BR": {"Bot", "Cookies", "Downloads", "Editor", "Hash", "Opt-in %(category)s", "Regime",
              "Site", "Sites", "Status", "Tablet"},
    "fr_CA": {"Action", "Actions", "Client", "Description", "Format", "Page", "Rectification",
              "Service", "Services", "Site", "Sites", "Type"},
    "es_419": {"Bot", "Cookies", "Editor", "Hash"},
    "tr": {"Bot", "Site", "Tablet"},
    "bg": set(), "et": set(), "fi": set(), "lv": set(), "lt": set(), "sl": set(), "is": set(),
    "ja": set(), "ko": set(), "zh_Hans": set(), "zh_Hant": set(), "hi": set(), "ru": set(),
    "uk": set(), "ar": set(), "he": set(),
}
# Pairs of markets that share a language but not the wording.
REGIONAL_VARIANTS = [("fr", "fr_CA"), ("pt", "pt_BR"), ("es", "es_419"), ("zh_Hans", "zh_Hant")]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Texts that send the visitor to the "Cookie settings" link must quote it as translated.
TEXTS_NAMING_THE_SETTINGS_LINK = ["banner.body", "prefs.body", "notice.body"]


@cache
def catalog(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


@cache
def template_ids() -> frozenset[str]:
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        return frozenset(message.id for message in read_po(f) if message.id)


def translated(locale: str) -> dict[str, str]:
    """msgid -> msgstr of the locale's catalog (header excluded)."""
    return {message.id: message.string for message in catalog(locale) if message.id}


def compile_catalog(cat: Catalog, translations_dir: Path, locale: str) -> None:
    target = translations_dir / locale / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True)
    with open(target, "wb") as f:
        write_mo(f, cat)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """All shipped catalogs compiled to .mo files in a fresh directory."""
    translations_dir = tmp_path_factory.mktemp("translations")
    for locale in SHIPPED_LOCALES:
        compile_catalog(catalog(locale), translations_dir, locale)
    return translations_dir


# --- the template and the catalogs -------------------------------------------


def test_every_shipped_locale_has_a_catalog_and_no_other():
    assert available_locales(TRANSLATIONS) == sorted(SHIPPED_LOCALES)


def source_ids() -> set[str]:
    """Every msgid the sources hold: the banner's MESSAGES (N_) and the admin UI's
    gettext calls in Python and Jinja, extracted as docs/TRANSLATIONS.md says."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(ROOT, method_map, options_map, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for *_, message, _comments, _ctx in found}


def test_template_holds_exactly_the_messages_of_the_sources():
    assert len(set(MESSAGES.values())) == len(MESSAGES), "two keys share one msgid"
    assert set(MESSAGES.values()) <= template_ids()
    assert template_ids() == source_ids(), (
        "translations/messages.pot is out of date: run pybabel extract and update "
        "(docs/TRANSLATIONS.md)"
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_has_every_message_translated_and_none_fuzzy(locale):
    cat = catalog(locale)
    assert not cat.fuzzy, "a fuzzy catalog is skipped by pybabel compile"
    assert {message.id for message in cat if message.id} == template_ids()
    for message in cat:
        if message.id:
            assert message.string, f"{locale}: untranslated: {message.id!r}"
            assert not message.fuzzy, f"{locale}: fuzzy: {message.id!r}"


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_headers_name_the_language_and_its_plural_forms(locale):
    cat = catalog(locale)
    assert cat.mime_headers and dict(cat.mime_headers)["Language"] == locale
    assert cat.language_team and "LANGUAGE" not in cat.language_team
    assert cat.plural_forms == Catalog(locale=locale).plural_forms


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_translations_keep_the_placeholders(locale):
    for msgid, msgstr in translated(locale).items():
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), (
            f"{locale}: {msgstr!r}"
        )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_compiles_without_errors(locale):
    cat = catalog(locale)
    problems = [(message.id, errors) for message, errors in cat.check()]
    assert problems == []
    buffer = io.BytesIO()
    write_mo(buffer, cat)
    buffer.seek(0)
    compiled_catalog = Translations(fp=buffer)
    for msgid, msgstr in translated(locale).items():
        assert compiled_catalog.gettext(msgid) == msgstr


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_no_message_is_left_in_english(locale):
    left_in_english = [
        msgid
        for msgid, msgstr in translated(locale).items()
        if msgstr == msgid and msgid not in SAME_AS_ENGLISH_EVERYWHERE | SAME_AS_ENGLISH_ALLOWED[locale]
    ]
    assert left_in_english == []


def test_english_catalog_is_the_source_text():
    assert all(msgstr == msgid for msgid, msgstr in translated("en").items())


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_texts_quote_the_settings_link_as_translated(locale):
    strings = translated(locale)
    link = strings[MESSAGES["settings.link"]]
    for key in TEXTS_NAMING_THE_SETTINGS_LINK:
        assert link in strings[MESSAGES[key]], f"{locale} {key} does not name {link!r}"


@pytest.mark.parametrize(("language", "variant"), REGIONAL_VARIANTS)
def test_regional_variants_are_localized_not_copied(language, variant):
    base, regional = translated(language), translated(variant)
    differing = {msgid for msgid in base if base[msgid] != regional[msgid]}
    # The banner is where the markets' wording shows most; the admin UI shares more of its
    # vocabulary (fr and fr_CA: "Site", "Exportations" vs "Exports" ...), but not most of it.
    banner = set(MESSAGES.values())
    assert len(differing & banner) > len(banner) / 3
    assert len(differing) > len(base) / 5


# --- texts_for, available_locales, text_direction ---------------------------------


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_texts_for_returns_the_catalog_text_for_every_key(compiled, locale):
    strings = translated(locale)
    assert texts_for(compiled, locale) == {key: strings[msgid] for key, msgid in MESSAGES.items()}


def test_texts_for_translates_the_banner_buttons(compiled):
    german = texts_for(compiled, "de")
    assert german["banner.accept_all"] == "Alle akzeptieren"
    assert german["banner.reject_all"] == "Alle ablehnen"
    assert texts_for(compiled, "fr")["banner.accept_all"] == "Tout accepter"


@pytest.mark.parametrize(("language", "variant"), REGIONAL_VARIANTS)
def test_texts_for_keeps_regional_variants_apart(compiled, language, variant):
    base, regional = texts_for(compiled, language), texts_for(compiled, variant)
    assert any(base[key] != regional[key] for key in MESSAGES)


def test_texts_for_an_unknown_locale_is_english(compiled, tmp_path):
    assert texts_for(compiled, "xx") == MESSAGES
    assert texts_for(tmp_path / "missing", "de") == MESSAGES


def test_texts_for_falls_back_from_region_to_language_and_accepts_bcp47(compiled):
    assert texts_for(compiled, "de_AT") == texts_for(compiled, "de")
    assert texts_for(compiled, "pt-BR") == texts_for(compiled, "pt_BR")
    assert texts_for(compiled, "zh-Hant") == texts_for(compiled, "zh_Hant")


def test_texts_for_gives_english_for_a_message_missing_from_the_catalog(tmp_path):
    partial = Catalog(locale="de")
    partial.add(MESSAGES["banner.accept_all"], "Alle akzeptieren")
    compile_catalog(partial, tmp_path, "de")
    texts = texts_for(tmp_path, "de")
    assert texts["banner.accept_all"] == "Alle akzeptieren"
    assert texts["banner.reject_all"] == "Reject all"
    assert {key for key in MESSAGES if texts[key] != MESSAGES[key]} == {"banner.accept_all"}


def test_texts_for_applies_site_overrides_last(compiled):
    texts = texts_for(
        compiled,
        "de",
        {"banner.title": "Ihre Privatsphäre", "banner.body": "", "no.such.key": "x"},
    )
    assert texts["banner.title"] == "Ihre Privatsphäre"
    assert texts["banner.body"] == texts_for(compiled, "de")["banner.body"], "empty text ignored"
    assert "no.such.key" not in texts
    assert texts["banner.accept_all"] == "Alle akzeptieren"
    assert texts_for(compiled, "de")["banner.title"] == "Diese Website verwendet Cookies"


def test_available_locales_lists_directories_holding_a_catalog(tmp_path):
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    (tmp_path / "pt_BR" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "pt_BR" / "LC_MESSAGES" / "messages.po").write_text("")
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "messages.pot").write_text("")
    assert available_locales(tmp_path) == ["de", "pt_BR"]
    assert available_locales(tmp_path / "missing") == []


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_text_direction_is_rtl_only_for_arabic_and_hebrew(locale):
    assert text_direction(locale) == ("rtl" if locale in RIGHT_TO_LEFT else "ltr")


def test_text_direction_accepts_bcp47_and_defaults_to_ltr():
    assert text_direction("ar-EG") == "rtl"
    assert text_direction("he-IL") == "rtl"
    assert text_direction("xx") == "ltr"
    assert text_direction("") == "ltr"


def test_uncompiled_catalogs_are_reported_at_start(tmp_path, caplog):
    import logging

    from consent_server import create_app
    from consent_server.services.texts import uncompiled_locales

    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "de" / "LC_MESSAGES" / "messages.po").write_text("")
    (tmp_path / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "fr" / "LC_MESSAGES" / "messages.po").write_text("")
    (tmp_path / "fr" / "LC_MESSAGES" / "messages.mo").write_bytes(b"")
    assert uncompiled_locales(tmp_path) == ["de"]
    with caplog.at_level(logging.WARNING, logger="consent_server"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TRANSLATIONS_DIR": str(tmp_path),
                    "SECRET_KEY": "x" * 32})
    assert "1 catalogs are not compiled (de...)" in caplog.text
