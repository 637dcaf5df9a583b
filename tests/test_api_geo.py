"""Location, regime and language in the config and consent endpoints, with a real mmdb."""
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from consent_server.api.schemas import ConfigOut
from consent_server.extensions import db
from consent_server.models import ConsentRecord

sys.path.insert(0, str(Path(__file__).parent / "geo"))
from mmdbgen import write_test_db  # noqa: E402

CONFIG = "/api/v1/sites/shop/config"
CONSENTS = "/api/v1/sites/shop/consents"
BERLIN, CUPERTINO, LAS_VEGAS, MONTREAL, TORONTO, LONDON = (
    "85.214.10.20", "17.0.3.4", "24.120.1.1", "24.200.9.9", "24.114.9.9", "81.2.69.160")
NOT_IN_DB = "1.1.1.1"


@pytest.fixture(scope="module")
def geoip_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geoip") / "GeoTest-City.mmdb"
    write_test_db(str(path))
    return str(path)


@pytest.fixture
def app_config():
    """Extra config for ``app``; a test changes it with parametrize("app_config", ...)."""
    return {}


@pytest.fixture
def app(app_factory, geoip_db, app_config):
    """The app of this module (``make_site`` and ``client`` use it): with the test mmdb."""
    return app_factory(**{"GEOIP_DB": geoip_db, "GEO_PRETEND": False, **app_config})


@pytest.fixture
def geo_client(client, make_site):
    make_site()
    return client


def config_from(client, ip, headers=None, query=""):
    resp = client.get(CONFIG + query, headers=headers or {}, environ_base={"REMOTE_ADDR": ip})
    assert resp.status_code == 200, resp.json
    ConfigOut.model_validate(resp.json)
    return resp.json


@pytest.mark.parametrize(
    "ip, location, regime, reason",
    [
        (BERLIN, ["DE", "BE", "Berlin"], "opt-in", "EU/EEA"),
        (LONDON, ["GB", "ENG", "London"], "opt-in", "UK"),
        (MONTREAL, ["CA", "QC", "Montreal"], "opt-in", "Quebec (Law 25)"),
        (TORONTO, ["CA", "ON", "Toronto"], "notice", "CA-ON: no opt-in or opt-out rule"),
        (CUPERTINO, ["US", "CA", "Cupertino"], "opt-out", "US-CA (CCPA/CPRA)"),
        (LAS_VEGAS, ["US", "NV", "Las Vegas"], "notice", "US-NV: no opt-in or opt-out rule"),
        (NOT_IN_DB, [None, None, None], "opt-in", "unresolved location (fail safe)"),
        ("127.0.0.1", [None, None, None], "opt-in", "unresolved location (fail safe)"),
    ],
)
def test_config_locates_the_visitor_and_picks_the_regime(geo_client, ip, location, regime, reason):
    data = config_from(geo_client, ip)
    assert data["location"] == dict(zip(("country", "region", "city"), location, strict=True))
    assert (data["regime"], data["regime_reason"]) == (regime, reason)


def test_opt_in_visitor_gets_everything_denied(geo_client):
    data = config_from(geo_client, BERLIN)
    assert data["defaults"] == {"analytics": False, "advertising": False}
    assert {k: v for k, v in data["consent_mode"].items() if v == "granted"} == {
        "security_storage": "granted"}


def test_opt_out_visitor_may_run_tags_until_gpc(geo_client):
    data = config_from(geo_client, CUPERTINO)
    assert data["defaults"] == {"analytics": True, "advertising": True}
    assert data["consent_mode"]["ad_storage"] == "granted"
    gpc = config_from(geo_client, CUPERTINO, headers={"Sec-GPC": "1"})
    assert gpc["gpc"] is True and gpc["defaults"] == {"analytics": True, "advertising": False}
    assert gpc["consent_mode"]["analytics_storage"] == "granted"
    assert {gpc["consent_mode"][k] for k in ("ad_storage", "ad_user_data", "ad_personalization")} == {
        "denied"}


def test_site_override_beats_the_location(client, make_site):
    make_site(regime_override="opt-in")
    data = config_from(client, CUPERTINO)
    assert (data["regime"], data["regime_reason"]) == ("opt-in", "site override")
    assert data["location"]["country"] == "US"


