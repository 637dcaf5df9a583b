"""The traffic report of a site over a range of days, answered from the daily rollups only
(never from raw events), so its cost grows with the number of days and distinct values,
not with the number of events.

Visitors over a range are the estimate of the union of the daily HyperLogLog sketches: a
visitor seen on several days counts once (days are never summed)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import datasketches
from sqlalchemy import func, select, union_all

from ...database import reporting_session
from ...models import DailyStats, DimensionCount
from ..reports import ReportError, check_days
from ..texts import N_
from .rollups import DIMENSIONS, SKETCH_LG_K, periods

MAX_DAYS = 400


@dataclass(frozen=True)
class DayPoint:
    day: date
    pageviews: int = 0
    visitors: int = 0
    sessions: int = 0
    bounces: int = 0
    events: int = 0
    duration_ms: int = 0


@dataclass(frozen=True)
class Ranked:
    value: str
    count: int


@dataclass(frozen=True)
class TrafficReport:
    site: str
    start: date
    end: date
    pageviews: int
    visitors: int
    sessions: int
    bounces: int
    events: int
    engagements: int
    duration_ms: int
    scroll_sum: int
    daily: list[DayPoint]
    # dimension -> the top values, highest count first. Counts are pageviews for "page",
    # events for "download", "outbound" and "custom", visits for the others.
    top: dict[str, list[Ranked]] = field(default_factory=dict)
    # Visitors over the range are a HyperLogLog estimate (~0.8% standard error; exact in
    # practice below a few thousand visitors a day).
    visitors_method: str = "hyperloglog"

    @property
    def bounce_rate(self) -> float | None:
        return self.bounces / self.sessions if self.sessions else None

    @property
    def avg_visit_engaged_ms(self) -> int | None:
        """Engaged time per visit."""
        return round(self.duration_ms / self.sessions) if self.sessions else None

    @property
    def avg_scroll(self) -> float | None:
        return self.scroll_sum / self.engagements if self.engagements else None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        out["daily"] = [{**asdict(p), "day": p.day.isoformat()} for p in self.daily]
        out["top"] = {k: [asdict(r) for r in v] for k, v in self.top.items()}
        out.update(bounce_rate=self.bounce_rate, avg_visit_engaged_ms=self.avg_visit_engaged_ms,
                   avg_scroll=self.avg_scroll)
        return out


def traffic_report(site, start: date, end: date, top: int = 10) -> TrafficReport:
    """``site``: a Site (or anything with ``id`` and ``key``); ``start``..``end`` inclusive."""
    check_days(start, end)
    if end < start:
        raise ReportError(N_("the range ends before it starts"))
    if (end - start).days + 1 > MAX_DAYS:
        raise ReportError(N_("at most %(n)s days per report"), n=MAX_DAYS)
    daily_t = DailyStats.__table__
    rows = reporting_session().execute(
        select(daily_t).where(daily_t.c.site_id == site.id, daily_t.c.day.between(start, end))
        .order_by(daily_t.c.day)).all()
    union = datasketches.hll_union(SKETCH_LG_K)
    by_day = {}
    for r in rows:
        by_day[r.day] = r
        if r.visitor_sketch:
            union.update(datasketches.hll_sketch.deserialize(r.visitor_sketch))
    points = []
    day = start
    while day <= end:
        r = by_day.get(day)
        points.append(DayPoint(day) if r is None else DayPoint(
            day, r.pageviews, r.visitors, r.sessions, r.bounces, r.events, r.duration_ms))
        day += timedelta(days=1)

    def total(name):
        return sum(getattr(r, name) for r in rows)

    return TrafficReport(
        site=site.key, start=start, end=end,
        pageviews=total("pageviews"), visitors=round(union.get_result().get_estimate()) if rows else 0,
        sessions=total("sessions"), bounces=total("bounces"), events=total("events"),
        engagements=total("engagements"), duration_ms=total("duration_ms"),
        scroll_sum=total("scroll_sum"), daily=points, top=top_values(site.id, start, end, top))


def top_values(site_id: int, start: date, end: date, top: int = 10,
               dimensions=DIMENSIONS) -> dict[str, list[Ranked]]:
    """The ``top`` values of each dimension over the range: one query over the fewest whole
    periods (28-day blocks, weeks, days) that make up the range; sums per value, ranked
    per dimension with a window function."""
    dims = DimensionCount.__table__
    by_grain: dict[int, list[date]] = {}
    for grain, first in periods(start, end):
        by_grain.setdefault(grain, []).append(first)
    # One arm per grain, each an index range on (site, dimension, grain, day): an OR of
    # the grains would make SQLite read every period of the dimension.
    slices = union_all(*[
        select(dims.c.dimension, dims.c.value, dims.c.count)
        .where(dims.c.site_id == site_id, dims.c.dimension.in_(dimensions), dims.c.grain == grain,
               dims.c.day.in_(firsts))
        for grain, firsts in sorted(by_grain.items())]).subquery()
    totals = (select(slices.c.dimension, slices.c.value, func.sum(slices.c.count).label("n"))
              .group_by(slices.c.dimension, slices.c.value)
              .having(func.sum(slices.c.count) > 0)
              .subquery())
    ranked = select(totals.c.dimension, totals.c.value, totals.c.n,
                    func.row_number().over(partition_by=totals.c.dimension,
                                           order_by=(totals.c.n.desc(), totals.c.value)).label("rank")
                    ).subquery()
    rows = reporting_session().execute(
        select(ranked.c.dimension, ranked.c.value, ranked.c.n)
        .where(ranked.c.rank <= top)
        .order_by(ranked.c.dimension, ranked.c.rank))
    out: dict[str, list[Ranked]] = {d: [] for d in dimensions}
    for r in rows:
        out[r.dimension].append(Ranked(r.value, int(r.n)))
    return out
