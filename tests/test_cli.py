import re

from sqlalchemy import select, text

from consent_server.demo import DEMO_ADMIN, prepare
from consent_server.extensions import db
from consent_server.models import AdminUser, Site


def test_admin_create_prints_generated_password_once(runner):
    result = runner.invoke(args=["admin", "create", "Owner@Shop.example", "--org", "Shop"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password \(shown once\): (\S+)", result.output).group(1)
    user = db.session.scalar(select(AdminUser).where(AdminUser.email == "owner@shop.example"))
    assert user.check_password(password) and user.role == "owner"
    again = runner.invoke(args=["admin", "create", "owner@shop.example"])
    assert again.exit_code != 0 and "exists" in again.output


def test_site_create_has_three_categories(runner):
    result = runner.invoke(args=["site", "create", "--key", "shop", "--domain", "https://www.shop.example/",
                                 "--domain", "https://shop.example"])
    assert result.exit_code == 0, result.output
    site = db.session.scalar(select(Site).where(Site.key == "shop"))
    assert [c.key for c in site.categories] == ["necessary", "analytics", "advertising"]
    assert site.domains == ["https://shop.example", "https://www.shop.example"]
    bad = runner.invoke(args=["site", "create", "--key", "Bad Key!", "--domain", "https://x.example"])
    assert bad.exit_code != 0 and "site key" in bad.output


def test_ledger_verify_passes_then_names_the_tampered_record(runner, make_site, make_consent):
    site = make_site()
    records = [make_consent(site).record for _ in range(3)]
    ok = runner.invoke(args=["ledger", "verify", "--site", "shop"])
    assert ok.exit_code == 0 and "OK: 3 records verified" in ok.output
    db.session.execute(text("UPDATE consent_records SET action = 'accept_all' WHERE id = :id"),
                       {"id": records[1].id})
    db.session.commit()
    broken = runner.invoke(args=["ledger", "verify", "--site", "shop"])
    assert broken.exit_code == 1
    assert f"BROKEN at record id {records[1].id} (seq 2)" in broken.output
    missing = runner.invoke(args=["ledger", "verify", "--site", "nope"])
    assert missing.exit_code != 0


def test_demo_prepare_creates_site_services_and_admin_once(app_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    app = app_factory(schema=False, SQLALCHEMY_DATABASE_URI=url)
    lines = []
    prepare(app, host="127.0.0.1", port=8123, echo=lines.append)
    assert any(DEMO_ADMIN in line and "shown once" in line for line in lines)
    site = db.session.scalar(select(Site).where(Site.key == "demo"))
    assert "http://127.0.0.1:8123" in site.domains
    services = {c.key: [s.name for s in c.services] for c in site.categories}
    assert all(services[k] for k in ("necessary", "analytics", "advertising"))
    assert site.revision == 1
    lines.clear()
    prepare(app, host="127.0.0.1", port=8123, echo=lines.append)
    assert not any("shown once" in line for line in lines)
    assert app.config["GEO_PRETEND"] is True