def test_language_reasons(geo_client):
    assert config_from(geo_client, BERLIN, query="?lang=en")["language_reason"] == "data-lang"
    assert config_from(geo_client, BERLIN, query="?hl=en-US")["language_reason"] == "html-lang"
    accept = config_from(geo_client, BERLIN, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert (accept["language"], accept["language_reason"]) == ("en", "accept-language")
    # No language hints: the visitor's country (US: English), else the site default.
    assert config_from(geo_client, CUPERTINO)["language_reason"] == "country"
    assert config_from(geo_client, NOT_IN_DB)["language_reason"] == "site-default"
    junk = config_from(geo_client, NOT_IN_DB, headers={"Accept-Language": ";;q=x, \x7f"},
                       query="?lang=%3Cscript%3E&hl=zz-ZZ-ZZ")
    assert (junk["language"], junk["language_reason"]) == ("en", "site-default")


@pytest.mark.parametrize(
    "ip, headers, query, language, reason",
    [
        (BERLIN, {"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}, "", "pt", "accept-language"),
        (BERLIN, {"Accept-Language": "zh-TW"}, "", "zh-Hant", "accept-language"),
        (BERLIN, {"Accept-Language": "es-MX,es;q=0.9"}, "", "es-419", "accept-language"),
        (BERLIN, {"Accept-Language": "nn-NO"}, "", "nb", "accept-language"),
        (BERLIN, {}, "", "de", "country"),
        ("177.0.200.1", {}, "", "pt-BR", "country"),
        (MONTREAL, {"Accept-Language": "fr-CA"}, "?hl=he", "he", "html-lang"),
        (CUPERTINO, {"Accept-Language": "de"}, "?lang=fr-CA&hl=ja", "fr-CA", "data-lang"),
    ],
)
def test_language_is_negotiated_among_the_shipped_catalogs(geo_client, ip, headers, query,
                                                           language, reason):
    data = config_from(geo_client, ip, headers=headers, query=query)
    assert (data["language"], data["language_reason"]) == (language, reason)
    assert data["direction"] == ("rtl" if language == "he" else "ltr")


def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies(geo_client):
    data = config_from(geo_client, BERLIN, headers={"X-Forwarded-For": CUPERTINO})
    assert data["location"]["country"] == "DE"


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_forwarded_for_is_honoured_through_one_trusted_proxy(geo_client):
    proxy = "10.0.0.2"
    data = config_from(geo_client, proxy, headers={"X-Forwarded-For": CUPERTINO})
    assert data["location"] == {"country": "US", "region": "CA", "city": "Cupertino"}
    # The client's own X-Forwarded-For comes first; the proxy appends the real address.
    data = config_from(geo_client, proxy, headers={"X-Forwarded-For": f"{BERLIN}, {CUPERTINO}"})
    assert data["location"]["country"] == "US"
    # Without the header the proxy's own (private) address is all there is.
    assert config_from(geo_client, proxy)["location"]["country"] is None


def test_pretend_location_is_ignored_by_default(geo_client):
    data = config_from(geo_client, BERLIN, query="?geo=US-CA")
    assert data["location"]["country"] == "DE" and data["regime"] == "opt-in"
    assert config_from(geo_client, BERLIN, query="?geo=%3Cjunk%3E")["regime"] == "opt-in"


@pytest.mark.parametrize("app_config", [{"GEO_PRETEND": True}])
def test_pretend_location_when_enabled(geo_client):
    data = config_from(geo_client, BERLIN, query="?geo=US-CA")
    assert data["location"] == {"country": "US", "region": "CA", "city": None}
    assert (data["regime"], data["regime_reason"]) == ("opt-out", "US-CA (CCPA/CPRA)")
    assert config_from(geo_client, BERLIN, query="?geo=CA-QC")["regime_reason"] == "Quebec (Law 25)"
    bad = geo_client.get(CONFIG + "?geo=%3Cjunk%3E", environ_base={"REMOTE_ADDR": BERLIN})
    assert bad.status_code == 400 and bad.json["error"] == "invalid_geo"


MISSING = "/nonexistent/GeoLite2-City.mmdb"


@pytest.mark.parametrize("app_config", [{"GEOIP_DB": MISSING}])
def test_missing_database_warns_at_start_and_serves_opt_in(geo_client, caplog):
    warnings = [r.getMessage() for r in caplog.get_records("setup") if r.name == "geo"]
    assert warnings == [
        f"GeoIP database not found: {MISSING}; every location is unresolved (opt-in everywhere)"]
    data = config_from(geo_client, BERLIN)
    assert data["regime_reason"] == "unresolved location (fail safe)"


def test_consent_record_keeps_location_and_regime_but_never_the_ip(geo_client, caplog):
    body = {"choices": {"analytics": True, "advertising": False}, "action": "save",
            "revision": 1, "language": "en", "page_url": "https://shop.example/"}
    with caplog.at_level(logging.DEBUG):
        resp = geo_client.post(CONSENTS, json=body, headers={"Origin": "https://shop.example",
                                                             "X-Forwarded-For": BERLIN},
                               environ_base={"REMOTE_ADDR": CUPERTINO})
        geo_client.get(CONFIG, environ_base={"REMOTE_ADDR": CUPERTINO})
        geo_client.get(CONFIG + "?geo=junk", environ_base={"REMOTE_ADDR": CUPERTINO})
    assert resp.status_code == 201, resp.json
    record = db.session.scalar(select(ConsentRecord).where(ConsentRecord.id == resp.json["record_id"]))
    assert (record.country, record.region, record.city, record.regime) == (
        "US", "CA", "Cupertino", "opt-out")
    # Nothing stored anywhere holds the address (or the spoofed one), and nothing logged it.
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')):
            assert CUPERTINO not in str(row) and BERLIN not in str(row), table.name
    assert CUPERTINO not in caplog.text and BERLIN not in caplog.text
