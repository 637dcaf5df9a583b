"""The ``consent-server`` command: a Flask CLI group with the app preloaded."""
from __future__ import annotations

import ipaddress
import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from sqlalchemy import select

from geo import public_address, regime_for

from .extensions import db
from .models import AdminUser, Organization
from .models.organization import ROLES
from .services import exports as exports_service
from .services import ledger as ledger_service
from .services import reports as reports_service
from .services import location as location_service
from .services import retention as retention_service
from .services import sites as sites_service

admin_cli = AppGroup("admin", help="Admin users.")
site_cli = AppGroup("site", help="Sites.")
ledger_cli = AppGroup("ledger", help="The consent ledger.")
geo_cli = AppGroup("geo", help="Location and regime of IP addresses.")
retention_cli = AppGroup("retention", help="Data retention (docs/RETENTION.md).")
export_cli = AppGroup("export", help="Consent records, aggregates and traffic data as CSV or JSON Lines.")


def _organization(name: str | None) -> Organization:
    if name:
        org = db.session.scalar(select(Organization).where(Organization.name == name))
        if org is None:
            org = Organization(name=name)
            db.session.add(org)
            db.session.flush()
        return org
    org = db.session.scalar(select(Organization).order_by(Organization.id).limit(1))
    if org is None:
        org = Organization(name="Default")
        db.session.add(org)
        db.session.flush()
    return org


@admin_cli.command("create")
@click.argument("email")
@click.option("--password", help="Default: a random one, printed once.")
@click.option("--org", "org_name", help="Organization name (created if missing).")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True)
def admin_create(email, password, org_name, role):
    """Create an admin user (the first one is the organization's owner)."""
    if db.session.scalar(select(AdminUser.id).where(AdminUser.email == email.lower())):
        raise click.ClickException(f"an admin with email {email} exists")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    user = AdminUser(email=email.lower(), role=role, organization=_organization(org_name))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"created {role} {user.email} in organization {user.organization.name!r}")
    if generated:
        click.echo(f"password (shown once): {password}")


@site_cli.command("create")
@click.option("--key", required=True, help="Public site key used in data-site.")
@click.option("--domain", "domains", multiple=True, required=True,
              help="Allowed origin, e.g. https://www.example.com (repeatable).")
@click.option("--name")
@click.option("--org", "org_name", help="Organization name (default: the first one).")
@click.option("--regime", type=click.Choice(("auto", "opt-in", "opt-out", "notice")), default="auto")
def site_create(key, domains, name, org_name, regime):
    """Create a site with the categories necessary, analytics and advertising."""
    try:
        site = sites_service.create_site(_organization(org_name), key=key, domains=list(domains),
                                         name=name, regime_override=regime)
    except sites_service.SiteError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created site {site.key} ({', '.join(site.domains)})")
    click.echo(f'embed: <script src="https://CONSENT_HOST/consent.js" data-site="{site.key}"></script>')


@ledger_cli.command("verify")
@click.option("--site", "site_key", required=True)
def ledger_verify(site_key):
    """Verify a site's hash chain; exit 1 and name the first broken record if it fails."""
    site = sites_service.get_by_key(site_key)
    if site is None:
        raise click.ClickException(f"no site {site_key!r}")
    result = ledger_service.verify(site, current_app.config["SECRET_KEY"])
    click.echo(f"{site.key}: {result.describe()}")
    sys.exit(0 if result.ok else 1)


@geo_cli.command("lookup")
@click.argument("ip")
@click.option("--site", "site_key", help="Apply this site's regime override.")
def geo_lookup(ip, site_key):
    """Print the location and regime the server would use for IP."""
    site = sites_service.get_by_key(site_key) if site_key else None
    if site_key and site is None:
        raise click.ClickException(f"no site {site_key!r}")
    try:
        ipaddress.ip_address(ip.strip())
    except ValueError:
        raise click.ClickException(f"not an IP address: {ip!r}") from None
    reader = location_service.reader(current_app)
    where = location_service.resolve(reader, ip)
    if where is not None:
        click.echo(f"country:   {where.country}")
        click.echo(f"region:    {where.region or '-'}")
        click.echo(f"city:      {where.city or '-'}")
        click.echo(f"time zone: {where.time_zone or '-'}")
    elif public_address(ip) is None:
        click.echo("location:  unresolved (not a public address)")
    elif reader.warning:
        click.echo("location:  unresolved (no usable GeoIP database, see the warning)")
    else:
        click.echo("location:  unresolved (no country for it in the database)")
    decision = regime_for(where, site.regime_override if site else None)
    click.echo(f"regime:    {decision.regime} ({decision.reason})")


