"""Consent-gated first-party analytics: ingestion, sessions, rollups and reports.

See docs/ANALYTICS.md. Modules: ``events`` (what a beacon's events become), ``ingest``
(the consent gate and the batched writer), ``rollups`` (visits and daily rollups),
``report`` (``traffic_report``).
"""
from .events import EVENT_TYPES, EventError
from .ingest import Accepted, accept, flush, shutdown_all
from .report import TrafficReport, traffic_report

__all__ = ["Accepted", "EVENT_TYPES", "EventError", "TrafficReport", "accept", "flush",
           "shutdown_all", "traffic_report"]
