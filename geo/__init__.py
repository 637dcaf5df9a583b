"""IP -> Location, Location -> regulatory regime, request -> language.

A plain library: no Flask. The server opens one GeoReader per process.
"""

from geo.language import negotiate_language
from geo.location import GeoReader, Location, pretend_location, public_address
from geo.regimes import (
    NOTICE,
    OPT_IN,
    OPT_OUT,
    REGIMES,
    RegimeDecision,
    consent_mode_defaults,
    pre_choice_state,
    regime_for,
)

__all__ = [
    "NOTICE",
    "OPT_IN",
    "OPT_OUT",
    "REGIMES",
    "GeoReader",
    "Location",
    "RegimeDecision",
    "consent_mode_defaults",
    "negotiate_language",
    "pre_choice_state",
    "pretend_location",
    "public_address",
    "regime_for",
]
