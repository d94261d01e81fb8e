"""The benchmark dataset generator's shape (#16.1): it lives in `bench/dataset/`, split by
domain, with no function over 60 lines (the 1,917-line module it replaced had seven over
80). Read from the source with ast, nothing imported."""

import ast
from pathlib import Path

DATASET = Path(__file__).resolve().parents[2] / "bench" / "dataset"
MAX_FUNCTION_LINES = 60
DOMAINS = {"territories", "network", "organisations", "desk", "markets", "followup", "hours"}


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (f"{path.name}::{node.name}", node.end_lineno - node.lineno + 1)  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_the_generator_is_split_by_domain():
    modules = {path.stem for path in DATASET.glob("*.py")}
    assert DOMAINS <= modules, DOMAINS - modules


def test_no_function_of_the_generator_is_over_60_lines():
    functions = [f for path in sorted(DATASET.rglob("*.py")) for f in _functions(path)]
    assert len(functions) > 20  # the checker reads the generator
    too_long = [(name, lines) for name, lines in functions if lines > MAX_FUNCTION_LINES]
    assert too_long == []
