"""Consent-gated first-party analytics: ingestion, sessions, rollups and reports.

See docs/ANALYTICS.md. Modules: ``events`` (what a beacon's events become), ``ingest``
(the consent gate and the batched writer), ``rollups`` (visits and daily rollups),
``report`` (``traffic_report``).
"""
from .events import EVENT_TYPES, EventError, query_allow
from .ingest import Accepted, SiteRef, accept, flush, shutdown_all, site_for_beacons
from .report import TrafficReport, traffic_report

__all__ = ["Accepted", "EVENT_TYPES", "EventError", "SiteRef", "TrafficReport", "accept", "flush",
           "query_allow", "shutdown_all", "site_for_beacons", "traffic_report"]
