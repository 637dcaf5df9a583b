"""Consent and traffic reports: SVG charts drawn on the server, and the numbers in tables."""
from datetime import date, timedelta

from flask import render_template, request
from flask_babel import gettext as _

from ..models.types import utcnow
from ..services import reports as reports_service
from ..services.analytics import report as traffic_service
from ..services.analytics.rollups import DIMENSIONS
from . import charts
from .access import error_text, site_or_404
from .blueprint import bp
from .forms import ACTION_LABELS, ConsentFilterForm, RangeForm

DEFAULT_DAYS = 30


def report_range(form: RangeForm) -> tuple[date, date]:
    """The form's range; by default the last 30 days up to today (UTC)."""
    end = form.end.data or utcnow().date()
    start = form.start.data or max(end - timedelta(days=DEFAULT_DAYS - 1), reports_service.FIRST_DAY)
    form.start.data, form.end.data = start, end
    return start, end


def consent_filters(form: ConsentFilterForm) -> reports_service.Filters:
    return reports_service.Filters(
        country=(form.country.data or "").upper() or None, regime=form.regime.data or None,
        language=form.language.data or None, device=form.device.data or None,
        revision=form.revision.data, action=form.action.data or None)


def consent_charts(report: reports_service.ConsentReport) -> list[charts.Chart]:
    days = [row.value for row in report.daily]
    series = {action: (str(label), [row.actions[action] for row in report.daily])
              for action, label in ACTION_LABELS.items()}
    rates = [(category, report.total.rate(category) or 0.0, "rate") for category in report.categories]
    countries = [(row.value or _("unknown"), row.total, "count") for row in report.breakdowns["country"][:10]]
    return [charts.stacked_columns(_("Decisions per day by action"), days, series),
            charts.horizontal_bars(_("Opt-in rate per category"), rates, maximum=1.0, percent=True),
            charts.horizontal_bars(_("Decisions by country"), countries)]


@bp.get("/sites/<key>/reports/consent")
def consent_report(key):
    site = site_or_404(key)
    form = ConsentFilterForm(request.args)
    report, error = None, None
    if form.validate():
        start, end = report_range(form)
        try:
            report = reports_service.consent_report(site, start, end, consent_filters(form))
        except reports_service.ReportError as exc:
            error = error_text(exc)
    return render_template("admin/reports/consent.html", site=site, form=form, report=report, error=error,
                           charts=consent_charts(report) if report else [],
                           actions=ACTION_LABELS, breakdowns=reports_service.BREAKDOWNS), \
        200 if report else 400


@bp.get("/sites/<key>/reports/traffic")
def traffic_report(key):
    site = site_or_404(key)
    form = RangeForm(request.args)
    report, error, chart_list = None, None, []
    if form.validate():
        start, end = report_range(form)
        try:
            report = traffic_service.traffic_report(site, start, end)
        except reports_service.ReportError as exc:
            error = error_text(exc)
        else:
            days = [p.day.isoformat() for p in report.daily]
            chart_list = [
                charts.stacked_columns(_("Pageviews per day"), days,
                                       {"pageviews": (_("Pageviews"), [p.pageviews for p in report.daily])}),
                charts.stacked_columns(_("Visitors per day"), days,
                                       {"visitors": (_("Visitors"), [p.visitors for p in report.daily])}),
            ]
    return render_template("admin/reports/traffic.html", site=site, form=form, report=report, error=error,
                           charts=chart_list, dimensions=DIMENSIONS), 200 if report else 400
