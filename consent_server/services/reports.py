"""The consent report of a site: decisions per day by action, opt-in rate per category,
and the same broken down by country, region, regime, language, device class and revision.

Counted in the database (GROUP BY with conditional sums), so the cost grows with the
number of groups, not with the number of records read back. Every record in the range
counts once: the opt-in rate of a category is the share of recorded decisions that
granted it (a withdrawal is a decision that grants nothing)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Integer, case, cast, func, select

from ..database import reporting_session
from ..models import ConsentRecord, Site
from . import revisions as revisions_service
from .errors import ServiceError
from .ledger import ACTIONS
from .texts import N_

MAX_DAYS = 400


class ReportError(ServiceError):
    pass


# The days a report or an export may name (beyond them date arithmetic overflows).
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9999, 12, 30)
OUT_OF_RANGE = N_("dates must lie between %(first)s and %(last)s")


def check_days(*days: date | None, error: type[ServiceError] = ReportError) -> None:
    """Raise ``error`` when a given day lies outside FIRST_DAY..LAST_DAY."""
    if any(d is not None and not FIRST_DAY <= d <= LAST_DAY for d in days):
        raise error(OUT_OF_RANGE, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())


BREAKDOWNS = ("country", "region", "regime", "language", "device", "revision")
# Filters the report (and the exports) accept: column -> the column it applies to.
FILTERS = ("country", "regime", "language", "device", "revision", "action")


@dataclass(frozen=True)
class Filters:
    country: str | None = None
    regime: str | None = None
    language: str | None = None
    device: str | None = None
    revision: int | None = None
    action: str | None = None

    def active(self) -> dict:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class Row:
    """One group: how many decisions, by action, how many granted each category, and how
    many were asked about it (a category added by a later revision was not offered before)."""
    value: str
    total: int
    actions: dict[str, int]
    granted: dict[str, int]
    offered: dict[str, int] = field(default_factory=dict)

    def rate(self, category: str) -> float | None:
        asked = self.offered.get(category, self.total)
        return self.granted.get(category, 0) / asked if asked else None


@dataclass
class ConsentReport:
    site: str
    start: date
    end: date
    filters: Filters
    categories: list[str]
    total: Row
    daily: list[Row]
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        def row(r: Row) -> dict:
            return {"value": r.value, "total": r.total, "actions": r.actions, "granted": r.granted,
                    "offered": r.offered,
                    "opt_in_rate": {c: r.rate(c) for c in self.categories}}
        return {"site": self.site, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "filters": self.filters.active(), "categories": self.categories,
                "total": row(self.total), "daily": [row(r) for r in self.daily],
                "breakdowns": {k: [row(r) for r in v] for k, v in self.breakdowns.items()}}


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``start`` 00:00 UTC up to (not including) the day after ``end``."""
    check_days(start, end)
    if end < start:
        raise ReportError(N_("the range ends before it starts"))
    if (end - start).days + 1 > MAX_DAYS:
        raise ReportError(N_("at most %(n)s days per report"), n=MAX_DAYS)
    return (datetime.combine(start, time.min, timezone.utc),
            datetime.combine(end + timedelta(days=1), time.min, timezone.utc))


def record_conditions(site: Site, since: datetime | None, until: datetime | None,
                      filters: Filters) -> list:
    """WHERE conditions for the site's records from ``since`` up to (not including)
    ``until`` (either open) matching ``filters``; shared with the exports."""
    t = ConsentRecord.__table__.c
    conditions = [t.site_id == site.id]
    if since is not None:
        conditions.append(t.recorded_at >= since)
    if until is not None:
        conditions.append(t.recorded_at < until)
    for name, value in filters.active().items():
        conditions.append(t[name] == value)
    return conditions


def report_categories(site: Site) -> list[str]:
    """The categories a visitor could choose on any published revision (minus required
    ones): the current revision's first, then those a later revision removed."""
    keys: list[str] = []
    for revision in revisions_service.revisions(site):  # newest first
        for c in revision.snapshot["categories"]:
            if not c["required"] and c["key"] not in keys:
                keys.append(c["key"])
    return keys


def _measures(categories: list[str]) -> list:
    t = ConsentRecord.__table__.c
    measures = [func.count().label("total")]
    measures += [func.sum(case((t.action == action, 1), else_=0)).label(f"a_{action}") for action in ACTIONS]
    measures += [func.sum(cast(ConsentRecord.choices[c].as_boolean(), Integer)).label(f"g_{i}")
                 for i, c in enumerate(categories)]
    # Records that hold the category at all: it was offered on their revision.
    measures += [func.sum(case((ConsentRecord.choices[c].as_boolean().is_not(None), 1), else_=0)).label(f"o_{i}")
                 for i, c in enumerate(categories)]
    return measures


def _row(value, r, categories: list[str]) -> Row:
    return Row(value="" if value is None else str(value), total=r.total or 0,
               actions={a: int(getattr(r, f"a_{a}") or 0) for a in ACTIONS},
               granted={c: int(getattr(r, f"g_{i}") or 0) for i, c in enumerate(categories)},
               offered={c: int(getattr(r, f"o_{i}") or 0) for i, c in enumerate(categories)})


def _day_expr(column):
    if reporting_session().get_bind().dialect.name == "sqlite":
        return func.date(column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")


def daily_rows(site: Site, categories: list[str], conditions: list) -> list[Row]:
    """One row per UTC day with records, in day order (the report's days and the daily
    aggregates export)."""
    t = ConsentRecord.__table__.c
    day = _day_expr(t.recorded_at).label("day")
    return [_row(r.day, r, categories) for r in reporting_session().execute(
        select(day, *_measures(categories)).where(*conditions).group_by(day).order_by(day))]


def consent_report(site: Site, start: date, end: date, filters: Filters | None = None,
                   top: int = 20) -> ConsentReport:
    filters = filters or Filters()
    categories = report_categories(site)
    conditions = record_conditions(site, *day_bounds(start, end), filters)
    measures = _measures(categories)
    t = ConsentRecord.__table__.c

    total = reporting_session().execute(select(*measures).where(*conditions)).one()
    by_day = {r.value: r for r in daily_rows(site, categories, conditions)}
    daily = []
    current = start
    while current <= end:
        daily.append(by_day.get(current.isoformat()) or
                     Row(current.isoformat(), 0, {a: 0 for a in ACTIONS}, {c: 0 for c in categories}))
        current += timedelta(days=1)

    breakdowns = {}
    for name in BREAKDOWNS:
        # A region is named with its country ("US-CA"); the others are one column.
        columns = [t.country, t.region] if name == "region" else [t[name]]
        rows = reporting_session().execute(
            select(*columns, *measures).where(*conditions).group_by(*columns)
            .order_by(func.count().desc(), *columns).limit(top)).all()
        breakdowns[name] = [_row("-".join(str(v) for v in r[:len(columns)] if v is not None), r, categories)
                            for r in rows]
    return ConsentReport(site=site.key, start=start, end=end, filters=filters, categories=categories,
                         total=_row("all", total, categories), daily=daily, breakdowns=breakdowns)
