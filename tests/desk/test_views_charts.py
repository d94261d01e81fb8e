"""The SVG bar chart helper (pure) and its template."""

import re

import pytest
from django.template.loader import render_to_string

from clauses.desk.charts import (
    HORIZONTAL,
    VERTICAL,
    bar_chart,
    describe,
    format_number,
    nice_maximum,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (-3, 1), (1, 1), (3, 5), (7, 10), (12, 20), (21, 25), (99, 100), (0.3, 0.5)],
)
def test_nice_maximum_rounds_up_to_a_readable_scale(value, expected):
    assert nice_maximum(value) == expected


def test_format_number_is_french():
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(2.5) == "2,5"
    assert format_number(3.0) == "3"


def test_vertical_bars_are_proportional_and_share_a_baseline():
    chart = bar_chart([("S1", 2), ("S2", 4), ("S3", 0)], title="Demandes")

    heights = [bar.height for bar in chart.bars]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert heights[2] == 0
    baselines = {round(bar.y + bar.height, 1) for bar in chart.bars}
    assert baselines == {chart.axis_y1}
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)  # in display order, left to right
    assert all(bar.x + bar.width <= chart.width for bar in chart.bars)


def test_the_tallest_bar_fits_the_scale():
    chart = bar_chart([("a", 5), ("b", 10)], title="t")
    assert chart.ticks[-1].value == 10
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.y == pytest.approx(chart.ticks[-1].position)


def test_horizontal_bars_grow_from_the_same_left_edge():
    chart = bar_chart(
        [("Conseil sur les considérations sociales", 3), ("Autre demande", 1)],
        title="Par objet",
        orientation=HORIZONTAL,
    )
    assert {bar.x for bar in chart.bars} == {chart.axis_x1}
    assert chart.bars[0].width == pytest.approx(3 * chart.bars[1].width)
    assert chart.bars[0].y < chart.bars[1].y
    assert not chart.is_vertical


def test_negative_values_are_drawn_as_zero_and_empty_chart_says_so():
    chart = bar_chart([("a", -2)], title="t")
    assert chart.bars[0].height == 0
    assert chart.is_empty
    assert chart.description == "Aucune donnée sur la période."


def test_description_gives_total_and_highest_bar():
    text = describe([("75", 3), ("93", 5)], unit="demandes")
    assert "total 8 demandes" in text
    assert "93, 5 demandes" in text


def test_unknown_orientation_is_refused():
    with pytest.raises(ValueError, match="Orientation"):
        bar_chart([("a", 1)], title="t", orientation="diagonal")


def test_highlighted_labels_are_marked():
    chart = bar_chart([("a", 1), ("b", 2)], title="t", highlight=["b"])
    assert [bar.highlighted for bar in chart.bars] == [False, True]


@pytest.mark.parametrize("orientation", [VERTICAL, HORIZONTAL])
def test_template_draws_an_accessible_svg(orientation):
    chart = bar_chart(
        [("Semaine <1>", 2.5), ("S2", 4)], title="Demandes & co", orientation=orientation
    )
    html = render_to_string("components/bar_chart.html", {"chart": chart, "chart_id": "g"})

    assert 'role="img"' in html
    assert 'aria-labelledby="g-titre g-desc"' in html
    assert '<title id="g-titre">Demandes &amp; co</title>' in html
    assert html.count("<rect") == 2
    assert "<title>Semaine &lt;1&gt; : 2,5</title>" in html  # escaped, French number
    assert "style=" not in html  # the CSP forbids inline styles
    # Coordinates never take the French decimal comma.
    for value in re.findall(r'(?:x|y|width|height)="([^"]*)"', html):
        assert "," not in value
