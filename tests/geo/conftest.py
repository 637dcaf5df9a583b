import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mmdbgen import city_record, write_city_db  # noqa: E402

# Network -> record of the test database. Addresses are ordinary public ones;
# the records are made up for the tests.
NETWORKS = {
    "85.214.0.0/16": city_record("DE", "EU", "BE", "Berlin", "Berlin", "Europe/Berlin"),
    "17.0.0.0/16": city_record("US", "NA", "CA", "California", "Cupertino", "America/Los_Angeles"),
    "24.120.0.0/16": city_record("US", "NA", "NV", "Nevada", "Las Vegas", "America/Los_Angeles"),
    "50.0.0.0/16": city_record("US", "NA"),
    "24.200.0.0/16": city_record("CA", "NA", "QC", "Quebec", "Montreal", "America/Toronto"),
    "24.114.0.0/16": city_record("CA", "NA", "ON", "Ontario", "Toronto", "America/Toronto"),
    "81.2.69.0/24": city_record("GB", "EU", "ENG", "England", "London", "Europe/London"),
    "82.130.64.0/18": city_record("CH", "EU", "ZH", "Zurich", "Zurich", "Europe/Zurich"),
    "84.208.0.0/16": city_record("NO", "EU", "03", "Oslo", "Oslo", "Europe/Oslo"),
    "177.0.0.0/16": city_record("BR", "SA", "SP", "Sao Paulo", "São Paulo", "America/Sao_Paulo"),
    "126.0.0.0/16": city_record("JP", "AS", "13", "Tokyo", "Tokyo", "Asia/Tokyo"),
    "2a01:4f8::/32": city_record("DE", "EU", "BY", "Bavaria", "Nuremberg", "Europe/Berlin"),
}
# A record with a continent but no country (as for some anycast networks).
NO_COUNTRY = "45.0.0.0/24"


@pytest.fixture(scope="session")
def geo_db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "GeoTest-City.mmdb"
    entries = [([cidr], record) for cidr, record in NETWORKS.items()]
    entries.append(([NO_COUNTRY], {"continent": {"code": "EU", "names": {"en": "Europe"}}}))
    write_city_db(str(path), entries)
    return path
