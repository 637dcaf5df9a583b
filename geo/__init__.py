"""IP -> Location, Location -> regulatory regime, request -> language.

A plain library: no Flask. The server opens one GeoReader per process.
"""

from geo.location import GeoReader, Location, pretend_location, public_address

__all__ = [
    "GeoReader",
    "Location",
    "pretend_location",
    "public_address",
]
