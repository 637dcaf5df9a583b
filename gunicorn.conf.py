# gunicorn settings for the consent server: `gunicorn -c gunicorn.conf.py "consent_server:create_app()"`
import os

bind = os.environ.get("CONSENT_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CONSENT_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("CONSENT_THREADS", "4"))
timeout = 30
graceful_timeout = 20
# The access log leaves out the client address (%(h)s) and the user agent: no raw IPs or UAs in logs.
accesslog = "-"
access_log_format = '- "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn also names client addresses in its error log ("Invalid request from ip=..."):
# this logger class masks every IP address in every line of both logs.
logger_class = "consent_server.logmask.MaskedLogger"
# Bounded request line and headers (gunicorn answers 414 / 431 past them).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190


def post_worker_init(worker):
    """Build the user-agent parser (about 0.2 s) before the worker takes requests, not in
    its first beacon."""
    from consent_server.services.useragent import resolver

    resolver()


def worker_exit(server, worker):
    """A worker stops (SIGTERM, SIGINT, max_requests, reload): write its buffered analytics
    events before it goes. (A SIGKILLed worker loses at most ANALYTICS_FLUSH_INTERVAL of
    events; see docs/ANALYTICS.md.)"""
    from consent_server.services.analytics import shutdown_all

    stored = shutdown_all()
    if stored:
        server.log.info("worker %s wrote %d buffered analytics events on exit", worker.pid, stored)
