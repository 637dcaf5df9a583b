"""Quick versions of bench/load.py and the chain under concurrency (seconds, loopback):
gunicorn with 2 workers under a mixed load answers without errors and every consent it
acknowledged is in the ledger; many processes appending to one site's chain at once never
fork it. SQLite by default, PostgreSQL with CONSENT_TEST_DATABASE_URL."""
import multiprocessing
import os

from bench.harness import SITE, free_port, ledger_check, prepare, server_env, serving, throwaway_database
from bench.load import run_load

PG_URL = os.environ.get("CONSENT_TEST_DATABASE_URL")
PROCESSES, APPENDS = 6, 25


def test_mixed_load_on_gunicorn_has_no_errors_and_loses_no_consent():
    with throwaway_database(PG_URL) as db_url:
        with serving(db_url) as server:
            stats = run_load(server.url, server.url, seconds=4, clients=6)
        check = ledger_check(db_url, SITE, stats.acknowledged)
    assert stats.errors() == 0, dict(stats.status)
    assert {"config", "consent", "event", "trivial"} <= set(stats.status)
    assert check["acknowledged"] > 10 and check["missing"] == [] and check["verified"], check


def _append(db_url: str, start, results) -> None:
    from consent_server import create_app
    from consent_server.services import consents, sites

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "harness-secret"})
    with app.app_context():
        site = sites.get_by_key(SITE)
        start.wait()
        for i in range(APPENDS):
            recorded = consents.record_choice(
                site, secret_key="harness-secret", visitor_id=None, token=None,
                choices={"analytics": i % 2 == 0}, action="save", revision=1, language="en",
                page_url=None, layer=1, location=None, user_agent=None, gpc=False, dnt=False)
            results.put((recorded.record.id, recorded.record.hash))


def test_concurrent_appends_from_many_processes_never_fork_the_chain():
    with throwaway_database(PG_URL) as db_url:
        prepare(server_env(db_url, free_port()), SITE)
        ctx = multiprocessing.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        workers = [ctx.Process(target=_append, args=(db_url, start, results)) for _ in range(PROCESSES)]
        for w in workers:
            w.start()
        start.set()
        acknowledged = dict(results.get(timeout=120) for _ in range(PROCESSES * APPENDS))
        for w in workers:
            w.join(60)
            assert w.exitcode == 0
        check = ledger_check(db_url, SITE, acknowledged)
    assert check["acknowledged"] == check["stored"] == PROCESSES * APPENDS
    assert check["missing"] == [] and check["verified"], check
