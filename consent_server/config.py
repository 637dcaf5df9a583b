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
    # Flask-WTF / session cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Rate limits (Flask-Limiter); storage is Redis when REDIS_URL is set.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_CONSENTS = "120 per minute"
    RATELIMIT_CONFIG = "600 per minute"
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
