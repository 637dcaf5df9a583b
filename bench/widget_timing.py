"""Widget timing in Chromium on the demo page (a figure, not a test).

    .venv/bin/python bench/widget_timing.py [--runs 20]

Serves the real app (temporary SQLite database, the demo site from `consent-server demo`)
on 127.0.0.1 and drives Debian's Chromium (/usr/bin/chromium) with the flags of STYLE.md.
Times are milliseconds from navigation start (performance.timeOrigin):
- first visit (fresh context, empty cache): the banner is shown (the frame after its
  `hidden` attribute goes, i.e. when it can be painted);
- returning visitor (fresh context, the consent cookie of an earlier "Accept all"):
  the Consent Mode update is sent, and the gated analytics tag has run;
- returning visitor, warm cache (the same page loaded again in that context): the same.
Prints each series' raw numbers, median, p50 and p90.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from consent_server import create_app  # noqa: E402
from consent_server.demo import prepare  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]

# Records, in the page, when the banner can first be painted, when Consent Mode gets its
# update and when the demo's analytics tag runs (it sets window.demoAnalyticsRan).
PROBE = """(() => {
  const t = window.__t = {};
  new MutationObserver(() => {
    const b = document.getElementById('consent-banner');
    if (b && !b.hidden && !t.banner) { t.banner = -1; requestAnimationFrame(() => { t.banner = performance.now(); }); }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['hidden']});
  const dl = window.dataLayer = [], push = dl.push;
  dl.push = function (a) { if (a && a[1] === 'update' && !t.update) t.update = performance.now(); return push.apply(this, arguments); };
  let ran;
  Object.defineProperty(window, 'demoAnalyticsRan', {configurable: true,
    get: () => ran, set: v => { ran = v; if (!t.analytics) t.analytics = performance.now(); }});
})();"""


def serve():
    for name in ("werkzeug", "alembic"):
        logging.getLogger(name).setLevel(logging.ERROR)
    tmp = tempfile.mkdtemp(prefix="consent-bench-")
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "RATELIMIT_ENABLED": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with app.app_context():
        prepare(app, host="127.0.0.1", port=server.server_port, echo=lambda *a: None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/demo/"


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p50 = statistics.median(values)
    p90 = statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]
    raw = " ".join(f"{v:.1f}" for v in values)
    return (f"{name:<44} median {p50:7.1f}  p50 {p50:7.1f}  p90 {p90:7.1f}  (n={len(values)})\n"
            f"{'':<44} raw (sorted): {raw}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    server, url = serve()
    first, update, analytics, warm_update, warm_analytics = [], [], [], [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # one real "Accept all" to get a genuine consent cookie
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            with page.expect_response(lambda r: "/consents" in r.url):
                page.click('#consent-banner [data-consent-action="accept-all"]')
            cookies = [c for c in context.cookies() if c["name"] == "consent"]
            context.close()
            assert cookies, "no consent cookie after Accept all"

            for _ in range(args.runs):
                context = browser.new_context()
                context.add_init_script(PROBE)
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("window.__t.banner > 0")
                first.append(page.evaluate("window.__t.banner"))
                context.close()

                context = browser.new_context()
                context.add_cookies(cookies)
                context.add_init_script(PROBE)
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("window.__t.analytics > 0 && window.__t.update > 0")
                t = page.evaluate("window.__t")
                assert "banner" not in t, "a returning visitor saw the banner"
                update.append(t["update"])
                analytics.append(t["analytics"])
                page.goto(url)  # again: consent.js and the tag now come from the HTTP cache
                page.wait_for_function("window.__t.analytics > 0 && window.__t.update > 0")
                t = page.evaluate("window.__t")
                warm_update.append(t["update"])
                warm_analytics.append(t["analytics"])
                context.close()
            version = browser.version
            browser.close()
    finally:
        server.shutdown()

    print(f"Chromium {version}, demo page, {args.runs} runs each, fresh context per run (empty cache)")
    print("milliseconds from navigation start")
    print(summary("first visit: banner visible", first))
    print(summary("returning visitor: Consent Mode update sent", update))
    print(summary("returning visitor: gated analytics tag ran", analytics))
    print(summary("returning, warm cache: Consent Mode update", warm_update))
    print(summary("returning, warm cache: analytics tag ran", warm_analytics))


if __name__ == "__main__":
    main()
