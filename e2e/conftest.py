"""Browser tests: Debian's Chromium driven by pytest-playwright against live servers.

Three origins, all on 127.0.0.1 (STYLE.md: the browser resolves nothing else):
- the consent server: the real app (create_app, SQLite file database), werkzeug;
- the shop: the host pages in e2e/fixtures/*.html (another port: another origin, so
  the API is used cross-origin with CORS, as on a real site);
- the third party: the gated scripts, iframe and pixel in e2e/fixtures/tp/, on a third
  port; every hit is counted server-side, per test site.
Each test gets its own site (its own key, ledger and hit counters) and a fresh browser
context (no cookies), so the tests are independent.
"""
from __future__ import annotations

import itertools
import re
import shutil
import tempfile
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from consent_server import create_app
from consent_server.extensions import db
from consent_server.models import ConsentRecord, Organization, Service, SiteText
from consent_server.services import revisions as revisions_service
from consent_server.services import sites as sites_service
from consent_server.services import texts as texts_service

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

# English texts for keys the server's catalog may not have yet (the translated catalogs
# land separately): seeded as the test sites' own overrides, only where missing, so
# every text the widget shows is a real string the assertions can look for.
TEXTS = {
    "banner.title": "This website uses cookies",
    "banner.body": "We use cookies. Necessary cookies are always on.",
    "banner.accept_all": "Accept all",
    "banner.reject_all": "Reject all",
    "banner.preferences": "Manage preferences",
    "banner.save": "Save my choices",
    "banner.close": "Close",
    "banner.saved": "Your choices have been saved.",
    "prefs.title": "Cookie preferences",
    "prefs.body": "Choose which categories of cookies we may use.",
    "prefs.always_on": "Always on",
    "prefs.services": "Services",
    "prefs.provider": "Provider",
    "prefs.purpose": "Purpose",
    "prefs.cookies": "Cookies",
    "prefs.lifetime": "Storage duration",
    "prefs.privacy_policy": "Privacy policy",
    "prefs.consent_id": "Consent ID",
    "category.necessary.name": "Necessary",
    "category.necessary.description": "Needed for the website to work.",
    "category.analytics.name": "Analytics",
    "category.analytics.description": "Help us understand how the website is used.",
    "category.advertising.name": "Advertising",
    "category.advertising.description": "Show and measure ads.",
    "optout.title": "Your privacy choices",
    "optout.body": "We and our partners use cookies for advertising, which may count as selling or sharing.",
    "optout.do_not_sell": "Do Not Sell or Share My Personal Information",
    "optout.gpc_honored": "Your Global Privacy Control signal has been honored: we do not sell or share your data.",
    "notice.body": "By using this website you are informed that it uses cookies.",
    "placeholder.blocked": "This content is blocked because it needs {category} cookies.",
    "placeholder.allow": "Allow {category} cookies",
    "settings.link": "Cookie settings",
}

