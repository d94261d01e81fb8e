"""Services take an `Actor`, never an HTTP request, and `request` always means an HTTP request
(#16.5: a desk request is a `desk_request`). The client's IP travels on the
`Actor` (`Actor.ip`), so a service runs the same from a page, the API, a command or a task.
Read from the source with ast: no services module imports from `django.http`."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "clauses"


def _service_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.name == "services.py" or path.parent.name == "services"
    )


def test_no_service_reads_an_http_request():
    modules = _service_modules()
    assert len(modules) > 10  # the checker reads the services
    readers = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(name == "django.http" or name.startswith("django.http.") for name in names):
                readers.append(str(path.relative_to(PACKAGE.parent)))
    assert readers == []


def test_request_always_means_an_http_request():
    """A desk request is a `desk_request` (#16.5): an annotated parameter named `request`
    is an HTTP request everywhere."""
    other = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for arg in [*node.args.args, *node.args.kwonlyargs]:
                if arg.arg == "request" and arg.annotation is not None:
                    annotation = ast.unparse(arg.annotation)
                    if "Request" in annotation and "HttpRequest" not in annotation:
                        other.append(f"{path.relative_to(PACKAGE.parent)}::{node.name}")
    assert other == []
