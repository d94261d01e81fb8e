"""The GeoJSON → SVG projection of territories/maps.py (pure functions, no database)."""

import re

import pytest

from clauses.territories.maps import GeometryError, bounds, polygons, project_shapes

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 49.0], [2.0, 48.0]]],
}
HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 49.0], [2.0, 48.0]],
        [[2.4, 48.4], [2.6, 48.4], [2.6, 48.6], [2.4, 48.6], [2.4, 48.4]],
    ],
}
ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[2.0, 48.0], [2.5, 48.0], [2.5, 48.5], [2.0, 48.0]]],
        [[[2.6, 48.6], [3.0, 48.6], [3.0, 49.0], [2.6, 48.6]]],
    ],
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _points(path: str) -> list[tuple[float, float]]:
    values = [float(v) for v in NUMBER.findall(path)]
    return list(zip(values[::2], values[1::2], strict=True))


def test_polygon_and_multipolygon_are_read_as_lists_of_polygons():
    assert len(polygons(SQUARE)) == 1
    assert len(polygons(HOLED)[0]) == 2
    assert len(polygons(ISLANDS)) == 2


@pytest.mark.parametrize("geometry", [{"type": "Point", "coordinates": [2, 48]}, {}, None])
def test_other_geometries_are_refused(geometry):
    with pytest.raises(GeometryError):
        polygons(geometry)


def test_bounds_cover_every_point():
    assert bounds([SQUARE, ISLANDS]) == (2.0, 48.0, 3.0, 49.0)


def test_drawing_fits_the_view_box_with_its_margin():
    svg = project_shapes({"a": SQUARE}, width=200, margin=5)
    xs, ys = zip(*_points(svg.shapes[0].path), strict=True)
    assert min(xs) == 5 and min(ys) == 5
    assert max(ys) == svg.height - 5
    # Longitudes are shortened by cos(48.5°) ≈ 0.66: the square is taller than wide.
    assert max(xs) < 200 - 5
    assert svg.height == 200
    assert svg.view_box == f"0 0 200 {svg.height:g}"


def test_north_is_up():
    svg = project_shapes({"a": ISLANDS}, width=100)
    south, north = (_points(part) for part in svg.shapes[0].path.split("Z")[:2])
    assert max(y for _, y in north) < min(y for _, y in south)


def test_every_ring_is_a_closed_sub_path():
    svg = project_shapes({"holed": HOLED, "islands": ISLANDS}, width=300)
    for shape in svg.shapes:
        sub_paths = shape.path.split("Z")
        assert sub_paths[-1] == ""
        assert all(part.startswith("M") for part in sub_paths[:-1])
    holed, islands = svg.shapes
    assert holed.path.count("M") == 2  # the outer ring and its hole
    assert islands.path.count("M") == 2  # one ring per polygon of the MultiPolygon


def test_closing_point_is_left_to_z_and_coordinates_have_one_decimal():
    path = project_shapes({"a": SQUARE}, width=123.456).shapes[0].path
    assert len(_points(path)) == 4  # five GeoJSON points, the last one repeats the first
    assert all(len(v.split(".")[-1]) == 1 for v in NUMBER.findall(path) if "." in v)
    assert "-0" not in path


def test_rings_collapsing_at_this_scale_are_dropped():
    tiny = {
        "type": "Polygon",
        "coordinates": [[[2.5, 48.5], [2.50001, 48.5], [2.5, 48.50001], [2.5, 48.5]]],
    }
    svg = project_shapes({"big": SQUARE, "tiny": tiny}, width=100)
    assert [shape.key for shape in svg.shapes] == ["big"]


def test_labels_go_to_the_anchor_or_the_centre():
    svg = project_shapes(
        {"a": SQUARE, "b": ISLANDS}, width=100, margin=0, anchors={"a": (2.0, 49.0)}
    )
    a, b = svg.shapes
    assert (a.label_x, a.label_y) == (0, 0)
    assert 0 < b.label_x < 100 and 0 < b.label_y < 100


def test_no_geometry_gives_an_empty_map():
    assert project_shapes({}).shapes == []
