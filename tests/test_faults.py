"""Quick versions of bench/faults.py (a few seconds each, loopback only): kill -9 a worker
and the whole server under load, lose no acknowledged consent; the database goes away:
503 within a second, the widget is still served, service resumes by itself (PostgreSQL).
SQLite by default, PostgreSQL with CONSENT_TEST_DATABASE_URL (a throwaway database on
that server)."""
import os

import pytest

from bench.faults import db_down_scenario, kill_scenario
from bench.harness import throwaway_database

PG_URL = os.environ.get("CONSENT_TEST_DATABASE_URL")


def test_kill_9_of_a_worker_and_of_the_server_loses_no_acknowledged_consent():
    with throwaway_database(PG_URL) as db_url:
        result = kill_scenario(db_url, seconds=6, clients=4)
    check = result["check"]
    assert [what for what, _ in result["events"]] == ["worker killed", "server killed and restarted"]
    assert check["acknowledged"] > 20
    assert check["missing"] == [] and check["verified"], check
    # the server answered again after the restart: consents were acknowledged in the last third
    assert result["stats"].status["consent"][201] == check["acknowledged"]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (CONSENT_TEST_DATABASE_URL)")
def test_database_down_answers_503_fast_and_service_resumes_by_itself():
    with throwaway_database(PG_URL) as db_url:
        result = db_down_scenario(db_url, probes=5, down_seconds=1.5)
    for probe, answers in result["down"].items():
        assert {status for status, _ in answers} == {503}, probe
        assert max(seconds for _, seconds in answers) < 1.0, probe
    assert result["widget_status"] == 200
    assert result["resumed_status"] == 201 and result["resumed_after"] < 5
    assert result["after"].errors() == 0
    assert result["check"]["missing"] == [] and result["check"]["verified"]
