"""The layering of the apps, tested on the source (ast, no import): every import between
apps points down the chain, the app graph has no cycle, and the only ways up are the
exceptions listed here — the ONE list that docs/coding-style.md and the README point at.

An import is any `import clauses.x…` / `from clauses.x… import …` anywhere in a module
(at the top or inside a function) and any `import_module("clauses.x…")` with a literal name.
"""

import ast
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "clauses"

# The chain, lowest first: an app imports only from apps before it. A new app takes its place
# by what it uses (and is listed here, else the test fails).
LAYERS = (
    "core",
    "territories",
    "network",
    "accounts",
    "access",
    "desk",
    "markets",
    "followup",
    "hours",
    "reporting",
    "history",  # history imports: followup, markets, hours (#14.1)
    "programme",
    "observatory",
    "notifications",  # listens to desk and hours through their signals (#12.9)
    "site",  # the top app: home, « Mon espace » menu, seed_demo, load_reference, demo_accounts
)

# -- the exceptions (docs/coding-style.md, « The exceptions ») ------------------------------

# 1. Pages that show a higher app's figures: a view module (`<app>/views.py` or
#    `<app>/views/…`) may read a higher app's public selectors — read only, nothing else.
#    {importing view module: {imported selectors module}}
PAGE_READS = {
    "clauses.markets.views.market": {"clauses.hours.selectors"},
    "clauses.markets.views.operations": {"clauses.hours.selectors"},
}

# 2. Notifications between layers: a lower app declares a custom `Signal` in its
#    `signals.py` and sends it explicitly after a write; the upper app connects a receiver
#    in its `AppConfig.ready`. No import goes up (the upper app imports the signal, downward):
#    this list names each signal and its receivers, and the test checks both.
#    {signal: receiver, or a tuple of receivers when several apps above listen}
SIGNALS = {
    "clauses.followup.signals.eligibility_changed": (
        "clauses.hours.receivers.recount_on_eligibility_change"
    ),
    "clauses.followup.signals.eligibility_to_decide": (
        "clauses.notifications.receivers.on_eligibility_to_decide"
    ),
    "clauses.desk.signals.request_waiting": "clauses.notifications.receivers.on_request_waiting",
    "clauses.hours.signals.declarations_submitted": (
        "clauses.notifications.receivers.on_declarations_submitted",
        "clauses.reporting.receivers.refresh_on_declarations",
    ),
    "clauses.hours.signals.declarations_controlled": (
        "clauses.reporting.receivers.refresh_on_declarations"
    ),
    "clauses.hours.signals.declaration_sent_back": (
        "clauses.notifications.receivers.on_declaration_sent_back"
    ),
}

# Project-level modules (URL configuration, the API assembling every app's router, settings,
# WSGI) sit above every app: no app imports them.
PROJECT_MODULES = ("clauses.urls", "clauses.api", "clauses.settings", "clauses.wsgi")

