"""services/exports.py: consent records, aggregates, events and rollups; the visitor proof."""
import csv
import hashlib
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from consent_server.extensions import db
from consent_server.models.types import utcnow
from consent_server.services import exports, reports
from consent_server.services import revisions as revisions_service
from geo import Location
from tests.conftest import SECRET


@pytest.fixture
def site(make_site, make_consent):
    site = make_site()
    make_consent(site, choices={"analytics": True}, action="accept_all", location=Location(country="DE"))
    make_consent(site, choices={}, action="reject_all", location=Location(country="FR"),
                 page_url="https://shop.example/=cmd")
    return site


def read(result):
    return "".join(result.chunks)


def test_consent_csv_has_every_ledger_field_and_recomputable_hashes(site):
    result = exports.export(site, "consents", "csv")
    rows = list(csv.DictReader(io.StringIO(read(result))))
    assert result.total == 2 and len(rows) == 2
    assert tuple(rows[0]) == exports.CONSENT_FIELDS
    assert rows[0]["revision_hash"] == revisions_service.revision(site, 1).snapshot_hash
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert json.loads(rows[0]["choices"]) == {"advertising": False, "analytics": True, "necessary": True}


def test_jsonl_lets_an_auditor_recompute_every_hash(site):
    lines = [json.loads(line) for line in read(exports.export(site, "consents", "jsonl")).splitlines()]
    assert [r["seq"] for r in lines] == [1, 2]
    for record in lines:
        body = {k: record[k] for k in ("site_id", "seq", "recorded_at", "visitor_id", "previous_id", "revision",
                                       "language", "regime", "country", "region", "city", "action", "layer",
                                       "choices", "gpc", "dnt", "browser", "os", "device", "page_url")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(f"{record['prev_hash']}\n{canonical}".encode()).hexdigest() == record["hash"]


def test_csv_cells_that_look_like_formulas_are_defused_but_jsonl_is_exact(site, make_consent):
    make_consent(site, choices={}, language="=1+1")
    rows = list(csv.DictReader(io.StringIO(read(exports.export(site, "consents", "csv")))))
    assert rows[-1]["language"] == "'=1+1"
    last = read(exports.export(site, "consents", "jsonl")).splitlines()[-1]
    assert json.loads(last)["language"] == "=1+1"


def test_filters_and_ranges_apply(site):
    de = exports.export(site, "consents", "jsonl", filters=reports.Filters(country="DE"))
    assert de.total == 1 and json.loads(read(de))["country"] == "DE"
    tomorrow = utcnow().date() + timedelta(days=1)
    assert read(exports.export(site, "consents", "jsonl", since=tomorrow)) == ""
    assert exports.export(site, "consents", "csv", until=tomorrow).total == 2
    with pytest.raises(exports.ExportError):
        exports.export(site, "consents", "csv", since=tomorrow, until=tomorrow - timedelta(days=2))


def test_unknown_kinds_formats_and_misplaced_filters_are_refused(site):
    for kind, fmt, filters in (("everything", "csv", None), ("aggregates", "jsonl", None),
                               ("events", "csv", reports.Filters(country="DE"))):
        with pytest.raises(exports.ExportError):
            exports.export(site, kind, fmt, filters=filters)


def test_daily_aggregates(site):
    rows = list(csv.DictReader(io.StringIO(read(exports.export(site, "aggregates", "csv")))))
    assert rows == [{"day": utcnow().date().isoformat(), "decisions": "2", "action_accept_all": "1",
                     "action_reject_all": "1", "action_save": "0", "action_withdraw": "0", "action_gpc": "0",
                     "action_api": "0", "granted_analytics": "1", "granted_advertising": "0"}]


def test_events_and_rollups_export_only_this_site(site, make_site):
    assert read(exports.export(site, "events", "csv")).splitlines() == [",".join(exports.EVENT_FIELDS)]
    assert read(exports.export(site, "rollups", "csv")).splitlines() == [",".join(exports.ROLLUP_FIELDS)]


def test_streaming_reads_in_batches_and_reports_progress(site, make_consent, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)
    for _ in range(3):
        make_consent(site, choices={})
    seen = []
    result = exports.export(site, "consents", "csv", on_rows=seen.append)
    chunks = list(result.chunks)
    assert seen == [2, 2, 1] and sum(len(c.splitlines()) for c in chunks) == 6


def test_visitor_proof_has_each_record_with_its_revision_and_checks(site, make_consent):
    first = make_consent(site, choices={"analytics": True})
    revisions_service.publish(site)
    make_consent(site, choices={}, action="withdraw", visitor_id=first.record.visitor_id, token=first.token,
                 revision=2)
    proof = exports.visitor_proof(site, first.record.visitor_id)
    assert proof["ok"] and [i["record"]["action"] for i in proof["records"]] == ["save", "withdraw"]
    assert [i["revision"]["number"] for i in proof["records"]] == [1, 2]
    assert proof["records"][1]["revision"]["snapshot"]["site"] == "shop"
    assert exports.visitor_proof(site, "0" * 32) is None


def test_visitor_proof_flags_an_altered_record(site, make_consent):
    made = make_consent(site, choices={"analytics": False})
    # Tamper below the ORM (the ORM refuses to change ledger rows).
    db.session.execute(text("UPDATE consent_records SET choices = :c WHERE id = :id"),
                       {"c": json.dumps({"necessary": True, "analytics": True, "advertising": True}),
                        "id": made.record.id})
    db.session.commit()
    db.session.expire_all()
    proof = exports.visitor_proof(site, made.record.visitor_id)
    assert not proof["ok"]
    assert proof["records"][0]["verification"]["content_matches_hash"] is False
    whole = exports.visitor_proof(site, made.record.visitor_id, SECRET)["chain"]
    assert whole["ok"] is False and "altered" in whole["result"]
