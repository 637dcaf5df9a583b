"""Screenshots of the admin UI for docs/screenshots/ (Debian's Chromium via Playwright).

Builds a throwaway SQLite database with the demo site, 30 days of generated consent
decisions (two published revisions, visitors from several countries and devices) and
the pageviews of the visitors who granted analytics, serves the app on 127.0.0.1 and
captures the main pages.

    .venv/bin/python scripts/admin_screenshots.py [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consent_server import create_app  # noqa: E402
from consent_server.demo import DEMO_SERVICES  # noqa: E402
from consent_server.extensions import db  # noqa: E402
from consent_server.models import AdminUser, Organization  # noqa: E402
from consent_server.services import analytics, consents, revisions, sites  # noqa: E402
from geo import Location  # noqa: E402

EMAIL, PASSWORD = "owner@northwind.example", "screenshots only"
SECRET = "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PLACES = [(Location(country="DE", region="BE", city="Berlin"), 30), (Location(country="FR", region="IDF", city="Paris"), 15),
          (Location(country="US", region="CA", city="San Francisco"), 20), (Location(country="GB", region="ENG", city="London"), 12),
          (Location(country="US", region="TX", city="Austin"), 10), (Location(country="BR", region="SP", city="São Paulo"), 8),
          (None, 5)]
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (X11; Linux x86_64; rv:130.0) Gecko/20100101 Firefox/130.0"]
PAGES = ["/", "/pricing", "/blog/cookies", "/docs/install", "/contact"]


def seed(app) -> None:
    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        org = Organization(name="Northwind")
        user = AdminUser(email=EMAIL, role="owner", organization=org, failed_logins=0)
        user.set_password(PASSWORD)
        db.session.add_all([org, user])
        db.session.commit()
        site = sites.create_site(org, key="northwind", domains=["https://www.northwind.example"],
                                 name="Northwind shop", services=DEMO_SERVICES, published_by=EMAIL)
        start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=29)
        places, weights = zip(*PLACES)
        for day in range(30):
            if day == 18:
                sites.add_service(site, "advertising", name="Retargeting pixel", provider="Pixel Example GmbH",
                                  purpose="Shows our ads on other sites.")
                revisions.publish(site, EMAIL)
            for _ in range(rng.randint(30, 60)):
                at = start + timedelta(days=day, seconds=rng.randrange(86000))
                place = rng.choices(places, weights)[0]
                action = rng.choices(["accept_all", "reject_all", "save", "withdraw"], [45, 30, 22, 3])[0]
                analytics_on = action == "accept_all" or (action == "save" and rng.random() < 0.6)
                choices = {"analytics": analytics_on, "advertising": action == "accept_all"}
                agent = rng.choice(AGENTS)
                made = consents.record_choice(
                    site, secret_key=SECRET, visitor_id=None, token=None, choices=choices, action=action,
                    revision=site.revision, language=rng.choice(["en", "en", "de", "fr"]),
                    page_url="https://www.northwind.example/", layer=1, location=place, user_agent=agent,
                    gpc=False, dnt=False, now=at)
                if analytics_on:
                    events = [{"visitor_id": made.record.visitor_id, "token": made.token, "type": "pageview",
                               "url": "https://www.northwind.example" + rng.choice(PAGES),
                               "referrer": rng.choice(["", "https://search.example/q", "https://news.example/a"])}
                              for _ in range(rng.randint(1, 4))]
                    for i, event in enumerate(events):
                        analytics.accept(site, [event], secret_key=SECRET, user_agent=agent, location=place,
                                         now=at + timedelta(minutes=1 + i))
        analytics.flush(app)


def capture(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = [("sites", "/admin/"), ("overview", "/admin/sites/northwind/"),
             ("consent-report", "/admin/sites/northwind/reports/consent"),
             ("traffic-report", "/admin/sites/northwind/reports/traffic"),
             ("categories", "/admin/sites/northwind/categories"),
             ("banner-texts", "/admin/sites/northwind/texts?language=en"),
             ("publish", "/admin/sites/northwind/publish"), ("exports", "/admin/sites/northwind/exports/")]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/admin/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(base + "/admin/")
        for name, path in shots:
            page.goto(base + path)
            # The long pages (reports, texts) as the first screen only.
            page.screenshot(path=str(out / f"admin-{name}.png"),
                            full_page=name not in ("consent-report", "traffic-report", "banner-texts"))
            print(f"wrote {out / f'admin-{name}.png'}")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="consent-shots-"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db", "SECRET_KEY": SECRET,
                          "RATELIMIT_ENABLED": False, "ANALYTICS_FLUSH_INTERVAL": 0})
        seed(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            capture(f"http://127.0.0.1:{server.server_port}", out)
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
