"""Export downloads (streamed) and the per-visitor proof pages."""
import csv
import io
import json

import pytest

from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def shop(client, make_admin, make_site, make_consent, login):
    user = make_admin(role="viewer")
    login(user.email, ADMIN_PASSWORD)
    site = make_site(key="shop", org=user.organization)
    site.made = [make_consent(site, choices={"analytics": True}, action="accept_all"),
                 make_consent(site, choices={}, action="reject_all")]
    return site


def test_viewer_downloads_consent_csv_streamed(client, shop):
    response = client.get("/admin/sites/shop/exports/download?kind=consents&format=csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert 'filename="shop-consents-all.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["accept_all", "reject_all"]
    assert rows[1]["prev_hash"] == rows[0]["hash"]


def test_jsonl_download_with_filters(client, shop):
    response = client.get("/admin/sites/shop/exports/download?kind=consents&format=jsonl&action=reject_all")
    lines = response.get_data(as_text=True).splitlines()
    assert response.mimetype == "application/x-ndjson"
    assert len(lines) == 1 and json.loads(lines[0])["action"] == "reject_all"


def test_bad_export_requests_are_400_pages(client, shop):
    for query in ("kind=all&format=csv", "kind=aggregates&format=jsonl", "kind=events&format=csv&country=DE",
                  "kind=consents&format=xml", "kind=consents&format=csv&start=2026-02-30",
                  "kind=consents&format=csv&start=2026-02-03&end=2026-02-01",
                  "kind=consents&format=csv&end=9999-12-31", "kind=aggregates&format=csv&end=9999-12-31",
                  "kind=rollups&format=csv&start=0001-01-01"):
        response = client.get("/admin/sites/shop/exports/download?" + query)
        assert response.status_code == 400, query
        assert response.mimetype == "text/html"


def test_visitor_proof_page_and_json(client, shop):
    visitor = shop.made[0].record.visitor_id
    lookup = client.get(f"/admin/sites/shop/visitors/?visitor_id={visitor}")
    assert lookup.headers["Location"] == f"/admin/sites/shop/visitors/{visitor}"
    page = client.get(lookup.headers["Location"]).get_data(as_text=True)
    assert "every record matches its hash" in page and shop.made[0].record.hash in page
    proof = client.get(f"/admin/sites/shop/visitors/{visitor}/proof.json").json
    assert proof["ok"] and proof["records"][0]["revision"]["number"] == 1
    assert "chain" not in proof
    full = client.get(f"/admin/sites/shop/visitors/{visitor}/proof.json?chain=1").json
    assert full["chain"] == {"ok": True, "checked": 2, "result": "OK: 2 records verified (seq 1..2)"}
    assert "OK: 2 records verified" in client.get(f"/admin/sites/shop/visitors/{visitor}?chain=1").get_data(as_text=True)
    assert client.get("/admin/sites/shop/visitors/?visitor_id=nothex").status_code == 400
    assert client.get(f"/admin/sites/shop/visitors/{'0' * 32}").status_code == 404


def test_another_organizations_visitor_and_exports_are_404(client, shop, make_org, make_site, make_consent):
    theirs = make_site(key="theirs", org=make_org("Other"), domains=["https://theirs.example"])
    visitor = make_consent(theirs, choices={}).record.visitor_id
    assert client.get("/admin/sites/theirs/exports/download?kind=consents&format=csv").status_code == 404
    assert client.get(f"/admin/sites/theirs/visitors/{visitor}").status_code == 404
    # their visitor under our site key: not our record
    assert client.get(f"/admin/sites/shop/visitors/{visitor}").status_code == 404
