"""Flask extensions, created unbound; ``create_app`` binds them with ``init_app``."""
import hashlib

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def _client_key() -> str:
    """Rate-limit key: a keyed hash of the client address, so no raw IP is ever stored
    (not even in Redis when limits are shared across workers)."""
    secret = current_app.config["SECRET_KEY"] or ""
    ip = request.remote_addr or ""
    return hashlib.sha256(f"{secret}|{ip}".encode()).hexdigest()[:24]


# Sessions live for one request: objects stay readable after commit without a reload.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# The default limit is read from the app's config on each request (RATELIMIT_DEFAULT), not
# once per process, so every app (and test) gets its own; see ratelimits.py.
limiter = Limiter(key_func=_client_key, default_limits=[lambda: current_app.config["RATELIMIT_DEFAULT"]])


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers run beside the one writer; foreign keys are off by default."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


def _install_engine_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


_install_engine_hooks()
