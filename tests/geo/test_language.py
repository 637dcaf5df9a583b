import pytest

from geo import negotiate_language

# The 40 locales we ship (CONTRACT.md).
SHIPPED = (
    "en bg hr cs da nl et fi fr de el hu ga it lv lt mt pl pt ro sk sl es sv "
    "nb is ca pt_BR fr_CA es_419 ja ko zh_Hans zh_Hant hi tr ru uk ar he"
).split()


def test_forty_locales():
    assert len(SHIPPED) == len(set(SHIPPED)) == 40


@pytest.mark.parametrize(
    "header, expected",
    [
        ("pt-PT", "pt"),
        ("pt-BR", "pt_BR"),
        ("pt-br", "pt_BR"),
        ("pt_BR", "pt_BR"),
        ("pt-AO", "pt"),  # CLDR parent pt_PT
        ("zh-CN", "zh_Hans"),
        ("zh-SG", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh-Hans", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("zh-Hant", "zh_Hant"),
        ("zh-hant-tw", "zh_Hant"),
        ("es-MX", "es_419"),
        ("es-AR", "es_419"),
        ("es-US", "es_419"),
        ("es-419", "es_419"),
        ("es-ES", "es"),
        ("es", "es"),
        ("fr-CA", "fr_CA"),
        ("fr-FR", "fr"),
        ("fr-CH", "fr"),
        ("no", "nb"),
        ("nn", "nb"),
        ("nb-NO", "nb"),
        ("nn-NO", "nb"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("de-AT", "de"),
        ("iw", "he"),  # deprecated code for Hebrew
        ("de-DE-u-co-phonebk", "de"),  # extensions are dropped
        ("en-US-x-twain", "en"),
    ],
)
def test_accept_language_maps_to_a_shipped_locale(header, expected):
    assert negotiate_language(SHIPPED, accept_language=header, default="de") == (
        expected,
        "accept-language",
    )


@pytest.mark.parametrize(
    "header, expected",
    [
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
        ("de;q=0.5, ja;q=0.9", "ja"),
        ("sw, tlh, ko;q=0.3", "ko"),  # unsupported ones are skipped
        ("ja, de", "ja"),  # equal quality: the visitor's order
        ("de, ja", "de"),
        ("ja;q=0, de;q=0.1", "de"),  # q=0 means "not this one"
        ("en-GB,en;q=0.9,pt-PT;q=0.8", "en"),
    ],
)
def test_accept_language_respects_quality_and_order(header, expected):
    assert negotiate_language(SHIPPED, accept_language=header) == (expected, "accept-language")


def test_pt_pt_finds_pt_br_when_only_brazilian_portuguese_is_offered():
    assert negotiate_language(["en", "pt_BR"], accept_language="pt-PT") == (
        "pt_BR",
        "accept-language",
    )


def test_pt_pt_prefers_pt_over_pt_br_whatever_the_order_of_supported():
    assert negotiate_language(["pt_BR", "pt"], accept_language="pt-PT")[0] == "pt"
    assert negotiate_language(["pt_BR", "pt"], accept_language="pt-BR")[0] == "pt_BR"


@pytest.mark.parametrize(
    "country, expected",
    [
        ("DE", "de"),
        ("AT", "de"),
        ("CH", "de"),
        ("BR", "pt_BR"),
        ("PT", "pt"),
        ("MX", "es_419"),
        ("ES", "es"),
        ("CA", "en"),
        ("TW", "zh_Hant"),
        ("HK", "zh_Hant"),
        ("CN", "zh_Hans"),
        ("NO", "nb"),
        ("JP", "ja"),
        ("IL", "he"),
        ("EG", "ar"),
        ("IN", "hi"),
        ("BE", "nl"),
        ("jp", "ja"),
    ],
)
def test_official_language_of_the_country(country, expected):
    assert negotiate_language(SHIPPED, country=country, default="fr") == (expected, "country")


def test_country_without_a_supported_official_language_uses_the_site_default():
    assert negotiate_language(SHIPPED, country="VN", default="fr") == ("fr", "site-default")
    assert negotiate_language(SHIPPED, country="AQ", default="fr") == ("fr", "site-default")


def test_order_data_lang_html_lang_accept_language_country_default():
    full = dict(forced="fr-CA", html_lang="de", accept_language="ja", country="BR", default="it")
    assert negotiate_language(SHIPPED, **full) == ("fr_CA", "data-lang")
    full["forced"] = None
    assert negotiate_language(SHIPPED, **full) == ("de", "html-lang")
    full["html_lang"] = None
    assert negotiate_language(SHIPPED, **full) == ("ja", "accept-language")
    full["accept_language"] = None
    assert negotiate_language(SHIPPED, **full) == ("pt_BR", "country")
    full["country"] = None
    assert negotiate_language(SHIPPED, **full) == ("it", "site-default")


def test_unsupported_values_fall_through_to_the_next_step():
    assert negotiate_language(
        SHIPPED, forced="tlh", html_lang="sw", accept_language="vi", country="DE"
    ) == ("de", "country")


def test_html_lang_uses_the_same_mapping():
    assert negotiate_language(SHIPPED, html_lang="zh-TW") == ("zh_Hant", "html-lang")
    assert negotiate_language(SHIPPED, html_lang="en-GB") == ("en", "html-lang")


def test_default_is_normalized_to_the_supported_spelling():
    assert negotiate_language(SHIPPED, default="pt-br") == ("pt_BR", "site-default")
    assert negotiate_language(SHIPPED, default="xx") == ("xx", "site-default")


def test_no_supported_locales_gives_the_default():
    assert negotiate_language([], accept_language="de", country="DE") == ("en", "site-default")


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "*",
        ";;;,,,q=",
        "de;q=abc",
        "de;q=2",
        "xx-YY",
        "und",
        "\x00\xff\u202e",
        "<script>alert(1)</script>",
        "en" + "-aaaaaaaaa" * 20,
        "a" * 10_000,
        ", ".join(f"x{i}" for i in range(5_000)),
        "q=1;en",
        "de;q=0",
    ],
)
def test_junk_never_raises(junk):
    locale, reason = negotiate_language(
        SHIPPED, forced=junk, html_lang=junk, accept_language=junk, country=junk, default="it"
    )
    assert locale in SHIPPED
    assert reason in {"data-lang", "html-lang", "accept-language", "country", "site-default"}


@pytest.mark.parametrize("junk", [None, 42, b"de", ["de"], {"de": 1}])
def test_non_string_inputs_are_ignored(junk):
    assert negotiate_language(
        SHIPPED, forced=junk, html_lang=junk, accept_language=junk, country=junk, default="it"
    ) == ("it", "site-default")


def test_undetermined_language_is_no_preference():
    assert negotiate_language(SHIPPED, forced="und", html_lang="und-US", default="it") == (
        "it",
        "site-default",
    )


def test_junk_accept_language_falls_back_to_country():
    assert negotiate_language(SHIPPED, accept_language="xx, *, ;q=", country="PL") == (
        "pl",
        "country",
    )


def test_many_items_only_the_first_sixteen_count():
    header = ", ".join(["tlh"] * 16 + ["de"])
    assert negotiate_language(SHIPPED, accept_language=header) == ("en", "site-default")
