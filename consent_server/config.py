"""Configuration defaults.

Layering (see create_app): ``Defaults`` -> optional instance file ``consent.cfg`` ->
``CONSENT_*`` environment variables (``app.config.from_prefixed_env("CONSENT")``) ->
``overrides`` passed by tests. Nothing here reads the environment or touches files at
import time.
"""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Secrets: the demo and tests get a generated one; production must set CONSENT_SECRET_KEY.
    SECRET_KEY = None
    # None -> SQLite file ``consent.db`` in the instance folder (filled in by create_app).
    DATABASE_URL = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Path to a GeoIP2/GeoLite2/DB-IP City mmdb; None -> every location is unresolved.
    GEOIP_DB = None
    # Pretend locations with ?geo=US-CA (demo and tests only; never in production).
    GEO_PRETEND = False
    # Number of reverse proxies whose X-Forwarded-For is trusted (werkzeug ProxyFix).
    TRUSTED_PROXIES = 0
    # Optional redis://... for rate limits and caches shared across workers.
    REDIS_URL = None
    # Babel catalogs (banner and admin texts).
    TRANSLATIONS_DIR = str(REPO_ROOT / "translations")
    DEFAULT_LANGUAGE = "en"
    # Largest request body the public API accepts (bytes).
    API_MAX_BODY = 8 * 1024
    # Largest request body anywhere (admin forms included); werkzeug answers 413 past it.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Database timeouts (consent_server/database.py, docs/DEPLOY.md): PostgreSQL connect
    # (libpq's minimum is 2 s; a refused connection fails at once), statement and lock
    # waits (ms), waiting for a pooled connection (s); SQLite's busy wait (s). A PostgreSQL
    # connection whose sent data stays unacknowledged this long is dropped by the kernel
    # (libpq tcp_user_timeout, with TCP keepalives): a host gone from the network costs
    # seconds, not a hung worker thread.
    DB_TCP_USER_TIMEOUT_MS = 5000
    DB_CONNECT_TIMEOUT = 2
    DB_STATEMENT_TIMEOUT_MS = 5000
    DB_LOCK_TIMEOUT_MS = 3000
    DB_POOL_TIMEOUT = 3
    DB_SQLITE_BUSY_TIMEOUT = 5
    # Optional read replica for reports (database.reporting_session); None: the primary.
    REPORTING_DATABASE_URL = None
    # Security headers (consent_server/headers.py). HSTS is sent only on https requests.
    HSTS = "max-age=31536000; includeSubDomains"
    CONTENT_SECURITY_POLICY = ("default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'self'; object-src 'none'")
    # Flask-WTF / session cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # (Secure is added to every cookie of an https request: headers.py.)
    WTF_CSRF_TIME_LIMIT = None
    # Rate limits (Flask-Limiter, docs/RELIABILITY.md). Each is a limit string such as
    # "120 per minute" (CONSENT_RATELIMIT_CONSENTS=... overrides). Clients are keyed on a
    # keyed hash of their address, never the raw IP; storage is Redis when REDIS_URL is set,
    # so every worker and host counts together.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = "consent-rl"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis unreachable: count per worker instead of failing the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Per client address, on every endpoint without limits of its own (widget, health,
    # OpenAPI, admin pages...).
    RATELIMIT_DEFAULT = "300 per minute"
    # Per site, on every /api/v1/sites/<key>/... endpoint without limits of its own.
    RATELIMIT_SITE = "60000 per minute"
    # Per endpoint: NAME per client address, NAME_SITE per site (ratelimits.per_client_and_site).
    RATELIMIT_CONFIG = "600 per minute"
    RATELIMIT_CONFIG_SITE = "60000 per minute"
    RATELIMIT_CONSENTS = "120 per minute"
    RATELIMIT_CONSENTS_SITE = "12000 per minute"
    RATELIMIT_VISITORS = "30 per minute"
    RATELIMIT_VISITORS_SITE = "3000 per minute"
    # Analytics (docs/ANALYTICS.md). Beacons per client address and per site.
    RATELIMIT_EVENTS = "300 per minute"
    RATELIMIT_EVENTS_SITE = "60000 per minute"
    # Events are buffered per worker process and written in batches by a writer thread: at
    # least this often (seconds), and on shutdown. A hard kill loses at most this much.
    # 0: no writer thread (tests flush by hand).
    ANALYTICS_FLUSH_INTERVAL = 1.0
    # Events a worker holds before it drops new ones (and counts them).
    ANALYTICS_BUFFER_MAX = 50_000
    # Events per beacon.
    ANALYTICS_MAX_EVENTS = 20
    # Consent decisions cached per worker (seconds, entries); with REDIS_URL the decision
    # is shared in Redis and a new consent record replaces it for every worker at once.
    ANALYTICS_CONSENT_TTL = 60
    ANALYTICS_CONSENT_CACHE_SIZE = 100_000
    # Query parameters kept in a stored page path besides utm_* (which go to their own
    # columns): a short list of names that say which page it was and carry no person
    # (pagination, a referral tag). Every other parameter is dropped.
    ANALYTICS_QUERY_ALLOW = ("page", "ref", "source")
    # Admin sign-in: attempts per client address, and the lockout after repeated failures.
    RATELIMIT_ADMIN_LOGIN = "10 per minute"
    ADMIN_LOCKOUT_FAILURES = 5
    ADMIN_LOCKOUT_MINUTES = 15
