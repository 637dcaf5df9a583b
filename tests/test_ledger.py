import json
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text, update

from consent_server.extensions import db
from consent_server.models import ConsentRecord, LedgerCheckpoint
from consent_server.models.ledger import GENESIS_HASH, LedgerAppendOnly
from consent_server.services import ledger
from tests.conftest import SECRET, run_in_threads


def test_records_form_a_hash_chain(make_site, make_consent):
    site = make_site()
    first = make_consent(site, action="accept_all", choices={"analytics": True, "advertising": True}).record
    second = make_consent(site, action="reject_all", choices={}).record
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.hash == ledger.chain_hash(GENESIS_HASH, first)
    result = ledger.verify(site, SECRET)
    assert result.ok and result.checked == 2, result.describe()


def test_chains_are_per_site(make_site, make_consent):
    a, b = make_site(key="a-site"), make_site(key="b-site", domains=["https://b.example"])
    make_consent(a)
    rec_b = make_consent(b).record
    assert rec_b.seq == 1 and rec_b.prev_hash == GENESIS_HASH
    assert ledger.verify(a, SECRET).ok and ledger.verify(b, SECRET).ok


def test_record_keeps_what_a_regulator_asks_for(make_site, make_consent):
    site = make_site()
    recorded = make_consent(site, choices={"analytics": True}, action="save", layer=2,
                            gpc=True, dnt=True, language="de",
                            page_url="https://shop.example/shoes?email=a@b.example#top")
    rec = recorded.record
    assert rec.choices == {"necessary": True, "analytics": True, "advertising": False}
    assert (rec.action, rec.layer, rec.language, rec.revision, rec.regime) == ("save", 2, "de", 1, "opt-in")
    assert rec.gpc is True and rec.dnt is True
    assert rec.page_url == "https://shop.example/shoes"
    assert (rec.browser, rec.os, rec.device) == ("Firefox", "Linux", "desktop")
    assert rec.recorded_at.tzinfo is not None
    assert len(rec.visitor_id) == 32 and int(rec.visitor_id, 16) >= 0


def test_visitor_history_links_previous_record_only_with_token(make_site, make_consent):
    site = make_site()
    first = make_consent(site)
    again = make_consent(site, visitor_id=first.record.visitor_id, token=first.token, choices={})
    assert again.record.visitor_id == first.record.visitor_id
    assert again.record.previous_id == first.record.id
    forged = make_consent(site, visitor_id=first.record.visitor_id, token="0" * 64)
    assert forged.record.visitor_id != first.record.visitor_id
    assert forged.record.previous_id is None


def test_tampered_record_breaks_verification_at_that_record(make_site, make_consent):
    site = make_site()
    records = [make_consent(site).record for _ in range(5)]
    target = records[2]
    db.session.execute(text("UPDATE consent_records SET choices = :c WHERE id = :id"),
                       {"c": '{"necessary": true, "analytics": false, "advertising": true}', "id": target.id})
    db.session.commit()
    result = ledger.verify(site, SECRET)
    assert not result.ok
    assert result.broken_record_id == target.id and result.broken_seq == 3
    assert result.checked == 2
    assert "altered" in result.describe()


def test_a_choice_stored_as_a_string_breaks_verification(make_site, make_consent):
    """bool("false") is True: a grant rewritten as the string "false" hashes the same, so
    verification insists on real booleans."""
    site = make_site()
    records = [make_consent(site, choices={"analytics": True}).record for _ in range(3)]
    db.session.execute(text("UPDATE consent_records SET choices = :c WHERE id = :id"),
                       {"c": '{"necessary": true, "analytics": "false", "advertising": false}', "id": records[1].id})
    db.session.commit()
    result = ledger.verify(site, SECRET)
    assert not result.ok and result.broken_record_id == records[1].id and "not a boolean" in result.reason


