import pytest

from geo import Location, RegimeDecision, consent_mode_defaults, pre_choice_state, regime_for
from geo.regimes import EEA, EU, US_OPT_OUT_STATES


def regime(country=None, region=None, override=None):
    return regime_for(Location(country, region), override)


@pytest.mark.parametrize("country", sorted(EU) + ["IS", "LI", "NO"])
def test_eu_and_eea_are_opt_in(country):
    assert regime(country) == RegimeDecision("opt-in", "EU/EEA")


@pytest.mark.parametrize("country", ["RE", "GP", "MQ", "GF", "YT", "MF", "AX"])
def test_eu_territories_with_their_own_codes_are_opt_in(country):
    assert regime(country) == RegimeDecision("opt-in", "EU/EEA")


def test_eu_has_27_members_and_eea_adds_three():
    assert len(EU) == 27 and {"IS", "LI", "NO"} <= EEA
    assert "GB" not in EU and "CH" not in EEA


@pytest.mark.parametrize(
    "location, expected",
    [
        (Location("GB", "ENG", "London"), RegimeDecision("opt-in", "UK")),
        (Location("CH", "ZH"), RegimeDecision("opt-in", "Switzerland")),
        (Location("BR", "SP"), RegimeDecision("opt-in", "Brazil (LGPD)")),
        (Location("NO", "03"), RegimeDecision("opt-in", "EU/EEA")),
        (Location("DE", "BE", "Berlin"), RegimeDecision("opt-in", "EU/EEA")),
        (Location("CA", "QC", "Montreal"), RegimeDecision("opt-in", "Quebec (Law 25)")),
        (
            Location("CA", "ON", "Toronto"),
            RegimeDecision("notice", "CA-ON: no opt-in or opt-out rule"),
        ),
        (Location("CA"), RegimeDecision("opt-in", "Canada, province unknown (fail safe)")),
        (Location("US", "CA", "Cupertino"), RegimeDecision("opt-out", "US-CA (CCPA/CPRA)")),
        (
            Location("US", "NV", "Las Vegas"),
            RegimeDecision("notice", "US-NV: no opt-in or opt-out rule"),
        ),
        (Location("US", "VA"), RegimeDecision("notice", "US-VA: no opt-in or opt-out rule")),
        (Location("US"), RegimeDecision("opt-out", "US, state unknown (fail safe)")),
        (
            Location("JP", "13", "Tokyo"),
            RegimeDecision("notice", "JP-13: no opt-in or opt-out rule"),
        ),
        (Location("AU"), RegimeDecision("notice", "AU: no opt-in or opt-out rule")),
        (Location("gb"), RegimeDecision("opt-in", "UK")),
        (Location("ca", "qc"), RegimeDecision("opt-in", "Quebec (Law 25)")),
    ],
)
def test_regime_rules(location, expected):
    assert regime_for(location) == expected


@pytest.mark.parametrize(
    "location", [None, Location(), Location(None, "CA", "Somewhere"), Location("")]
)
def test_unresolved_location_is_opt_in(location):
    assert regime_for(location) == RegimeDecision("opt-in", "unresolved location (fail safe)")


@pytest.mark.parametrize("state", sorted(US_OPT_OUT_STATES))
def test_us_states_with_universal_opt_out_laws_are_opt_out(state):
    decision = regime("US", state)
    assert decision.regime == "opt-out"
    assert decision.reason.startswith(f"US-{state} (")


def test_opt_out_state_list():
    assert set(US_OPT_OUT_STATES) == set("CA CO CT TX MT OR DE NH NJ MN MD NE".split())


def test_region_codes_only_count_in_their_own_country():
    # "CA" is California only in the US, "QC" Quebec only in Canada, "DE" Delaware only in the US.
    assert regime("MX", "CA").regime == "notice"
    assert regime("AU", "QC").regime == "notice"
    assert regime("DE", "DE").reason == "EU/EEA"


@pytest.mark.parametrize("override", ["opt-in", "opt-out", "notice"])
@pytest.mark.parametrize(
    "location", [None, Location("US", "NV"), Location("DE"), Location("US", "CA")]
)
def test_site_override_wins(override, location):
    assert regime_for(location, override) == RegimeDecision(override, "site override")


@pytest.mark.parametrize("override", [None, "auto"])
def test_auto_override_uses_the_rules(override):
    assert regime_for(Location("US", "NV"), override).regime == "notice"
    assert regime_for(Location("US", "CA"), override).regime == "opt-out"


@pytest.mark.parametrize("override", ["", "opt_in", "OPT-IN", "everywhere", 1])
def test_unknown_override_is_a_programming_error(override):
    with pytest.raises(ValueError):
        regime_for(Location("DE"), override)


@pytest.mark.parametrize(
    "regime_, gpc, expected",
    [
        ("opt-in", False, {"analytics": False, "advertising": False}),
        ("opt-in", True, {"analytics": False, "advertising": False}),
        ("opt-out", False, {"analytics": True, "advertising": True}),
        ("opt-out", True, {"analytics": True, "advertising": False}),
        ("notice", False, {"analytics": True, "advertising": True}),
        ("notice", True, {"analytics": True, "advertising": True}),
    ],
)
def test_pre_choice_state(regime_, gpc, expected):
    assert pre_choice_state(regime_, gpc) == expected


@pytest.mark.parametrize("regime_", ["opt-in", "opt-out", "notice"])
def test_gpc_never_grants_anything(regime_):
    without, with_gpc = pre_choice_state(regime_, False), pre_choice_state(regime_, True)
    assert all(without[key] or not with_gpc[key] for key in without)
    granted = {k for k, v in consent_mode_defaults(regime_, gpc=True).items() if v == "granted"}
    assert granted <= {k for k, v in consent_mode_defaults(regime_).items() if v == "granted"}


CONSENT_MODE_KEYS = {
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
    "wait_for_update",
}


def test_consent_mode_defaults_opt_in_denies_everything_but_security():
    defaults = consent_mode_defaults("opt-in")
    assert set(defaults) == CONSENT_MODE_KEYS
    assert defaults.pop("wait_for_update") == 500
    assert defaults.pop("security_storage") == "granted"
    assert set(defaults.values()) == {"denied"}


@pytest.mark.parametrize("regime_", ["opt-out", "notice"])
def test_consent_mode_defaults_grant_what_may_run_before_a_choice(regime_):
    defaults = consent_mode_defaults(regime_)
    assert set(defaults) == CONSENT_MODE_KEYS
    assert defaults == {
        "ad_storage": "granted",
        "ad_user_data": "granted",
        "ad_personalization": "granted",
        "analytics_storage": "granted",
        "functionality_storage": "denied",
        "personalization_storage": "denied",
        "security_storage": "granted",
        "wait_for_update": 500,
    }


def test_consent_mode_defaults_opt_out_with_gpc_denies_advertising():
    defaults = consent_mode_defaults("opt-out", gpc=True)
    assert defaults["analytics_storage"] == "granted"
    assert {defaults[k] for k in ("ad_storage", "ad_user_data", "ad_personalization")} == {"denied"}


@pytest.mark.parametrize("junk", ["", "auto", "OPT-IN", None])
def test_unknown_regime_is_an_error(junk):
    with pytest.raises(ValueError):
        consent_mode_defaults(junk)
    with pytest.raises(ValueError):
        pre_choice_state(junk, False)
