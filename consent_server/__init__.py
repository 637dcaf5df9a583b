"""The consent server: ``create_app()`` is the only thing this module does."""
import logging
import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import database, headers
from .config import Defaults
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .services import location, texts

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Defaults)
    app.config.from_pyfile("consent.cfg", silent=True)
    app.config.from_prefixed_env("CONSENT")
    if overrides:
        app.config.update(overrides)
    _finish_config(app)

    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]),
                                x_proto=int(app.config["TRUSTED_PROXIES"]))

    headers.init_app(app)  # first: its after_request runs last and sees every cookie
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    # The limiter before CSRF: a flood of forged form posts is counted and refused too.
    limiter.init_app(app)
    csrf.init_app(app)
    from .admin.language import select_locale

    babel.init_app(app, default_translation_directories=app.config["TRANSLATIONS_DIR"],
                   locale_selector=select_locale)
    login_manager.init_app(app)
    location.init_app(app)
    uncompiled = texts.uncompiled_locales(app.config["TRANSLATIONS_DIR"])
    if uncompiled:
        logging.getLogger(__name__).warning(
            "%d catalogs are not compiled (%s...): their visitors and admins read English; "
            "run `pybabel compile -d translations`", len(uncompiled), ", ".join(uncompiled[:5]))

    from . import models  # noqa: F401  (register the mappers)
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .errors import register_error_handlers
    from .public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(admin_bp)
    csrf.exempt(api_bp)
    register_error_handlers(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _finish_config(app: Flask) -> None:
    cfg = app.config
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    url = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg.get("DATABASE_URL")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "consent.db")
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    database.configure(cfg)
    if cfg.get("REDIS_URL") and cfg.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    cfg["TRUSTED_PROXIES"] = int(cfg.get("TRUSTED_PROXIES") or 0)
    if cfg.get("PREFERRED_URL_SCHEME") == "https":
        # Served over https: the admin session cookie never travels in clear text.
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True


def _instance_secret(instance: Path) -> str:
    """Without CONSENT_SECRET_KEY, one secret kept in the instance folder (0600), shared by
    every worker and restart, so visitor tokens stay valid."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    return path.read_text().strip()
