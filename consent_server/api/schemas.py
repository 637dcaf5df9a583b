"""Request and response bodies of the public API (pydantic), also used for OpenAPI."""
from typing import Annotated, Literal

from pydantic import (BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr,
                      field_validator, model_validator)

from ..services.analytics import events as analytics_events
from ..services.ledger import ACTIONS

Action = Literal[ACTIONS]  # type: ignore[valid-type]
EventType = Literal[analytics_events.EVENT_TYPES]  # type: ignore[valid-type]


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visitor_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{32}$",
                                   description="Continue this visitor's history (needs `token`).")
    token: str | None = Field(default=None, max_length=128,
                              description="The visitor token returned with the visitor id.")
    choices: dict[str, StrictBool] = Field(max_length=32, description="Category key -> granted.")
    action: Action
    revision: StrictInt = Field(ge=1)
    language: str = Field(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    page_url: str | None = Field(default=None, max_length=2048)
    gpc: StrictBool = False
    layer: Literal[1, 2] | None = None


class ConsentOut(BaseModel):
    visitor_id: str
    token: str
    record_id: int
    recorded_at: str
    hash: str


class Error(BaseModel):
    error: str
    message: str


class ServiceCookie(BaseModel):
    name: str
    pattern: str | None = None
    lifetime: str | None = None


class ServiceOut(BaseModel):
    name: str
    provider: str
    purpose: str
    privacy_policy_url: str
    cookies: list[ServiceCookie]


class CategoryOut(BaseModel):
    key: str
    name: str
    description: str
    required: bool
    services: list[ServiceOut]


class LocationOut(BaseModel):
    country: str | None
    region: str | None
    city: str | None


class CookieOut(BaseModel):
    name: str
    max_age: int


class ConfigOut(BaseModel):
    site: str
    revision: int
    regime: Literal["opt-in", "opt-out", "notice"]
    regime_reason: str
    location: LocationOut
    language: str
    language_reason: str
    direction: Literal["ltr", "rtl"]
    gpc: bool
    consent_lifetime_days: int
    defaults: dict[str, bool]
    categories: list[CategoryOut]
    texts: dict[str, str]
    consent_mode: dict[str, str | int]
    cookie: CookieOut


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]


PropKey = Annotated[StrictStr, Field(min_length=1, max_length=40)]
PropValue = (Annotated[StrictStr, Field(max_length=200)] | StrictBool | StrictInt
             | Annotated[StrictFloat, Field(allow_inf_nan=False)] | None)


class EventIn(BaseModel):
    """One clickstream event. A beacon is one event or a list of them (at most 20)."""

    model_config = ConfigDict(extra="forbid")

    visitor_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="From the consent cookie.")
    token: str = Field(max_length=128, description="The visitor token from the consent cookie: "
                       "a beacon with someone's visitor id but not their token is not stored.")
    type: EventType
    url: str = Field(max_length=2048, description="The page (http or https). Only its path and "
                     "utm_* parameters are kept.")
    referrer: str | None = Field(default=None, max_length=2048,
                                 description="document.referrer; only host and path are kept.")
    title: str | None = Field(default=None, max_length=1000, description="Kept up to 300 characters.")
    target: str | None = Field(default=None, max_length=2048,
                               description="outbound and download: the link (scheme, host and path are kept).")
    name: str | None = Field(default=None, min_length=1, max_length=100, description="custom: the event name.")
    props: dict[PropKey, PropValue] | None = Field(
        default=None, max_length=20, description="custom: flat object of at most 20 scalars.")
    duration_ms: StrictInt | None = Field(default=None, ge=0, le=86_400_000,
                                          description="engagement: engaged time on the page.")
    scroll: StrictInt | None = Field(default=None, ge=0, le=100,
                                     description="engagement: deepest scroll position, percent.")

    @field_validator("url")
    @classmethod
    def _page(cls, value: str) -> str:
        analytics_events.page_parts(value)
        return value

    @field_validator("target")
    @classmethod
    def _link(cls, value: str | None) -> str | None:
        if value is not None:
            analytics_events.link_target(value)
        return value

    @model_validator(mode="after")
    def _fields_by_type(self):
        if self.type == "custom" and not self.name:
            raise ValueError("custom events need a name")
        if self.type in ("outbound", "download") and not self.target:
            raise ValueError(f"{self.type} events need a target")
        return self


class ConsentRecordOut(BaseModel):
    """One record of the visitor's consent history, as hashed in the site's ledger."""

    id: int
    seq: int
    recorded_at: str
    action: Action
    layer: int | None
    choices: dict[str, bool]
    revision: int
    revision_hash: str | None = Field(description="SHA-256 of the revision's snapshot (what was shown).")
    language: str
    regime: str
    country: str | None
    region: str | None
    city: str | None
    gpc: bool
    dnt: bool
    browser: str | None
    os: str | None
    device: str | None
    page_url: str | None
    previous_id: int | None
    prev_hash: str
    hash: str


class StoredEventOut(BaseModel):
    id: int
    occurred_at: str
    session_id: str
    type: EventType
    path: str
    title: str | None
    referrer_host: str | None
    referrer_path: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    target: str | None
    name: str | None
    props: dict | None
    browser: str | None
    os: str | None
    device: str | None
    country: str | None
    region: str | None
    city: str | None
    duration_ms: int | None
    scroll: int | None


class VisitOut(BaseModel):
    session_id: str
    started_at: str | None
    last_event_at: str | None
    events: int
    pageviews: int
    last_path: str | None = None
    current: bool = False


class VisitorAnalyticsOut(BaseModel):
    events: list[StoredEventOut]
    sessions: list[VisitOut]


class VisitorSiteOut(BaseModel):
    key: str
    name: str
    domains: list[str]


class RetentionOut(BaseModel):
    analytics_events_days: int
    consent_records_months: int


class VisitorDataOut(BaseModel):
    """A visitor's data on one site (docs/DSAR.md)."""

    format: Literal["consent-server/visitor-data"]
    version: Literal[1]
    generated_at: str
    site: VisitorSiteOut
    visitor_id: str
    consent_records: list[ConsentRecordOut]
    analytics: VisitorAnalyticsOut
    retention: RetentionOut
    not_stored: str


class ErasedCounts(BaseModel):
    events: int
    sessions: int


class ErasureOut(ConsentOut):
    """The withdrawal recorded by the erasure, and what was deleted."""

    erased: ErasedCounts
    consent_records_kept: Literal[True]
    kept_reason: str
