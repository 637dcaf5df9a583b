"""services/revisions.py: snapshots, publishing, what changed, the published view."""
from consent_server.extensions import db
from consent_server.models import SiteText
from consent_server.services import revisions
from consent_server.services import sites as sites_service
from tests.conftest import run_in_threads


def test_digest_is_canonical_json_sha256():
    assert revisions.digest({"b": 1, "a": [1, 2]}) == revisions.digest({"a": [1, 2], "b": 1})
    assert len(revisions.digest({})) == 64


def test_publish_freezes_the_draft_and_keeps_older_revisions(make_site):
    site = make_site()
    sites_service.add_service(site, "analytics", name="Stats")
    assert revisions.has_unpublished_changes(site)
    second = revisions.publish(site, "ed@acme.example")
    assert (site.revision, second.number, second.published_by) == (2, 2, "ed@acme.example")
    assert second.snapshot_hash == revisions.digest(second.snapshot)
    assert not revisions.has_unpublished_changes(site)
    sites_service.add_service(site, "analytics", name="Later")
    assert [s["name"] for s in revisions.published_snapshot(site)["categories"][1]["services"]] == ["Stats"]
    assert revisions.revision(site, 1).snapshot["categories"][1]["services"] == []
    assert [r.number for r in revisions.revisions(site)] == [2, 1]


def test_changes_name_added_removed_and_edited_things(make_site):
    site = make_site()
    before = revisions.snapshot(site)
    sites_service.add_service(site, "advertising", name="Ads")
    site.texts.append(SiteText(language="fr", key="banner.title", value="Cookies !"))
    sites_service.category_by_key(site, "analytics").description = "Counting"
    db.session.commit()
    assert revisions.changes(before, revisions.snapshot(site)) == [
        "category analytics: description changed", "service added to advertising: Ads",
        "text fr:banner.title changed"]
    assert revisions.changes(revisions.snapshot(site), before)[1] == "service removed from advertising: Ads"
    assert revisions.changes(before, before) == []


def test_texts_of_picks_one_language():
    snap = {"texts": {"de:banner.title": "Hallo", "en:banner.title": "Hello", "de:banner.save": "OK"}}
    assert revisions.texts_of(snap, "de") == {"banner.title": "Hallo", "banner.save": "OK"}
    assert revisions.texts_of({}, "de") == {}


def test_publishes_at_once_take_one_number_each(shared_app):
    """A double click on Publish: two revisions, numbered in turn, no IntegrityError."""
    from sqlalchemy import select

    from consent_server.models import Organization, Revision, Site

    app = shared_app
    site = sites_service.create_site(Organization(name="x"), key="busy", domains=["https://busy.example"])
    site_id, first = site.id, site.revision

    assert not run_in_threads(app, 4, lambda: revisions.publish(db.session.get(Site, site_id),
                                                               published_by="a@example.com"))
    db.session.expire_all()
    numbers = db.session.scalars(select(Revision.number).where(Revision.site_id == site_id)
                                 .order_by(Revision.number)).all()
    assert numbers == list(range(1, first + 5))
    assert db.session.get(Site, site_id).revision == first + 4


def test_a_published_revision_keeps_its_wording_when_the_catalogs_change(app, make_site, tmp_path):
    """Proof of what was shown: a later release of the catalogs changes the next revision's
    wording, never a published one's; the snapshot hash covers the wording."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from consent_server.services import banner
    from consent_server.services.texts import MESSAGES

    site = make_site()
    shipped_dir = app.config["TRANSLATIONS_DIR"]
    shipped = banner.shown(site, "de", shipped_dir)[1]["banner.title"]
    assert shipped != MESSAGES["banner.title"]  # German, from the shipped catalog

    # A new release: the German title is reworded.
    with open(f"{shipped_dir}/de/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f, locale="de")
    catalog[MESSAGES["banner.title"]].string = "Neuer Titel"
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "de" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    app.config["TRANSLATIONS_DIR"] = str(tmp_path)
    banner._shown_cache.clear()

    assert banner.shown(site, "de", str(tmp_path))[1]["banner.title"] == shipped  # revision 1, as shown
    first = revisions.revision(site, 1)
    assert first.shown["de"]["banner.title"] == shipped
    assert first.snapshot[revisions.SHOWN_DIGEST] == revisions.digest(first.shown)
    assert first.snapshot_hash == revisions.digest(first.snapshot)

    revisions.publish(site, published_by="editor@acme.example")
    assert banner.shown(site, "de", str(tmp_path))[1]["banner.title"] == "Neuer Titel"
    assert not revisions.has_unpublished_changes(site)
