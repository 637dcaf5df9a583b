"""Published revisions: what visitors are shown, frozen.

Editing categories, services and texts changes only the draft (the live tables).
``publish`` snapshots the draft into a new ``Revision`` and bumps ``site.revision``; the
public config is built from the snapshot of the current revision, so visitors never see
an unpublished edit, and every revision stays on file as it was shown (the proof of what
a visitor consented to)."""
from __future__ import annotations

import hashlib
import json

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import Revision, Site
from . import texts as texts_service

SHOWN_DIGEST = "shown_sha256"  # the snapshot's key for the digest of Revision.shown


def snapshot(site: Site) -> dict:
    """What visitors are shown for this site, as data: the proof of what was asked."""
    return {
        "site": site.key,
        "categories": [
            {"key": c.key, "name": c.name, "description": c.description, "required": c.required,
             "services": [
                 {"name": s.name, "provider": s.provider, "purpose": s.purpose,
                  "legal_basis": s.legal_basis, "privacy_policy_url": s.privacy_policy_url,
                  "cookies": s.cookies}
                 for s in c.services]}
            for c in site.categories],
        "texts": {f"{t.language}:{t.key}": t.value
                  for t in sorted(site.texts, key=lambda t: (t.language, t.key))},
    }


def digest(snap: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot (quoted in proofs)."""
    return hashlib.sha256(json.dumps(snap, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def shown_texts(snap: dict, translations_dir: str) -> dict[str, dict[str, str]]:
    """Every banner text of a snapshot in every shipped language: the catalogs' wording as
    it is now, with the snapshot's overrides."""
    return {language: texts_service.texts_for(translations_dir, language, texts_of(snap, language))
            for language in texts_service.available_locales(translations_dir)}


def new_revision(site: Site, number: int, published_by: str) -> Revision:
    """The draft, frozen: its snapshot and its wording in every language (a later release
    of the catalogs changes what the next revision shows, never what this one showed)."""
    snap = snapshot(site)
    shown = shown_texts(snap, current_app.config["TRANSLATIONS_DIR"])
    snap[SHOWN_DIGEST] = digest(shown)
    return Revision(site_id=site.id, number=number, published_by=published_by, snapshot=snap,
                    snapshot_hash=digest(snap), shown=shown)


def frozen_texts(site: Site, number: int, language: str) -> dict[str, str] | None:
    """The texts revision ``number`` showed in ``language`` (None: not frozen, or that
    language was not shipped then)."""
    shown = db.session.scalar(select(Revision.shown).where(Revision.site_id == site.id,
                                                           Revision.number == number))
    return (shown or {}).get(language)


def publish(site: Site, published_by: str = "") -> Revision:
    """Publish the current categories, services and texts as a new revision: visitors
    are asked again, and the revision stays on file for the records made on it.

    The number is taken by one UPDATE ... RETURNING, the transaction's first statement: a
    row lock on PostgreSQL, the write lock on SQLite, so two publishes at once (a double
    click) make two numbers, never one number twice."""
    db.session.commit()
    number = db.session.execute(update(Site).where(Site.id == site.id).values(revision=Site.revision + 1)
                                .returning(Site.revision)).scalar_one()
    revision = new_revision(site, number, published_by)
    db.session.add(revision)
    db.session.commit()
    return revision


def revision(site: Site, number: int) -> Revision | None:
    return db.session.scalar(select(Revision).where(Revision.site_id == site.id,
                                                    Revision.number == number))


def revisions(site: Site) -> list[Revision]:
    """Every published revision of the site, newest first."""
    return list(db.session.scalars(select(Revision).where(Revision.site_id == site.id)
                                   .order_by(Revision.number.desc())))


def published_snapshot(site: Site) -> dict:
    """The snapshot visitors are shown now (the draft if the revision row is missing)."""
    current = revision(site, site.revision)
    return current.snapshot if current is not None else snapshot(site)


def has_unpublished_changes(site: Site) -> bool:
    published = {k: v for k, v in published_snapshot(site).items() if k != SHOWN_DIGEST}
    return digest(snapshot(site)) != digest(published)


def texts_of(snap: dict, language: str) -> dict[str, str]:
    """The text overrides of one language in a snapshot."""
    prefix = f"{language}:"
    return {k[len(prefix):]: v for k, v in (snap.get("texts") or {}).items() if k.startswith(prefix)}


def changes(old: dict, new: dict) -> list[str]:
    """What differs between two snapshots, one line each (for the publish page)."""
    lines = []
    old_cats = {c["key"]: c for c in old.get("categories", [])}
    new_cats = {c["key"]: c for c in new.get("categories", [])}
    for key in new_cats.keys() - old_cats.keys():
        lines.append(f"category added: {key}")
    for key in old_cats.keys() - new_cats.keys():
        lines.append(f"category removed: {key}")
    for key in new_cats.keys() & old_cats.keys():
        before, after = old_cats[key], new_cats[key]
        for field in ("name", "description", "required"):
            if before.get(field) != after.get(field):
                lines.append(f"category {key}: {field} changed")
        old_services = {s["name"]: s for s in before.get("services", [])}
        new_services = {s["name"]: s for s in after.get("services", [])}
        for name in sorted(new_services.keys() - old_services.keys()):
            lines.append(f"service added to {key}: {name}")
        for name in sorted(old_services.keys() - new_services.keys()):
            lines.append(f"service removed from {key}: {name}")
        for name in sorted(new_services.keys() & old_services.keys()):
            if new_services[name] != old_services[name]:
                lines.append(f"service changed in {key}: {name}")
    old_texts, new_texts = old.get("texts") or {}, new.get("texts") or {}
    for key in sorted(old_texts.keys() | new_texts.keys()):
        if old_texts.get(key) != new_texts.get(key):
            lines.append(f"text {key} changed")
    return sorted(lines)