RANK = {app: rank for rank, app in enumerate(LAYERS)}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (or name)
    line: int

    @property
    def source_app(self) -> str:
        return self.module.split(".")[1]

    @property
    def target_app(self) -> str | None:
        parts = self.target.split(".")
        return parts[1] if len(parts) > 1 else None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "clauses":  # from clauses import hours
            return [f"clauses.{alias.name}" for alias in node.names]
        return [f"{node.module}.{alias.name}" for alias in node.names]
    if (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return [node.args[0].value]
    return []


@functools.cache
def app_modules() -> dict[str, Path]:
    """Every Python module of every app (migrations included), by dotted name."""
    return {
        _module_name(path): path
        for path in sorted(PACKAGE.glob("*/**/*.py"))
        if path.relative_to(PACKAGE).parts[0] not in {"settings", "templates"}
    }


@functools.cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@functools.cache
def _imports() -> tuple[Import, ...]:
    found = []
    for module, path in app_modules().items():
        for node in ast.walk(_parsed(path)):
            for target in _targets(node):
                if target == "clauses" or target.startswith("clauses."):
                    found.append(Import(module, target, node.lineno))
    return tuple(found)


def imports() -> list[Import]:
    return list(_imports())


def _is_page_read(imp: Import) -> bool:
    allowed = PAGE_READS.get(imp.module, set())
    return any(imp.target == t or imp.target.startswith(t + ".") for t in allowed)


def upward(found: list[Import]) -> list[Import]:
    """Imports from an app to a higher one, outside the listed exceptions."""
    return [
        imp
        for imp in found
        if imp.target_app in RANK
        and RANK[imp.target_app] > RANK[imp.source_app]
        and not _is_page_read(imp)
    ]


def cycles(found: list[Import]) -> list[list[str]]:
    """Cycles of the app graph (exceptions left out), each as the list of its apps."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in found:
        if imp.target_app in RANK and imp.target_app != imp.source_app and not _is_page_read(imp):
            graph[imp.source_app].add(imp.target_app)
    found_cycles, state, path = [], {}, []

    def visit(app: str) -> None:
        state[app] = "open"
        path.append(app)
        for nxt in sorted(graph[app]):
            if state.get(nxt) == "open":
                found_cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[app] = "done"

    for app in sorted(graph):
        if app not in state:
            visit(app)
    return found_cycles


def _describe(items: list[Import]) -> str:
    return "\n".join(f"  {i.module}:{i.line} imports {i.target}" for i in items)


# -- the tests ------------------------------------------------------------------------------


def test_every_app_has_its_place_in_the_chain():
    apps = {
        path.parent.name
        for path in PACKAGE.glob("*/apps.py")
        if path.parent.name not in {"settings", "templates"}
    }
    assert apps - set(LAYERS) == set(), "an app missing from LAYERS (tests/architecture)"


def test_installed_apps_follow_the_chain(settings):
    ours = [a.split(".")[1] for a in settings.INSTALLED_APPS if a.startswith("clauses.")]
    assert ours == [app for app in LAYERS if app in ours]
    assert ours[-1] == "site", "the top app is installed last"


def test_no_import_goes_up_the_chain():
    bad = upward(imports())
    assert not bad, "imports going up the chain (see docs/coding-style.md):\n" + _describe(bad)


def test_the_app_graph_has_no_cycle():
    assert cycles(imports()) == []


def test_no_app_imports_the_project_modules():
    bad = [
        imp
        for imp in imports()
        if any(imp.target == m or imp.target.startswith(m + ".") for m in PROJECT_MODULES)
    ]
    assert not bad, _describe(bad)


def test_page_reads_are_views_reading_selectors_and_still_used():
    found = imports()
    for module, targets in PAGE_READS.items():
        assert re.fullmatch(r"clauses\.\w+\.views(\.\w+)?", module), module
        for target in targets:
            assert re.fullmatch(r"clauses\.\w+\.selectors", target), target
            source_app, target_app = module.split(".")[1], target.split(".")[1]
            assert RANK[target_app] > RANK[source_app], f"{module} → {target} is not upward"
            assert any(imp.module == module and imp.target.startswith(target) for imp in found), (
                f"stale exception: {module} no longer imports {target}"
            )


def test_signals_are_listed_and_received_from_above():
    found = imports()
    declared = set()
    for module, path in app_modules().items():
        for node in ast.walk(_parsed(path)):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", getattr(node.value.func, "attr", None))
                == "Signal"
            ):
                declared |= {f"{module}.{t.id}" for t in node.targets if isinstance(t, ast.Name)}
    assert declared == set(SIGNALS), "every custom signal is listed in SIGNALS"
    for signal, receivers in SIGNALS.items():
        assert signal.rsplit(".", 1)[0].endswith(".signals")
        for receiver in (receivers,) if isinstance(receivers, str) else receivers:
            upper = receiver.split(".")[1]
            assert RANK[upper] > RANK[signal.split(".")[1]]
            connected = {imp.target for imp in found if imp.module == f"clauses.{upper}.apps"}
            assert {signal, receiver} <= connected, f"clauses.{upper}.apps connects {receiver}"


def test_the_checker_sees_an_upward_import_and_a_cycle():
    """The checker itself: an upward import is caught, a listed page read is not."""
    fake = [
        Import("clauses.territories.models", "clauses.markets.models.Market", 1),
        Import("clauses.markets.views.market", "clauses.hours.selectors.progress", 2),
        Import("clauses.markets.rules", "clauses.territories.models", 3),
    ]
    assert upward(fake) == [fake[0]]
    assert cycles(fake) == [["markets", "territories", "markets"]]


def test_templates_include_no_higher_app():
    """A template includes or extends the shared layout and components, its own app's
    templates or a lower app's — never a higher app's (links by URL name are fine)."""
    pattern = re.compile(r"{%\s*(?:include|extends)\s+[\"']([a-z_]+)/")
    bad = []
    for path in sorted(PACKAGE.glob("*/templates/**/*.html")):
        app = path.relative_to(PACKAGE).parts[0]
        for target in pattern.findall(path.read_text()):
            if target in RANK and RANK[target] > RANK[app]:
                bad.append(f"  {path.relative_to(ROOT)} includes {target}/…")
    assert not bad, "\n".join(bad)


# -- module size ----------------------------------------------------------------------------

MAX_LINES = 800


def oversized() -> dict[str, int]:
    sizes = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        count = len(path.read_text().splitlines())
        if count > MAX_LINES:
            sizes[str(path.relative_to(ROOT))] = count
    return sizes


def test_no_module_over_800_lines():
    assert oversized() == {}