def test_a_chain_rewritten_with_recomputed_hashes_fails_at_the_signed_head(make_site, make_consent):
    """Someone with the database but not the server's secret rewrites a refusal as a grant
    and recomputes every hash after it, and the head: the head's signature gives it away."""
    site = make_site()
    records = [make_consent(site, choices={}, action="reject_all").record for _ in range(3)]
    assert ledger.verify(site, SECRET).ok
    prev = records[0].hash
    for original in records[1:]:
        rec = SimpleNamespace(**{c.name: getattr(original, c.name) for c in ConsentRecord.__table__.c})
        if original is records[1]:
            rec.action, rec.choices = "accept_all", {"necessary": True, "analytics": True, "advertising": True}
        rec.prev_hash = prev
        rec.hash = prev = ledger.chain_hash(prev, rec)
        db.session.execute(text("UPDATE consent_records SET action = :a, choices = :c, prev_hash = :p, hash = :h "
                                "WHERE id = :id"), {"a": rec.action, "c": json.dumps(rec.choices),
                                                    "p": rec.prev_hash, "h": rec.hash, "id": rec.id})
    db.session.execute(text("UPDATE ledger_heads SET hash = :h WHERE site_id = :s"), {"h": prev, "s": site.id})
    db.session.commit()
    db.session.expire_all()
    result = ledger.verify(site, SECRET)
    assert not result.ok and result.checked == 3 and "signature" in result.reason
    # Wiping the signature does not help either.
    db.session.execute(text("UPDATE ledger_heads SET signature = NULL WHERE site_id = :s"), {"s": site.id})
    db.session.commit()
    db.session.expire_all()
    assert not ledger.verify(site, SECRET).ok


def test_removed_record_breaks_verification(make_site, make_consent):
    site = make_site()
    records = [make_consent(site).record for _ in range(4)]
    db.session.execute(text("DELETE FROM consent_records WHERE id = :id"), {"id": records[1].id})
    db.session.commit()
    result = ledger.verify(site, SECRET)
    assert not result.ok and result.broken_seq == 3 and "missing" in result.reason


def test_removed_last_record_breaks_verification(make_site, make_consent):
    site = make_site()
    records = [make_consent(site).record for _ in range(3)]
    db.session.execute(text("DELETE FROM consent_records WHERE id = :id"), {"id": records[-1].id})
    db.session.commit()
    result = ledger.verify(site, SECRET)
    assert not result.ok and "removed from the end" in result.reason


def test_orm_refuses_to_change_or_delete_records(make_site, make_consent):
    site = make_site()
    rec = db.session.get(ConsentRecord, make_consent(site).record.id)
    rec.action = "accept_all"
    with pytest.raises(LedgerAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(ConsentRecord, rec.id))
    with pytest.raises(LedgerAppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(LedgerAppendOnly):
        db.session.execute(update(ConsentRecord).values(action="x"))
    db.session.rollback()
    assert db.session.get(ConsentRecord, rec.id).action == "save"


def test_checkpoint_lets_the_rest_verify_and_a_forged_one_fails(make_site, make_consent):
    site = make_site()
    records = [make_consent(site).record for _ in range(4)]
    cut = records[1]
    db.session.add(LedgerCheckpoint(site_id=site.id, seq=cut.seq, hash=cut.hash,
                                    created_at=cut.recorded_at,
                                    signature=ledger.checkpoint_signature(SECRET, site.id, cut.seq, cut.hash)))
    db.session.execute(ConsentRecord.__table__.delete().where(ConsentRecord.seq <= cut.seq),
                       execution_options={"ledger_retention": True})
    db.session.commit()
    result = ledger.verify(site, SECRET)
    assert result.ok and result.checked == 2, result.describe()
    assert not ledger.verify(site, "another-secret").ok


def test_concurrent_appends_never_fork_the_chain(shared_app):
    app = shared_app
    from consent_server.models import Organization
    from consent_server.services import sites as sites_service
    from consent_server.services import consents

    site = sites_service.create_site(Organization(name="x"), key="busy", domains=["https://busy.example"])
    site_id = site.id
    per_thread = 15

    def work():
        s = db.session.get(type(site), site_id)
        for _ in range(per_thread):
            consents.record_choice(
                s, secret_key=SECRET, visitor_id=None, token=None, choices={"analytics": True},
                action="accept_all", revision=1, language="en", page_url=None, layer=1,
                location=None, user_agent=None, gpc=False, dnt=False)

    assert not run_in_threads(app, 6, work)
    site = db.session.get(type(site), site_id)
    count = db.session.scalar(select(func.count()).select_from(ConsentRecord).where(ConsentRecord.site_id == site_id))
    assert count == 6 * per_thread
    result = ledger.verify(site, SECRET)
    assert result.ok and result.checked == count, result.describe()
