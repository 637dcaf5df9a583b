"""Request and response bodies of the public API (pydantic), also used for OpenAPI."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from ..services.ledger import ACTIONS

Action = Literal[ACTIONS]  # type: ignore[valid-type]


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
