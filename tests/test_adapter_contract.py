"""One contract for every adapter: the services check who is acting.

The API, the staff pages, the portal, reminder links, webhooks and tasks are
adapters: they read a request and call a service. If an adapter checked the
permission itself, the next adapter could forget (the cancellation window
was once enforced by the portal and not the API). So every public function
of the domain that changes clinic data takes the acting user or a system
actor (`actor`, chairside.core.actors) and checks its policy itself.

"Changes clinic data" is read from the code: the function (or a function of
its own module that it calls) saves, creates, updates, deletes or locks rows,
or runs SQL. A function that needs no actor says why, beside itself, with
`@no_actor("...")` — for example the token endpoints, whose caller is not
known until the password is checked.

The other half: the API routers (every app's api.py) never check a
permission themselves — no `ensure(...)`, no policies import — so what the
API allows is exactly what the services allow.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APPS = [
    ROOT / "src/chairside/accounts",
    ROOT / "src/chairside/audit",
    ROOT / "src/chairside/patients",
    ROOT / "src/chairside/scheduling",
    ROOT / "src/chairside/dental",
    ROOT / "src/chairside/billing",
    ROOT / "src/chairside/payments",
    ROOT / "src/chairside/notifications",
    ROOT / "src/chairside/treatment",
    ROOT / "tenants",
]
# Adapters, declarations and machinery: not where clinic data is decided.
NOT_DOMAIN_LOGIC = {
    "api.py",
    "views.py",
    "urls.py",
    "admin.py",
    "apps.py",
    "tasks.py",
    "models.py",
    "schemas.py",
    "forms.py",
    "policies.py",
    "errors.py",
    "webhooks.py",
    "middleware.py",
    "adapters.py",  # allauth's hooks: they call services
    "gateway.py",  # Stripe's API: changes nothing in the clinic's schema
    "signals.py",
}
SKIPPED_DIRS = {"migrations", "tests", "management", "schema_engine", "templates"}
WRITES = {
    "save",
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "delete",
    "get_or_create",
    "update_or_create",
    "select_for_update",
    "execute",
}


def _domain_modules() -> list[str]:
    names = []
    for app in DOMAIN_APPS:
        for path in sorted(app.rglob("*.py")):
            rel = path.relative_to(app)
            if SKIPPED_DIRS & set(rel.parts) or path.name in NOT_DOMAIN_LOGIC:
                continue
            if path.name == "__init__.py":
                continue
            module = path.relative_to(ROOT).with_suffix("")
            parts = module.parts[1:] if module.parts[0] == "src" else module.parts
            names.append(".".join(parts))
    # Services that live beside an adapter are services all the same.
    for path in sorted((ROOT / "src/chairside").glob("*/services.py")):
        name = f"chairside.{path.parent.name}.services"
        if name not in names:
            names.append(name)
    return names


def _calls(function: ast.AST) -> tuple[set[str], set[str]]:
    """(attribute calls like .save(), plain-name calls like _save(...))."""
    attrs, names = set(), set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                attrs.add(node.func.attr)
            elif isinstance(node.func, ast.Name):
                names.add(node.func.id)
    return attrs, names


def _writing_functions(module_source: str) -> set[str]:
    """Functions of a module that write, directly or through another
    function of the same module."""
    tree = ast.parse(module_source)
    functions = {
        node.name: _calls(node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    writing = {name for name, (attrs, _) in functions.items() if attrs & WRITES}
    changed = True
    while changed:
        changed = False
        for name, (_, called) in functions.items():
            if name not in writing and called & writing:
                writing.add(name)
                changed = True
    return writing


def _offenders(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    source = textwrap.dedent(inspect.getsource(module))
    offenders = []
    for name in sorted(_writing_functions(source)):
        if name.startswith("_"):
            continue
        function = getattr(module, name, None)
        if function is None or getattr(function, "__module__", "") != module_name:
            continue
        if getattr(function, "no_actor_reason", ""):
            continue
        parameters = inspect.signature(function).parameters
        # A selector reads (or locks) for the person reading: `user`.
        names = ("actor", "user") if module_name.endswith(".selectors") else ("actor",)
        actor = next((parameters[n] for n in names if n in parameters), None)
        if actor is None or actor.kind is not inspect.Parameter.KEYWORD_ONLY:
            offenders.append(f"{module_name}.{name}")
    return offenders


def test_the_contract_covers_the_domain():
    modules = _domain_modules()
    for expected in (
        "chairside.scheduling.appointments",
        "chairside.scheduling.resources",
        "chairside.billing.services",
        "chairside.payments.reconcile",
        "tenants.services",
    ):
        assert expected in modules
    # The write detection itself: a known writing service is found.
    source = inspect.getsource(importlib.import_module("chairside.billing.services"))
    assert "invoice_create" in _writing_functions(source)


@pytest.mark.parametrize("module_name", _domain_modules())
def test_every_service_that_changes_clinic_data_takes_the_actor(module_name):
    offenders = _offenders(module_name)
    assert not offenders, (
        "these change clinic data without a keyword-only `actor` (or a "
        "@no_actor reason):\n  " + "\n  ".join(offenders)
    )


# --- adapters do not re-check ------------------------------------------------

API_MODULES = [
    *sorted((ROOT / "src/chairside").glob("*/api.py")),
    ROOT / "tenants/api.py",
]


def _permission_checks(path: Path) -> list[str]:
    """Where an API router decides a permission itself: a call to `ensure`
    (or `ensure_system`), or an import of a policies module (or of a name
    from one): a router that can read a policy will, one day, allow with it.
    What a caller is shown is the schemas' business (schemas.py)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name in {"ensure", "ensure_system"}:
                found.append(f"line {node.lineno}: calls {name}()")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = {alias.name for alias in node.names}
            if module.endswith("policies") or "policies" in names:
                found.append(f"line {node.lineno}: imports from {module} {names}")
        elif isinstance(node, ast.Import):
            found.extend(
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name.endswith(".policies")
            )
    return found


def test_the_router_check_sees_a_permission_check(tmp_path):
    router = tmp_path / "api.py"
    router.write_text(
        "from chairside.billing import policies\n"
        "from chairside.accounts.policies import ensure\n"
        "def create(request):\n"
        "    ensure(policies.can_create_invoice(request.auth))\n"
    )
    assert len(_permission_checks(router)) == 3
    router.write_text("from chairside.billing import selectors, services\n")
    assert _permission_checks(router) == []


@pytest.mark.parametrize(
    "path", API_MODULES, ids=[str(p.relative_to(ROOT)) for p in API_MODULES]
)
def test_api_routers_leave_permissions_to_the_services(path):
    checks = _permission_checks(path)
    assert not checks, (
        f"{path.relative_to(ROOT)} checks permissions itself; move the check "
        "into the service or selector it calls:\n  " + "\n  ".join(checks)
    )