@retention_cli.command("run")
@click.option("--site", "site_key", help="Only this site (default: every site).")
@click.option("--dry-run", is_flag=True, help="Print what would be done; change nothing.")
def retention_run(site_key, dry_run):
    """Obfuscate and delete what is past each site's retention limits (idempotent: safe to
    run from cron every hour). Prints one line per site."""
    sites = retention_service.sites_for(site_key)
    if site_key and not sites:
        raise click.ClickException(f"no site {site_key!r}")
    for site in sites:
        if dry_run:
            counts = retention_service.preview(site)
            click.echo(f"{site.key} (dry run): " + ", ".join(f"{what} {n}" for what, n in counts.items()))
        else:
            click.echo(retention_service.run(site, current_app.config["SECRET_KEY"]).describe())


def _export_options(kind: str):
    """The options every ``export`` command takes (and the consent filters for consents)."""
    def decorate(command):
        options = [
            click.option("--site", "site_key", required=True, help="Site key."),
            click.option("--format", "fmt", type=click.Choice(exports_service.KINDS[kind]),
                         default=exports_service.KINDS[kind][0], show_default=True),
            click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First UTC day (YYYY-MM-DD)."),
            click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last UTC day, included."),
            click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                         help="File to write (default: stdout)."),
        ]
        if kind == "consents":
            options += [click.option("--country", help="ISO country code, e.g. DE."),
                        click.option("--action", type=click.Choice(ledger_service.ACTIONS)),
                        click.option("--revision", type=click.IntRange(min=1)),
                        click.option("--regime", type=click.Choice(("opt-in", "opt-out", "notice"))),
                        click.option("--language"),
                        click.option("--device")]
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def _run_export(kind, site_key, fmt, since, until, output, filters=None):
    site = sites_service.get_by_key(site_key)
    if site is None:
        raise click.ClickException(f"no site {site_key!r}")
    show_progress = sys.stderr.isatty() and kind in ("consents", "events")
    bar = None
    try:
        result = exports_service.export(
            site, kind, fmt, since=since.date() if since else None, until=until.date() if until else None,
            filters=filters, on_rows=(lambda n: bar.update(n)) if show_progress else None)
    except exports_service.ExportError as exc:
        raise click.ClickException(str(exc)) from None
    target = click.open_file(output or "-", "w", encoding="utf-8", lazy=False)
    with target:
        if show_progress:
            with click.progressbar(length=result.total, label=f"{kind} ({result.total:,} rows)",
                                   file=sys.stderr) as bar:
                for chunk in result.chunks:
                    target.write(chunk)
        else:
            for chunk in result.chunks:
                target.write(chunk)


@export_cli.command("consents")
@_export_options("consents")
def export_consents(site_key, fmt, since, until, output, country, action, revision, regime, language, device):
    """Consent records with every ledger field and hash (the proof of consent)."""
    filters = reports_service.Filters(country=country.upper() if country else None, action=action,
                                      revision=revision, regime=regime, language=language, device=device)
    _run_export("consents", site_key, fmt, since, until, output, filters)


@export_cli.command("aggregates")
@_export_options("aggregates")
def export_aggregates(site_key, fmt, since, until, output):
    """Daily consent aggregates: decisions per action, grants per category."""
    _run_export("aggregates", site_key, fmt, since, until, output)


@export_cli.command("events")
@_export_options("events")
def export_events(site_key, fmt, since, until, output):
    """Stored clickstream events (only those recorded under analytics consent)."""
    _run_export("events", site_key, fmt, since, until, output)


@export_cli.command("rollups")
@_export_options("rollups")
def export_rollups(site_key, fmt, since, until, output):
    """Daily traffic totals (the analytics rollups)."""
    _run_export("rollups", site_key, fmt, since, until, output)


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@with_appcontext
def demo_command(host, port):
    """Create the demo data (SQLite by default) and serve the API, widget and /demo/."""
    from .demo import prepare, serve

    app = current_app._get_current_object()  # the real app: requests run in other threads
    prepare(app, host=host, port=port, echo=click.echo)
    serve(app, host=host, port=port)


def register_commands(app) -> None:
    for command in (admin_cli, site_cli, ledger_cli, geo_cli, retention_cli, export_cli, demo_command):
        app.cli.add_command(command)


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, add_version_option=False,
               help="Self-hosted consent manager.")(prog_name="consent-server")
