"""Geodesy for local groups: great-circle distance and the bounding box of a radius.

Pure functions on degrees and kilometres; no I/O. The haversine formula on a sphere of the
mean Earth radius is accurate to about 0.5 %, far below what "within 30 km of Lille" needs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180.0
MARGIN_DEG = 1e-6  # about 10 cm: keeps points exactly on the circle inside despite float rounding


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle that contains a circle (for an indexed SQL prefilter)."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> Box:
    """A box containing every point within `radius_km` of (lat, lon).

    Near a pole, or when the box would cross the antimeridian, longitudes are left open
    (-180..180): the prefilter is then looser, never wrong."""
    dlat = radius_km / KM_PER_DEGREE_LAT + MARGIN_DEG
    min_lat, max_lat = lat - dlat, lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return Box(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    # The widest longitude span is at the latitude farthest from the equator within the box.
    widest = max(abs(min_lat), abs(max_lat))
    dlon = radius_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(widest))) + MARGIN_DEG
    if lon - dlon < -180 or lon + dlon > 180:
        return Box(min_lat, max_lat, -180.0, 180.0)
    return Box(min_lat, max_lat, lon - dlon, lon + dlon)
