"""`consent-server demo`: demo organization, admin, site and services; a local server."""
from __future__ import annotations

import secrets

from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, run_simple

from .extensions import db
from .models import AdminUser, Organization
from .services import sites as sites_service

DEMO_ADMIN = "admin@demo.example"
DEMO_SERVICES = (
    ("necessary", dict(name="Consent manager", provider="This site",
                       purpose="Remembers your cookie choice.",
                       cookies=[{"name": "consent", "pattern": "^consent$", "lifetime": "6 months"}])),
    ("analytics", dict(name="Site statistics", provider="This site (first party)",
                       purpose="Counts visits and page views to improve the site.",
                       privacy_policy_url="https://northwind.example/privacy",
                       cookies=[])),
    ("analytics", dict(name="Google Analytics", provider="Google Ireland Ltd",
                       purpose="Audience measurement.",
                       privacy_policy_url="https://policies.google.com/privacy",
                       cookies=[{"name": "_ga", "pattern": "^_ga(_.*)?$", "lifetime": "2 years"}])),
    ("advertising", dict(name="Google Ads", provider="Google Ireland Ltd",
                         purpose="Shows and measures ads on this and other sites.",
                         privacy_policy_url="https://policies.google.com/privacy",
                         cookies=[{"name": "_gcl_au", "pattern": "^_gcl_.*$", "lifetime": "90 days"}])),
    ("advertising", dict(name="Partner video", provider="Video Example Inc.",
                         purpose="Embedded videos that track views for advertising.",
                         privacy_policy_url="https://video.example/privacy",
                         cookies=[{"name": "vx_id", "pattern": "^vx_", "lifetime": "1 year"}])),
)


class _NoAddressRequestHandler(WSGIRequestHandler):
    """The development server's access log, without the client address (no raw IPs in logs)."""

    def address_string(self) -> str:
        return "-"


def prepare(app, *, host: str, port: int, echo=print) -> None:
    app.config["GEO_PRETEND"] = True  # ?geo=US-CA shows the regional behaviour in the demo
    upgrade(directory=app.extensions["migrate"].directory)
    org = db.session.scalar(select(Organization).where(Organization.name == "Demo"))
    if org is None:
        org = Organization(name="Demo")
        db.session.add(org)
        db.session.flush()
    if db.session.scalar(select(AdminUser).where(AdminUser.email == DEMO_ADMIN)) is None:
        password = secrets.token_urlsafe(12)
        user = AdminUser(email=DEMO_ADMIN, role="owner", organization=org)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        echo(f"Demo admin login (shown once): {DEMO_ADMIN} / {password}")
    origins = {f"http://{host}:{port}", f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    site = sites_service.get_by_key("demo")
    if site is None:
        sites_service.create_site(org, key="demo", domains=sorted(origins), name="Demo site",
                                  services=DEMO_SERVICES, published_by="demo")
    elif not origins <= set(site.domains):
        site.domains = sorted(set(site.domains) | {sites_service.normalize_origin(o) for o in origins})
        db.session.commit()
    echo(f"Demo page:  http://{host}:{port}/demo/")
    echo(f"API:        http://{host}:{port}/api/v1/openapi.json")


def serve(app, *, host: str, port: int) -> None:
    run_simple(host, port, app, threaded=True, request_handler=_NoAddressRequestHandler)