SERVICES = (
    ("analytics", dict(name="Shop statistics", provider="Stats Example Ltd", purpose="Counts visits.",
                       privacy_policy_url="https://stats.example/privacy",
                       cookies=[{"name": "_e2e_an", "pattern": "^_e2e_an", "lifetime": "1 year"}])),
    ("advertising", dict(name="Ad network", provider="Ads Example Inc.", purpose="Shows ads.",
                         privacy_policy_url="https://ads.example/privacy",
                         cookies=[{"name": "_e2e_ad", "pattern": "^_e2e_ad", "lifetime": "90 days"}])),
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class LiveServer:
    """A WSGI app on 127.0.0.1, a free port, in a thread (stopped at the end of the session)."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


class Statics:
    """The shop's pages and the third party's assets (one app, served on two ports).

    /page/NAME.html?site=KEY[&api=URL][&lang=xx]: e2e/fixtures/NAME.html with {{consent}},
    {{api}}, {{site}}, {{tp}} and {{lang}} filled in (the query string reaches the page, so
    the widget sees ?geo=... too).
    /tp/FILE?site=KEY: e2e/fixtures/tp/FILE, counted in hits[KEY][FILE], never cached.
    """

    def __init__(self):
        self.hits: dict[str, Counter] = {}
        self.lock = threading.Lock()
        self.consent_url = self.tp_url = ""

    def __call__(self, environ, start_response):
        request = Request(environ)
        site = request.args.get("site", "")
        if not re.fullmatch(r"[a-z0-9-]*", site):
            return Response("bad site", 400)(environ, start_response)
        name = request.path.rsplit("/", 1)[-1]
        if request.path.startswith("/tp/") and (FIXTURES / "tp" / name).is_file():
            with self.lock:
                self.hits.setdefault(site, Counter())[name] += 1
            mimetype = {"js": "text/javascript", "html": "text/html", "gif": "image/gif"}[name.rsplit(".", 1)[-1]]
            response = Response((FIXTURES / "tp" / name).read_bytes(), mimetype=mimetype)
            response.headers["Cache-Control"] = "no-store"
        elif request.path.startswith("/page/") and (FIXTURES / name).is_file():
            api = request.args.get("api", self.consent_url)
            lang = request.args.get("lang", "")
            if not re.fullmatch(r"[A-Za-z-]*", lang):
                return Response("bad lang", 400)(environ, start_response)
            html = (FIXTURES / name).read_text(encoding="utf-8")
            for key, value in (("consent", self.consent_url), ("api", api), ("site", site), ("tp", self.tp_url),
                               ("lang", lang)):
                html = html.replace("{{%s}}" % key, value.replace('"', "&quot;").replace("<", "&lt;"))
            response = Response(html, mimetype="text/html")
            response.headers["Cache-Control"] = "no-store"
        else:
            response = Response("not found", 404)
        return response(environ, start_response)

    def hits_for(self, site: str) -> dict[str, int]:
        with self.lock:
            return dict(self.hits.get(site, Counter()))


@pytest.fixture(scope="session")
def servers():
    tmp = tempfile.mkdtemp(prefix="consent-e2e-")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "e2e-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/e2e.db",
        "RATELIMIT_ENABLED": False,
        "GEO_PRETEND": True,
    })
    with app.app_context():
        db.create_all()
        db.session.add(Organization(name="E2E"))
        db.session.commit()
    consent = LiveServer(app)
    statics = Statics()
    shop, third_party = LiveServer(statics), LiveServer(statics)
    statics.consent_url, statics.tp_url = consent.url, third_party.url
    yield type("Servers", (), dict(app=app, consent=consent.url, shop=shop.url, tp=third_party.url,
                                   statics=statics))
    for server in (consent, shop, third_party):
        server.stop()
    shutil.rmtree(tmp, ignore_errors=True)


_keys = itertools.count(1)


class Shop:
    """One test site, seen from the test: URLs, the ledger, hits, revisions."""

    def __init__(self, servers, key):
        self.servers, self.key, self.app = servers, key, servers.app

    def url(self, page="shop", **query) -> str:
        qs = "".join(f"&{k}={quote(str(v), safe='')}" for k, v in query.items())
        return f"{self.servers.shop}/page/{page}.html?site={self.key}{qs}"

    def tp(self, name) -> str:
        return f"{self.servers.tp}/tp/{name}?site={self.key}"

    def hits(self) -> dict[str, int]:
        return self.servers.statics.hits_for(self.key)

    def records(self) -> list[dict]:
        with self.app.app_context():
            site = sites_service.get_by_key(self.key)
            rows = db.session.scalars(select(ConsentRecord).where(ConsentRecord.site_id == site.id)
                                      .order_by(ConsentRecord.seq)).all()
            return [dict(action=r.action, layer=r.layer, choices=dict(r.choices), revision=r.revision,
                         visitor_id=r.visitor_id, gpc=r.gpc, regime=r.regime, language=r.language,
                         page_url=r.page_url, previous_id=r.previous_id, id=r.id) for r in rows]

    def publish(self) -> int:
        """A material change: a new service in advertising, published as a new revision."""
        with self.app.app_context():
            site = sites_service.get_by_key(self.key)
            sites_service.add_service(site, "advertising", name=f"New partner {site.revision + 1}",
                                      provider="Partner Ltd", privacy_policy_url="https://partner.example/p")
            return revisions_service.publish(site, "e2e").number

    def set_text(self, key: str, value: str, language="en") -> int:
        """A text override, published as a new revision (visitors see only what is published)."""
        with self.app.app_context():
            site = sites_service.get_by_key(self.key)
            row = next((t for t in site.texts if t.key == key and t.language == language), None)
            if row is None:
                site.texts.append(SiteText(language=language, key=key, value=value))
            else:
                row.value = value
            return revisions_service.publish(site, "e2e").number


@pytest.fixture
def make_shop(servers):
    """make_shop(regime_override="opt-out", consent_lifetime_days=182, hostile=False) -> Shop."""

    def factory(regime_override="auto", consent_lifetime_days=182, hostile=False) -> Shop:
        key = f"e2e-{next(_keys)}"
        with servers.app.app_context():
            org = db.session.scalar(select(Organization).where(Organization.name == "E2E"))
            site = sites_service.create_site(
                org, key=key, domains=[servers.shop, servers.consent], regime_override=regime_override,
                consent_lifetime_days=consent_lifetime_days, services=SERVICES, published_by="e2e")
            missing = {k: v for k, v in TEXTS.items() if k not in texts_service.MESSAGES}
            for k, v in missing.items():
                site.texts.append(SiteText(language="en", key=k, value=v))
            if hostile:
                # Configuration an attacker might slip in: markup in texts, a script URL.
                category = sites_service.category_by_key(site, "analytics")
                category.services.append(Service(
                    name="<img src=x onerror=window.__xss=1>", provider="Evil", purpose="x",
                    privacy_policy_url="javascript:window.__xss=1", cookies=[], position=9))
                site.texts.append(SiteText(language="en", key="banner.title",
                                           value='<img src=x onerror="window.__xss=1">Cookies'))
            db.session.commit()
            # the seeded texts are part of what visitors are shown: revision 1 says so
            first, frozen = revisions_service.revision(site, 1), revisions_service.new_revision(site, 1, "e2e")
            first.snapshot, first.snapshot_hash, first.shown = frozen.snapshot, frozen.snapshot_hash, frozen.shown
            db.session.commit()
        return Shop(servers, key)

    return factory


@pytest.fixture
def shop(make_shop) -> Shop:
    return make_shop()


@pytest.fixture
def watch(page, servers):
    """What the page does: every request URL in order, config answers, uncaught errors."""
    seen = Watch(servers, page)
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("response", seen.on_response)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    return seen


class Watch:
    def __init__(self, servers, page):
        self.servers, self.page, self.requests, self.configs, self.errors = servers, page, [], [], []

    def on_response(self, response):
        if "/config?" in response.url and response.ok:
            self.configs.append(response.json())  # read now: the body is gone after a navigation

    def third_party(self) -> list[str]:
        return [u for u in self.requests if u.startswith(self.servers.tp)]

    def posts(self) -> list[str]:
        return [u for u in self.requests if "/consents" in u]

    def config(self) -> dict:
        """The last config the widget received (its body is read by the response handler,
        which may still be at work when the banner is already visible)."""
        for _ in range(100):
            if self.configs:
                break
            self.page.wait_for_timeout(50)
        return self.configs[-1]


@pytest.fixture
def dl_log(page):
    """Every dataLayer push of the page, across reloads (the page's own copy is lost on reload)."""
    log = []
    page.expose_function("__dlLog", lambda entry: log.append(entry))
    page.add_init_script("""(() => {
        const dl = window.dataLayer = window.dataLayer || [], push = dl.push;
        dl.push = function () {
            for (const a of arguments) window.__dlLog(JSON.parse(JSON.stringify(Array.from(a))));
            return push.apply(this, arguments);
        };
    })();""")
    return log
