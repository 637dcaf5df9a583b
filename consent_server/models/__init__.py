"""SQLAlchemy models: the data, nothing else (no services, no url_for)."""
from .analytics import DailyStats, DimensionCount, Event, IngestState, VisitorSession
from .dsar import DataRequest, DataRequestAction
from .ledger import ConsentRecord, LedgerCheckpoint, LedgerHead
from .organization import AdminUser, Organization
from .site import Category, Revision, Service, Site, SiteText

__all__ = [
    "AdminUser", "Category", "ConsentRecord", "DailyStats", "DataRequest", "DataRequestAction", "DimensionCount", "Event",
    "IngestState", "LedgerCheckpoint", "LedgerHead", "Organization", "Revision", "Service",
    "Site", "SiteText", "VisitorSession",
]
