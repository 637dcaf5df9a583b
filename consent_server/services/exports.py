"""Exports: the proof of consent a regulator or auditor asks for, and the traffic data.

Every export is a generator of text chunks read from the database in batches with a
streaming cursor (``yield_per``: a server-side cursor on PostgreSQL, SQLite's own
step-by-step cursor), so memory stays flat however many rows there are. The admin UI
streams the chunks as the HTTP response body; the CLI writes them to a file or stdout.

Consent records carry every ledger field, including ``prev_hash`` and ``hash``, in the
form the chain hashes them (``recorded_at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), so an
auditor can recompute each hash: ``sha256(prev_hash + "\\n" + canonical JSON)`` (see
docs/ADMIN.md)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import ConsentRecord, DailyStats, Event, LedgerCheckpoint, Revision, Site
from ..models.ledger import GENESIS_HASH
from . import ledger, reports
from .errors import ServiceError
from .ledger import ACTIONS
from .texts import N_

KINDS = {"consents": ("csv", "jsonl"), "aggregates": ("csv",), "events": ("csv", "jsonl"),
         "rollups": ("csv",)}
MIMETYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
BATCH = 2000
CONSENT_FIELDS = ("id", "site_id", "seq", "recorded_at", "visitor_id", "previous_id", "revision",
                  "revision_hash", "language", "regime", "country", "region", "city", "action", "layer",
                  "choices", "gpc", "dnt", "browser", "os", "device", "page_url", "prev_hash", "hash")
EVENT_FIELDS = ("id", "occurred_at", "visitor_id", "session_id", "type", "path", "title", "referrer_host",
                "referrer_path", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
                "target", "name", "props", "browser", "os", "device", "country", "region", "city",
                "duration_ms", "scroll")
ROLLUP_FIELDS = ("day", "visitors", "sessions", "pageviews", "bounces", "events", "engagements",
                 "duration_ms", "scroll_sum")
# Spreadsheet formula injection: a CSV cell starting with one of these is prefixed with '
# (OWASP); JSON Lines keep the values exactly.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ServiceError):
    pass


@dataclass(frozen=True)
class Export:
    kind: str
    format: str
    filename: str
    mimetype: str
    total: int
    chunks: Iterator[str]


def utc_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole UTC days: ``since`` 00:00 up to the end of ``until`` (either open)."""
    reports.check_days(since, until, error=ExportError)
    if since and until and until < since:
        raise ExportError(N_("the range ends before it starts"))
    return (datetime.combine(since, time.min, timezone.utc) if since else None,
            datetime.combine(until + timedelta(days=1), time.min, timezone.utc) if until else None)


