"""`consent-server export consents|events|aggregates|rollups`."""
import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from consent_server.models import Organization
from consent_server.services import consents, sites
from tests.conftest import SECRET


def test_export_consents_csv_to_stdout(runner, make_site, make_consent):
    site = make_site()
    make_consent(site, choices={"analytics": True})
    result = runner.invoke(args=["export", "consents", "--site", "shop"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 1 and rows[0]["hash"]

def test_export_consents_jsonl_to_a_file_with_filters(runner, make_site, make_consent, tmp_path):
    site = make_site()
    make_consent(site, choices={}, action="reject_all")
    make_consent(site, choices={"analytics": True}, action="accept_all")
    out = tmp_path / "c.jsonl"
    result = runner.invoke(args=["export", "consents", "--site", "shop", "--format", "jsonl",
                                 "--action", "accept_all", "--since", "2000-01-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["action"] == "accept_all"

def test_export_aggregates_events_and_rollups(runner, make_site, make_consent):
    make_consent(make_site(), choices={})
    assert runner.invoke(args=["export", "aggregates", "--site", "shop"]).output.startswith("day,decisions,")
    assert runner.invoke(args=["export", "events", "--site", "shop"]).output.startswith("id,occurred_at,")
    assert runner.invoke(args=["export", "rollups", "--site", "shop"]).output.startswith("day,visitors,")

def test_export_errors_are_clear(runner, make_site):
    make_site()
    assert "no site" in runner.invoke(args=["export", "consents", "--site", "nope"]).output
    bad = runner.invoke(args=["export", "consents", "--site", "shop", "--since", "2026-02-01",
                              "--until", "2026-01-01"])
    assert bad.exit_code != 0 and "ends before it starts" in bad.output
    assert runner.invoke(args=["export", "aggregates", "--site", "shop", "--format", "jsonl"]).exit_code == 2


def test_progress_bar_on_a_terminal_and_none_when_piped(app_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app_factory(SQLALCHEMY_DATABASE_URI=url)
    site = sites.create_site(Organization(name="CLI"), key="shop", domains=["https://shop.example"])
    for _ in range(3):
        consents.record_choice(site, secret_key=SECRET, visitor_id=None, token=None, choices={}, action="reject_all",
                               revision=1, language="en", page_url=None, layer=1, location=None, user_agent=None,
                               gpc=False, dnt=False)
    command = [str(Path(sys.executable).parent / "consent-server"), "export", "consents", "--site", "shop",
               "-o", str(tmp_path / "out.csv")]
    env = {**os.environ, "CONSENT_DATABASE_URL": url, "CONSENT_SECRET_KEY": SECRET}
    master, slave = pty.openpty()
    proc = subprocess.run(command, stderr=slave, stdout=subprocess.DEVNULL, env=env, timeout=120)
    os.close(slave)
    shown = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        shown += data
    os.close(master)
    assert proc.returncode == 0
    assert b"consents (3 rows)" in shown and b"100%" in shown
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 4
    piped = subprocess.run(command, capture_output=True, env=env, timeout=120)
    assert piped.returncode == 0 and b"rows)" not in piped.stderr


def test_export_days_at_the_ends_of_the_calendar_are_refused(runner, make_site):
    make_site()
    result = runner.invoke(args=["export", "consents", "--site", "shop", "--until", "9999-12-31"])
    assert result.exit_code != 0 and "dates must lie between 1970-01-01 and 9999-12-30" in result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output
