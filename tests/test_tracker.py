"""The clickstream tracker (widget/tracker.js, built by widget/tracker.py, served at /t.js)."""
import gzip

from tests.javascript import assert_no_html_sinks, assert_valid_javascript
from widget import build_bundle
from widget.tracker import BUDGET_GZIP, SOURCE, build_tracker


def test_tracker_fits_the_2000_byte_gzip_budget():
    tracker = build_tracker()
    measured = len(gzip.compress(tracker.body, compresslevel=9))
    print(f"tracker: {len(tracker.body)} B minified, {measured} B gzip -9")
    assert measured <= BUDGET_GZIP, f"tracker is {measured} B gzip -9, budget {BUDGET_GZIP} B"
    assert gzip.decompress(tracker.gzip_body) == tracker.body


def test_tracker_is_valid_javascript_and_uses_no_html_sinks():
    assert_no_html_sinks(SOURCE.read_text(encoding="utf-8"), SOURCE.name)
    assert_valid_javascript(build_tracker().body, "the tracker")


def test_widget_loads_the_tracker_only_through_its_analytics_gate():
    body = build_bundle().body.decode()
    assert body.count("/t.js") == 1
    assert "granted('analytics')" in body and "TRACKER&&!tk" in body


def test_t_js_is_served_gzipped_and_revalidated(client):
    tracker = build_tracker()
    resp = client.get("/t.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Content-Encoding"] == "gzip" and resp.get_data() == tracker.gzip_body
    assert resp.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/t.js", headers={"Accept-Encoding": "gzip", "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/t.js").get_data() == tracker.body


def test_versioned_tracker_url_is_immutable_and_old_versions_redirect(client):
    tracker = build_tracker()
    resp = client.get(f"/t.{tracker.version}.js")
    assert resp.status_code == 200 and "immutable" in resp.headers["Cache-Control"]
    old = client.get("/t.000000000000.js")
    assert old.status_code == 302 and old.headers["Location"].endswith("/t.js")