def _stamp(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value else None


def _stream(statement, on_rows: Callable[[int], None] | None = None) -> Iterator:
    """Rows of ``statement`` read ``BATCH`` at a time from a streaming cursor."""
    result = db.session.execute(statement.execution_options(yield_per=BATCH, stream_results=True))
    try:
        for partition in result.partitions():
            yield from partition
            if on_rows:
                on_rows(len(partition))
    finally:
        result.close()


def consent_rows(site: Site, since: date | None = None, until: date | None = None,
                 filters: reports.Filters | None = None,
                 on_rows: Callable[[int], None] | None = None) -> Iterator[dict]:
    """The site's consent records in chain order, each a dict of ``CONSENT_FIELDS``."""
    t, r = ConsentRecord.__table__, Revision.__table__
    conditions = reports.record_conditions(site, *utc_bounds(since, until), filters or reports.Filters())
    columns = [r.c.snapshot_hash if name == "revision_hash" else t.c[name] for name in CONSENT_FIELDS]
    statement = (select(*columns)
                 .outerjoin(r, and_(r.c.site_id == t.c.site_id, r.c.number == t.c.revision))
                 .where(*conditions).order_by(t.c.seq))
    for row in _stream(statement, on_rows):
        yield _exported(dict(zip(CONSENT_FIELDS, row)))


def consent_count(site: Site, since: date | None, until: date | None, filters: reports.Filters) -> int:
    conditions = reports.record_conditions(site, *utc_bounds(since, until), filters)
    return db.session.scalar(select(func.count()).select_from(ConsentRecord).where(*conditions))


def event_rows(site: Site, since: date | None = None, until: date | None = None,
               on_rows: Callable[[int], None] | None = None) -> Iterator[dict]:
    t = Event.__table__
    lower, upper = utc_bounds(since, until)
    conditions = [t.c.site_id == site.id]
    if lower:
        conditions.append(t.c.occurred_at >= lower)
    if upper:
        conditions.append(t.c.occurred_at < upper)
    for row in _stream(select(t).where(*conditions).order_by(t.c.occurred_at, t.c.id), on_rows):
        yield {**{name: getattr(row, name) for name in EVENT_FIELDS}, "occurred_at": _stamp(row.occurred_at)}


def event_count(site: Site, since: date | None, until: date | None) -> int:
    lower, upper = utc_bounds(since, until)
    statement = select(func.count()).select_from(Event).where(Event.site_id == site.id)
    if lower:
        statement = statement.where(Event.occurred_at >= lower)
    if upper:
        statement = statement.where(Event.occurred_at < upper)
    return db.session.scalar(statement)


def rollup_rows(site: Site, since: date | None = None, until: date | None = None) -> Iterator[dict]:
    t = DailyStats.__table__
    statement = select(*[t.c[name] for name in ROLLUP_FIELDS]).where(t.c.site_id == site.id)
    if since:
        statement = statement.where(t.c.day >= since)
    if until:
        statement = statement.where(t.c.day <= until)
    for row in _stream(statement.order_by(t.c.day)):
        yield {**row._asdict(), "day": row.day.isoformat()}


def aggregate_rows(site: Site, since: date | None = None, until: date | None = None,
                   filters: reports.Filters | None = None) -> tuple[list[str], Iterator[dict]]:
    """Daily consent aggregates: decisions per action and grants per category."""
    categories = reports.report_categories(site)
    conditions = reports.record_conditions(site, *utc_bounds(since, until), filters or reports.Filters())
    header = (["day", "decisions"] + [f"action_{a}" for a in ACTIONS]
              + [f"granted_{c}" for c in categories])

    def rows():
        for r in reports.daily_rows(site, categories, conditions):
            yield {"day": r.value, "decisions": r.total, **{f"action_{a}": r.actions[a] for a in ACTIONS},
                   **{f"granted_{c}": r.granted[c] for c in categories}}
    return header, rows()


def _cell(value) -> object:
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_START) else value
    if kind is bool:
        return "true" if value else "false"
    if kind is dict or kind is list:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return value


def csv_chunks(header: Iterable[str], rows: Iterable[dict], rows_per_chunk: int = 500) -> Iterator[str]:
    header = list(header)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow([_cell(row[name]) for name in header])
        pending += 1
        if pending >= rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def jsonl_chunks(rows: Iterable[dict], rows_per_chunk: int = 500) -> Iterator[str]:
    lines = []
    for row in rows:
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        if len(lines) >= rows_per_chunk:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def export(site: Site, kind: str, fmt: str, *, since: date | None = None, until: date | None = None,
           filters: reports.Filters | None = None, on_rows: Callable[[int], None] | None = None) -> Export:
    """One export of ``kind`` in ``fmt``; nothing is read until ``chunks`` is iterated."""
    if kind not in KINDS:
        raise ExportError(N_("kind must be one of %(kinds)s"), kinds=", ".join(KINDS))
    if fmt not in KINDS[kind]:
        raise ExportError(N_("%(kind)s exports as %(formats)s"), kind=kind, formats=", ".join(KINDS[kind]))
    filters = filters or reports.Filters()
    if kind != "consents" and filters.active():
        raise ExportError(N_("only consent exports take country, action, revision... filters"))
    utc_bounds(since, until)  # checks the range before anything streams
    if kind == "consents":
        total = consent_count(site, since, until, filters)
        rows = consent_rows(site, since, until, filters, on_rows)
        header = CONSENT_FIELDS
    elif kind == "events":
        total = event_count(site, since, until)
        rows, header = event_rows(site, since, until, on_rows), EVENT_FIELDS
    elif kind == "rollups":
        total, rows, header = 0, rollup_rows(site, since, until), ROLLUP_FIELDS
    else:
        total = 0
        header, rows = aggregate_rows(site, since, until, filters)
    chunks = csv_chunks(header, rows) if fmt == "csv" else jsonl_chunks(rows)
    span = "-".join(d.isoformat() for d in (since, until) if d) or "all"
    return Export(kind, fmt, f"{site.key}-{kind}-{span}.{fmt}", MIMETYPES[fmt], total, chunks)


