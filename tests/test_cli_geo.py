"""`consent-server geo lookup IP`, with a real mmdb."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "geo"))
from mmdbgen import write_test_db  # noqa: E402


@pytest.fixture(scope="module")
def geoip_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geoip") / "GeoTest-City.mmdb"
    write_test_db(str(path))
    return str(path)


@pytest.fixture
def app(app_factory, geoip_db):
    return app_factory(GEOIP_DB=geoip_db)


def lookup(runner, *args):
    return runner.invoke(args=["geo", "lookup", *args])


def test_lookup_prints_location_and_regime(runner):
    result = lookup(runner, "17.0.3.4")
    assert result.exit_code == 0, result.output
    assert result.output.split("\n") == [
        "country:   US",
        "region:    CA",
        "city:      Cupertino",
        "time zone: America/Los_Angeles",
        "regime:    opt-out (US-CA (CCPA/CPRA))",
        "",
    ]


def test_lookup_of_ipv4_mapped_ipv6(runner):
    result = lookup(runner, "::ffff:24.200.9.9")
    assert "city:      Montreal" in result.output
    assert "regime:    opt-in (Quebec (Law 25))" in result.output


@pytest.mark.parametrize(
    "ip, why",
    [("10.0.0.1", "not a public address"), ("1.1.1.1", "no country for it in the database")],
)
def test_lookup_unresolved(runner, ip, why):
    result = lookup(runner, ip)
    assert result.exit_code == 0
    assert result.output.split("\n") == [
        f"location:  unresolved ({why})",
        "regime:    opt-in (unresolved location (fail safe))",
        "",
    ]


def test_lookup_applies_a_site_override(runner, make_site):
    make_site(key="everywhere", regime_override="opt-in")
    result = lookup(runner, "24.120.1.1", "--site", "everywhere")
    assert "regime:    opt-in (site override)" in result.output
    assert "regime:    notice (US-NV: no opt-in or opt-out rule)" in lookup(runner, "24.120.1.1").output
    assert lookup(runner, "24.120.1.1", "--site", "ghost").exit_code != 0


def test_lookup_rejects_what_is_not_an_address(runner):
    result = lookup(runner, "example.com")
    assert result.exit_code != 0 and "not an IP address" in result.output


def test_lookup_without_a_database(app_factory, tmp_path):
    runner = app_factory(GEOIP_DB=str(tmp_path / "absent.mmdb")).test_cli_runner()
    result = lookup(runner, "17.0.3.4")
    assert result.exit_code == 0
    assert "unresolved (no usable GeoIP database, see the warning)" in result.output
    assert "regime:    opt-in" in result.output
