import logging

import pytest

from geo import GeoReader, Location, pretend_location, public_address


@pytest.fixture
def reader(geo_db_path):
    with GeoReader(str(geo_db_path)) as reader:
        yield reader


@pytest.mark.parametrize(
    "ip, expected",
    [
        ("85.214.10.20", Location("DE", "BE", "Berlin", "Europe/Berlin")),
        ("17.0.3.4", Location("US", "CA", "Cupertino", "America/Los_Angeles")),
        ("24.120.1.1", Location("US", "NV", "Las Vegas", "America/Los_Angeles")),
        ("24.200.9.9", Location("CA", "QC", "Montreal", "America/Toronto")),
        ("24.114.9.9", Location("CA", "ON", "Toronto", "America/Toronto")),
        ("81.2.69.160", Location("GB", "ENG", "London", "Europe/London")),
        ("82.130.70.1", Location("CH", "ZH", "Zurich", "Europe/Zurich")),
        ("84.208.1.2", Location("NO", "03", "Oslo", "Europe/Oslo")),
        ("177.0.200.1", Location("BR", "SP", "São Paulo", "America/Sao_Paulo")),
        ("126.0.0.1", Location("JP", "13", "Tokyo", "Asia/Tokyo")),
        ("2a01:4f8:c0c:1234::1", Location("DE", "BY", "Nuremberg", "Europe/Berlin")),
        ("50.0.1.1", Location("US", None, None, None)),
    ],
)
def test_locate_reads_country_region_city_and_time_zone(reader, ip, expected):
    assert reader.locate(ip) == expected
    assert reader.warning is None


def test_ipv4_mapped_ipv6_is_looked_up_as_ipv4(reader):
    assert reader.locate("::ffff:81.2.69.160") == reader.locate("81.2.69.160")
    assert reader.locate("::FFFF:81.2.69.160").city == "London"


def test_surrounding_whitespace_is_ignored(reader):
    assert reader.locate(" 85.214.10.20\n").country == "DE"


@pytest.mark.parametrize("ip", ["1.1.1.1", "8.8.8.8", "2a00:1450:4001::1", "85.215.0.1"])
def test_address_not_in_database_gives_none(reader, ip):
    assert reader.locate(ip) is None


def test_record_without_country_gives_none(reader):
    assert reader.locate("45.0.0.7") is None


@pytest.mark.parametrize(
    "ip",
    [
        "10.1.2.3",  # private
        "172.16.0.1",
        "192.168.1.1",
        "127.0.0.1",  # loopback
        "::1",
        "169.254.1.1",  # link-local
        "fe80::1",
        "fe80::1%eth0",
        "fec0::1",  # site-local (deprecated)
        "fd00::1",  # unique local
        "100.64.0.1",  # shared address space (CGNAT)
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "2001:db8::1",
        "224.0.0.1",  # multicast
        "ff02::1",
        "0.0.0.0",  # unspecified
        "::",
        "::ffff:10.0.0.1",  # mapped private
        "::ffff:127.0.0.1",
    ],
)
def test_non_public_addresses_give_none_without_a_lookup(reader, ip):
    assert reader.locate(ip) is None
    assert public_address(ip) is None
    assert reader.cache_info().misses == 0


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "not an ip",
        "999.1.1.1",
        "1.2.3",
        "1.2.3.4/24",
        "::ffff:1.2.3.4.5",
        "85.214.10.20, 10.0.0.1",
        "x" * 10_000,
        None,
        1234,
        b"85.214.10.20",
        ["85.214.10.20"],
    ],
)
def test_malformed_input_gives_none(reader, junk):
    assert reader.locate(junk) is None
    assert reader.cache_info().misses == 0


def test_repeated_lookups_are_served_from_the_cache(reader):
    for _ in range(5):
        assert reader.locate("85.214.10.20").city == "Berlin"
    reader.locate("::ffff:85.214.10.20")  # same address, normalized
    reader.locate("1.1.1.1")  # a miss in the db is cached too
    reader.locate("1.1.1.1")
    info = reader.cache_info()
    assert (info.hits, info.misses, info.currsize) == (6, 2, 2)


def test_cache_is_bounded(geo_db_path):
    with GeoReader(str(geo_db_path), cache_size=2) as reader:
        for ip in ("85.214.0.1", "85.214.0.2", "85.214.0.3", "85.214.0.1"):
            reader.locate(ip)
        info = reader.cache_info()
    assert (info.hits, info.misses, info.currsize, info.maxsize) == (0, 4, 2, 2)


def test_cache_can_be_disabled(geo_db_path):
    with GeoReader(str(geo_db_path), cache_size=0) as reader:
        assert reader.locate("81.2.69.1").city == "London"
        assert reader.locate("81.2.69.1").city == "London"
        assert reader.cache_info().hits == 0