# --- Per-visitor proof ------------------------------------------------------------------

def visitor_proof(site: Site, visitor_id: str, secret_key: str | None = None) -> dict | None:
    """Every record of one visitor, each with the texts and services of the revision the
    visitor was shown, and the check of each record against the chain: its content matches
    its hash, its ``prev_hash`` is the hash of the record before it in the site's chain and
    the record after it links to it. With ``secret_key`` the whole chain of the site is
    verified too (``ledger.verify``: reads every record). None if the visitor has no records."""
    t = ConsentRecord.__table__
    records = db.session.execute(select(t).where(t.c.site_id == site.id, t.c.visitor_id == visitor_id)
                                 .order_by(t.c.seq)).all()
    if not records:
        return None
    numbers = {r.revision for r in records}
    revisions = {rev.number: rev for rev in db.session.scalars(
        select(Revision).where(Revision.site_id == site.id, Revision.number.in_(numbers)))}
    neighbours = {r.seq: r for r in db.session.execute(
        select(t.c.seq, t.c.hash, t.c.prev_hash).where(
            t.c.site_id == site.id,
            t.c.seq.in_({r.seq - 1 for r in records} | {r.seq + 1 for r in records})))}
    # Retention deletes the start of a chain behind a signed checkpoint: a record right
    # after one links to the checkpoint's hash.
    checkpoints = {c.seq: c.hash for c in db.session.scalars(
        select(LedgerCheckpoint).where(LedgerCheckpoint.site_id == site.id))}
    out = []
    for r in records:
        before, after = neighbours.get(r.seq - 1), neighbours.get(r.seq + 1)
        content_ok = ledger.chain_hash(r.prev_hash, r) == r.hash
        if r.seq == 1:
            linked_before = r.prev_hash == GENESIS_HASH
        elif before is not None:
            linked_before = before.hash == r.prev_hash
        else:
            linked_before = checkpoints.get(r.seq - 1) == r.prev_hash
        linked_after = after is None or after.prev_hash == r.hash
        revision = revisions.get(r.revision)
        out.append({
            "record": record_fields(r),
            "revision": None if revision is None else {
                "number": revision.number, "published_at": _stamp(revision.published_at),
                "published_by": revision.published_by, "snapshot_hash": revision.snapshot_hash,
                "snapshot": revision.snapshot,
                # The wording in the record's language as frozen at publish (null: before that)
                "texts_shown": (revision.shown or {}).get(r.language)},
            "verification": {"content_matches_hash": content_ok, "linked_to_previous": linked_before,
                             "next_links_here": linked_after,
                             "ok": content_ok and linked_before and linked_after},
        })
    proof = {"site": site.key, "visitor_id": visitor_id, "records": out,
             "ok": all(item["verification"]["ok"] for item in out)}
    if secret_key is not None:
        chain = ledger.verify(site, secret_key)
        proof["chain"] = {"ok": chain.ok, "checked": chain.checked, "result": chain.describe()}
        proof["ok"] = proof["ok"] and chain.ok
    return proof


def record_fields(row) -> dict:
    """A ledger row as exported: every field, the time as the chain hashes it."""
    return _exported({name: getattr(row, name) for name in CONSENT_FIELDS if name != "revision_hash"})


def _exported(out: dict) -> dict:
    out["recorded_at"] = _stamp(out["recorded_at"])
    out["choices"] = {k: bool(v) for k, v in sorted((out["choices"] or {}).items())}
    out["gpc"], out["dnt"] = bool(out["gpc"]), bool(out["dnt"])
    return out
