"""GeoJSON contours to SVG paths: a small map drawn on the server, no JavaScript.

Pure functions, no database. The projection is equirectangular with the longitudes scaled by
the cosine of the mean latitude of the drawing, which is faithful enough at the scale of a
region (Île-de-France spans about 1.5° of latitude). Coordinates are rounded to one decimal
of the viewBox unit, which keeps a region map around 30 kB.

    >>> shapes = project_shapes({"75": {"type": "Polygon",
    ...     "coordinates": [[[2.2, 48.8], [2.4, 48.8], [2.4, 48.9], [2.2, 48.8]]]}}, width=100)
    >>> shapes.view_box
    '0 0 100 77.9'
    >>> shapes.shapes[0].path
    'M4,73.9L96,73.9L96,4Z'
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Ring = list[tuple[float, float]]


class GeometryError(ValueError):
    """The geometry is not a GeoJSON Polygon or MultiPolygon the map can draw."""


@dataclass(frozen=True)
class MapShape:
    key: str
    path: str  # the `d` attribute of an SVG <path>
    label_x: float  # where to write the shape's label (its anchor, or the centre of the
    label_y: float  # box of its largest ring)


@dataclass(frozen=True)
class SvgMap:
    width: float
    height: float
    shapes: list[MapShape]

    @property
    def view_box(self) -> str:
        return f"0 0 {_format(self.width)} {_format(self.height)}"


def polygons(geometry: Mapping) -> list[list[Ring]]:
    """The polygons of a GeoJSON geometry, each a list of rings of (lon, lat) pairs."""
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    coordinates = geometry.get("coordinates") if kind else None
    if kind == "Polygon":
        raw = [coordinates]
    elif kind == "MultiPolygon":
        raw = coordinates
    else:
        raise GeometryError(f"Géométrie non prise en charge : {kind!r}")
    result = []
    for polygon in raw or []:
        rings = [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon if ring]
        if rings:
            result.append(rings)
    return result


def bounds(geometries: Iterable[Mapping]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of every point of the geometries."""
    lons: list[float] = []
    lats: list[float] = []
    for geometry in geometries:
        for polygon in polygons(geometry):
            for ring in polygon:
                lons.extend(p[0] for p in ring)
                lats.extend(p[1] for p in ring)
    if not lons:
        raise GeometryError("Aucun point à dessiner.")
    return min(lons), min(lats), max(lons), max(lats)


def _round(value: float) -> float:
    rounded = round(value, 1)
    return 0.0 if rounded == 0 else rounded  # no "-0.0" in the output


def _format(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def project_shapes(
    geometries: Mapping[str, Mapping],
    *,
    width: float = 600,
    margin: float = 4,
    anchors: Mapping[str, tuple[float, float]] | None = None,
) -> SvgMap:
    """Project each keyed geometry into one SVG drawing `width` units wide.

    `anchors` optionally gives, by key, the (lon, lat) where the label goes (a chief town
    is always inside its territory, unlike the centre of a crescent-shaped one).

    x grows eastwards, y southwards (SVG); the drawing fits the viewBox with `margin` units
    on each side. Each ring becomes a closed sub-path ("M … Z"), so holes and islands are
    kept; draw them with fill-rule="evenodd".
    """
    if not geometries:
        return SvgMap(width=_round(width), height=0.0, shapes=[])
    min_lon, min_lat, max_lon, max_lat = bounds(geometries.values())
    x_factor = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = (max_lon - min_lon) * x_factor
    span_y = max_lat - min_lat
    inner = width - 2 * margin
    scale = inner / max(span_x, span_y, 1e-9)
    height = span_y * scale + 2 * margin

    def point(lon: float, lat: float) -> tuple[float, float]:
        return (
            _round(margin + (lon - min_lon) * x_factor * scale),
            _round(margin + (max_lat - lat) * scale),
        )

    shapes = []
    for key, geometry in geometries.items():
        parts: list[str] = []
        largest: tuple[float, tuple[float, float]] | None = None
        for polygon in polygons(geometry):
            for ring in polygon:
                points = _dedupe([point(lon, lat) for lon, lat in ring])
                if len(points) < 3:
                    continue  # a ring that collapses to a point or a line at this scale
                parts.append("M" + "L".join(f"{_format(x)},{_format(y)}" for x, y in points) + "Z")
                xs = [x for x, _ in points]
                ys = [y for _, y in points]
                area = (max(xs) - min(xs)) * (max(ys) - min(ys))
                if largest is None or area > largest[0]:
                    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
                    largest = (area, centre)
        if not parts or largest is None:
            continue
        anchor = (anchors or {}).get(key)
        label = point(*anchor) if anchor else (_round(largest[1][0]), _round(largest[1][1]))
        shapes.append(MapShape(key=key, path="".join(parts), label_x=label[0], label_y=label[1]))
    return SvgMap(width=_round(width), height=_round(height), shapes=shapes)


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points equal to the previous one after rounding, and the closing point (the
    path's "Z" closes the ring)."""
    result: list[tuple[float, float]] = []
    for p in points:
        if not result or result[-1] != p:
            result.append(p)
    if len(result) > 1 and result[0] == result[-1]:
        result.pop()
    return result
