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


def worker_exit(server, worker):
    """A worker stops (SIGTERM, SIGINT, max_requests, reload): write its buffered analytics
    events before it goes. (A SIGKILLed worker loses at most ANALYTICS_FLUSH_INTERVAL of
    events; see docs/ANALYTICS.md.)"""
    from consent_server.services.analytics import shutdown_all

    stored = shutdown_all()
    if stored:
        server.log.info("worker %s wrote %d buffered analytics events on exit", worker.pid, stored)