def test_closed_reader_gives_none(geo_db_path):
    reader = GeoReader(str(geo_db_path))
    assert reader.locate("81.2.69.1") is not None
    reader.close()
    assert reader.locate("81.2.69.1") is None
    assert reader.cache_info().currsize == 0


def _warnings(caplog):
    return [r for r in caplog.records if r.name == "geo" and r.levelno == logging.WARNING]


def test_missing_database_warns_once_and_locates_nothing(tmp_path, caplog):
    path = tmp_path / "absent.mmdb"
    with caplog.at_level(logging.WARNING, logger="geo"):
        reader = GeoReader(str(path))
        assert reader.locate("85.214.10.20") is None
        assert reader.locate("81.2.69.160") is None
    assert "not found" in reader.warning and str(path) in reader.warning
    assert [r.getMessage() for r in _warnings(caplog)] == [reader.warning]


def test_unconfigured_database_warns(caplog):
    with caplog.at_level(logging.WARNING, logger="geo"):
        reader = GeoReader(None)
    assert reader.locate("85.214.10.20") is None
    assert "no GeoIP database configured" in reader.warning
    assert len(_warnings(caplog)) == 1


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a MaxMind database\n" * 100, "truncated"],
    ids=["empty", "text", "truncated"],
)
def test_corrupt_database_warns_once_and_locates_nothing(geo_db_path, tmp_path, caplog, content):
    if content == "truncated":
        content = geo_db_path.read_bytes()[:-200]  # cuts into the metadata
    path = tmp_path / "corrupt.mmdb"
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="geo"):
        reader = GeoReader(str(path))
        assert reader.locate("85.214.10.20") is None
    assert "cannot be read" in reader.warning
    assert len(_warnings(caplog)) == 1


def test_corrupt_search_tree_found_on_lookup_disables_the_reader(geo_db_path, tmp_path, caplog):
    data = bytearray(geo_db_path.read_bytes())
    data[:64] = b"\xff" * 64  # the search tree comes first in the file
    path = tmp_path / "bad-tree.mmdb"
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.DEBUG):
        reader = GeoReader(str(path))
        assert reader.warning is None  # the metadata is intact
        assert reader.locate("85.214.10.20") is None
        assert reader.locate("81.2.69.160") is None
    assert "corrupt" in reader.warning
    assert len(_warnings(caplog)) == 1
    # maxminddb's error names the address; neither the warning nor the log may.
    assert "85.214" not in caplog.text and "85.214" not in reader.warning


def test_an_ipv6_visitor_and_an_ipv4_only_database_give_none(tmp_path, caplog):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City")
    writer.insert_network(IPSet(["85.214.0.0/16"]), {"country": {"iso_code": "DE"}})
    path = tmp_path / "v4.mmdb"
    writer.to_db_file(str(path))
    with caplog.at_level(logging.DEBUG, logger="geo"):
        reader = GeoReader(str(path))
        assert reader.locate("85.214.10.20") == Location("DE", None, None, None)
        assert reader.locate("2a01:4f8:c0c:1234::1") is None
        assert reader.locate("85.214.10.21") == Location("DE", None, None, None)  # still enabled
    assert "2a01" not in caplog.text


def test_a_database_that_is_not_a_city_database_is_refused(tmp_path, caplog):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, database_type="GeoLite2-ASN", ipv4_compatible=True)
    writer.insert_network(IPSet(["85.214.0.0/16"]), {"autonomous_system_number": 6724})
    path = tmp_path / "asn.mmdb"
    writer.to_db_file(str(path))
    with caplog.at_level(logging.WARNING, logger="geo"):
        reader = GeoReader(str(path))
    assert reader.locate("85.214.10.20") is None
    assert "not a City database" in reader.warning


@pytest.mark.parametrize(
    "code, expected",
    [
        ("US-CA", Location("US", "CA")),
        ("us-ca", Location("US", "CA")),
        ("DE", Location("DE")),
        ("CA-QC", Location("CA", "QC")),
        ("GB", Location("GB")),
        ("GB-ENG", Location("GB", "ENG")),
        ("NO-03", Location("NO", "03")),
    ],
)
def test_pretend_location(code, expected):
    assert pretend_location(code) == expected


@pytest.mark.parametrize(
    "junk",
    ["", "U", "USA", "US-", "US-CALI", "US_CA", "XX", "ZZ", "EU", "eu-de", "UN", "EZ", "12", "US-C A", "<script>", None, 42],
)
def test_pretend_location_rejects_junk(junk):
    with pytest.raises(ValueError):
        pretend_location(junk)
