"""Shared template components are the only copies of their markup (#16.5), and the
documents name the real chain of apps (#16.6).

- Pagination, the error summary and the bar chart each have one template in
  `clauses/templates/components/`; a page includes it instead of copying its markup (the
  pagination used to be copied six times).
- README.md and docs/coding-style.md draw the chain of apps; it must be the one
  `test_layers.LAYERS` enforces, and the README gives each app its paragraph. Adding an app
  to the chain means adding it to both documents too.
"""

import re
from pathlib import Path

import pytest

from tests.architecture.test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "clauses").rglob("templates/**/*.html"))

# markup that only its component may write -> the component
COMPONENT_MARKUP = {
    'class="fr-pagination': "components/pagination.html",
    "clauses-error-summary": "components/error_summary.html",
    'class="clauses-chart': "components/bar_chart.html",
}


@pytest.mark.parametrize("markup", list(COMPONENT_MARKUP))
def test_component_markup_lives_in_its_component_only(markup):
    component = COMPONENT_MARKUP[markup]
    holders = [str(t.relative_to(ROOT)) for t in TEMPLATES if markup in t.read_text()]
    assert holders == [f"clauses/templates/{component}"], (
        f"{markup!r} is copied outside {component}: include the component instead"
    )


def _drawn_chain(text: str) -> list[str]:
    """The apps of the first « core ← … » drawing of a document (it may wrap lines)."""
    start = text.index("core ←")
    lines = []
    for line in text[start:].splitlines():
        if lines and "←" not in line:
            break
        lines.append(line)
    return [word.strip() for word in " ".join(lines).split("←") if word.strip()]


@pytest.mark.parametrize("document", ["README.md", "docs/coding-style.md"])
def test_the_documents_draw_the_chain_of_the_layer_test(document):
    """Every app of `LAYERS`, in its order. (The drawing may already name an app whose
    package lands in a later commit of the same change: no failure in between.)"""
    drawn = _drawn_chain((ROOT / document).read_text())
    assert len(drawn) == len(set(drawn)), drawn
    in_layers = [app for app in drawn if app in LAYERS]
    assert in_layers == list(LAYERS), (
        f"{document} draws {drawn}; tests/architecture/test_layers.py::LAYERS is "
        f"{list(LAYERS)}: update the drawing"
    )


def test_the_readme_describes_every_app():
    readme = (ROOT / "README.md").read_text()
    described = set(re.findall(r"^- \*\*([a-z_]+)\*\*:", readme, flags=re.MULTILINE))
    assert set(LAYERS) - described == set(), "apps of the chain without their README paragraph"


def test_every_scrolling_table_can_be_reached_by_the_keyboard():
    """A DSFR table scrolls sideways on a phone: its container takes the focus (axe
    « scrollable-region-focusable », WCAG 2.1.1), as components/table.html does."""
    unreachable = [
        str(t.relative_to(ROOT))
        for t in TEMPLATES
        for line in t.read_text().splitlines()
        if 'class="fr-table__container"' in line and 'tabindex="0"' not in line
    ]
    assert unreachable == []
