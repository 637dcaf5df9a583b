"""GET /consent.js and /consent.<version>.js: the built bundle, compressed and cached."""
import gzip

from widget import build_bundle


def test_consent_js_is_the_bundle_gzipped_when_accepted(client):
    bundle = build_bundle()
    resp = client.get("/consent.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.mimetype == "text/javascript"
    assert resp.get_data() == bundle.gzip_body
    assert len(resp.get_data()) == bundle.gzip_size <= 6000  # the budget of tests/test_widget_bundle.py
    assert gzip.decompress(resp.get_data()) == bundle.body
    assert "Accept-Encoding" in resp.headers["Vary"]


def test_consent_js_is_identity_without_accept_encoding(client):
    resp = client.get("/consent.js")
    assert "Content-Encoding" not in resp.headers
    assert resp.get_data() == build_bundle().body
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_consent_js_honours_gzip_refused_by_quality_zero(client):
    resp = client.get("/consent.js", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in resp.headers
    assert resp.get_data() == build_bundle().body


def test_consent_js_is_short_lived_and_revalidated_by_etag(client):
    first = client.get("/consent.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    again = client.get("/consent.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # each encoding has its own validator
    plain = client.get("/consent.js", headers={"If-None-Match": etag})
    assert plain.status_code == 200 and plain.headers["ETag"] != etag


def test_versioned_url_is_immutable_for_a_year(client):
    bundle = build_bundle()
    resp = client.get(f"/consent.{bundle.version}.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.get_data() == bundle.gzip_body


def test_an_old_version_redirects_to_the_current_script(client):
    resp = client.get("/consent.0123456789ab.js")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/consent.js")
