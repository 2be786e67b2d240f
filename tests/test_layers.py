"""Imports run down the layers, never up (README, "Architecture").

Every module of the app (src/chairside, tenants, config; not tests) is
parsed, and every import in it counts, a function-level one too: an import
inside a function that goes up is the same dependency, hidden. An import may
go to a lower layer or sideways within one layer; going up fails, and so does
a cycle between apps of one layer. The schema machinery
(tenants/schema_engine) is fenced: only tenants and config import it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app imports from its own layer or those before it.
LAYERS: list[set[str]] = [
    {"core"},  # errors, types, time and money helpers, caches
    {"accounts", "ops"},  # users, roles, tokens, sign-in pages; logging, backups
    {"tenants", "audit"},  # the clinic domain (+ schema_engine); audit trail
    # The clinical domain, in the order its rules need each other:
    {"patients"},
    {"scheduling"},  # books patients' appointments
    {"dental"},  # the chart, procedure catalogue and fees (on visits)
    {"billing"},  # invoices for patients' visits
    {"payments"},  # pays invoices
    {"notifications"},  # reminds of appointments and overdue invoices
    # Treatment plans: planned procedures (dental) booked as visits
    # (scheduling) and billed (billing); estimates in the patient's
    # language (notifications.content).
    {"treatment"},
    {"privacy"},  # erasure: runs every app's erase step in one transaction
    # Adapters: pages for each audience, and the demo data.
    {"web", "portal", "console", "public_site", "demo"},
    {"config"},  # settings, URL confs, the Celery app: imports everything
]

FENCED = {"tenants.schema_engine": {"tenants", "config"}}


def _layer_of(app: str) -> int:
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    raise AssertionError(f"{app} is in no layer: add it to LAYERS")


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "chairside" and len(parts) > 1:
        return parts[1]
    if parts[0] in ("tenants", "config"):
        return parts[0]
    return None


def _modules() -> dict[str, Path]:
    found = {}
    for base in ("src/chairside", "tenants", "config"):
        for path in (ROOT / base).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts:
                continue
            if relative.parts[0] == "src":
                relative = relative.relative_to("src")
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    """Every module `module` imports, at any depth of its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            # `from chairside.billing import models` imports the module
            # chairside.billing.models; `from x.y import name`, x.y (_edges).
            out.update(f"{target}.{alias.name}" for alias in node.names)
    return out


def _edges() -> dict[tuple[str, str], str]:
    """(importer module, imported module) for imports between two apps."""
    modules = _modules()
    edges = {}
    for module, path in modules.items():
        source = _app_of(module)
        for imported in _imports(module, path):
            target = _app_of(imported)
            if target is None or target == source:
                continue
            # Keep the longest name that is a real module (or the import).
            name = imported
            while name not in modules and "." in name:
                name = name.rpartition(".")[0]
            edges[(module, name if name in modules else imported)] = target
    return edges


def test_every_app_is_in_a_layer():
    for module in _modules():
        if module != "chairside":  # the namespace's own __init__
            _layer_of(_app_of(module))


def test_no_import_runs_up_the_layers():
    upward = []
    for (module, imported), target in _edges().items():
        if _layer_of(target) > _layer_of(_app_of(module)):
            upward.append((module, imported))
    assert not upward, "upward imports:\n" + "\n".join(
        f"  {m} imports {i}" for m, i in sorted(upward)
    )


def test_apps_of_one_layer_import_each_other_one_way_only():
    sideways: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (module, imported), target in _edges().items():
        source = _app_of(module)
        if _layer_of(source) == _layer_of(target):
            sideways[(source, target)].append(f"{module} -> {imported}")
    cycles = sorted(
        f"{a} <-> {b}: {sideways[(a, b)]} / {sideways[(b, a)]}"
        for a, b in sideways
        if a < b and (b, a) in sideways
    )
    assert not cycles, "cycles between apps of one layer:\n" + "\n".join(cycles)


def test_only_tenants_and_config_reach_the_schema_engine():
    reaching = [
        f"{module} imports {imported}"
        for module, path in _modules().items()
        for imported in _imports(module, path)
        for fenced, allowed in FENCED.items()
        if imported.startswith(fenced + ".") and _app_of(module) not in allowed
    ]
    assert not reaching, "\n".join(reaching)
