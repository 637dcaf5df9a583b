"""The data-request module (widget/dsar.js, built by widget/dsar.py, served at /d.js)."""
import gzip

from tests.javascript import assert_no_html_sinks, assert_valid_javascript
from widget import build_bundle
from widget.dsar import BUDGET_GZIP, SOURCE, build_dsar


def test_module_fits_its_budget_and_stays_out_of_the_bundle():
    module = build_dsar()
    measured = len(gzip.compress(module.body, compresslevel=9))
    print(f"dsar.js: {len(module.body)} B minified, {measured} B gzip -9")
    assert measured <= BUDGET_GZIP
    assert b"dsar.download" in module.body and b"dsar.download" not in build_bundle().body
    assert b"/d.js" in build_bundle().body  # the bundle only loads it


def test_module_is_valid_javascript_and_uses_no_html_sinks():
    assert_no_html_sinks(SOURCE.read_text(encoding="utf-8"), SOURCE.name)
    assert_valid_javascript(build_dsar().body, "the module")


def test_d_js_is_served_gzipped_and_versioned(client):
    module = build_dsar()
    resp = client.get("/d.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.get_data() == module.gzip_body and resp.headers["Cache-Control"] == "public, max-age=300"
    pinned = client.get(f"/d.{module.version}.js")
    assert pinned.get_data() == module.body
    assert pinned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    old = client.get("/d.0123456789ab.js")
    assert old.status_code == 302 and old.headers["Location"].endswith("/d.js")
