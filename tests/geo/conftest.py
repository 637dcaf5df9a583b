import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mmdbgen import write_test_db  # noqa: E402


@pytest.fixture(scope="session")
def geo_db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("geo") / "GeoTest-City.mmdb"
    write_test_db(str(path))
    return path
