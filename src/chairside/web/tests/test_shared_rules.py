"""Scheduling's numbers are written once (scheduling/rules.py, the
SchedulingSettings validators): the pages, the portal, their templates and
scripts take them from there. A literal bound in one of them is a copy that
drifts the day the rule changes (the length bounds were once written nine
times)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from chairside.scheduling import rules

ROOT = Path(__file__).resolve().parents[4]
SRC = ROOT / "src/chairside"
# The duration bounds and the settings' upper bounds.
BOUNDS = {
    rules.MIN_DURATION_MINUTES,
    rules.MAX_DURATION_MINUTES,
    rules.DEFAULT_DURATION_MINUTES,
    rules.MAX_CANCELLATION_WINDOW_HOURS,
    rules.DEFAULT_MAX_ONLINE_DURATION_MINUTES,
    rules.MAX_FUTURE_ONLINE_BOOKINGS,
}
# Never a reasonable number for anything else on these pages.
UNMISTAKABLE = {rules.MAX_DURATION_MINUTES, rules.MAX_CANCELLATION_WINDOW_HOURS}
# Keyword arguments that are a bound whenever they are a literal.
BOUND_KEYWORDS = {"min_value", "max_value", "duration_minutes"}


def _python_copies(root: Path) -> list[str]:
    found = []
    for package in ("web", "portal"):
        for path in sorted((root / "src/chairside" / package).rglob("*.py")):
            if "tests" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                value = None
                if isinstance(node, ast.keyword) and node.arg in BOUND_KEYWORDS:
                    value = getattr(node.value, "value", None)
                    value = value if value in BOUNDS else None
                elif isinstance(node, ast.Constant) and node.value in UNMISTAKABLE:
                    value = node.value
                elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                    factors = {
                        getattr(side, "value", 0) for side in (node.left, node.right)
                    }
                    value = "14 * 24" if factors == {14, 24} else None
                if value is not None and not isinstance(value, bool):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {value}")
    return found


# In a template or script: an unmistakable number, or on a line about a
# visit's length a literal min/max/value attribute or a Math.min/max.
UNMISTAKABLE_RE = re.compile(
    r"(?<![\w.#-])(?:" + "|".join(map(str, sorted(UNMISTAKABLE))) + r")(?![\w.])"
)
LENGTH_RE = re.compile(r"duration", re.IGNORECASE)
LITERAL_BOUND_RE = re.compile(
    r"""\b(?:min|max|value)=["']?\d|Math\.(?:min|max)\(\s*\d"""
)


def _page_copies(root: Path) -> list[str]:
    found = []
    files = [*sorted((root / "templates").rglob("*.html"))]
    files += sorted((root / "static/js").rglob("*.js"))
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            length_bound = LENGTH_RE.search(line) and LITERAL_BOUND_RE.search(line)
            if UNMISTAKABLE_RE.search(line) or length_bound:
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return found


def test_no_page_or_portal_code_writes_a_scheduling_bound_again():
    assert _python_copies(ROOT) == []


def test_no_template_or_script_writes_a_scheduling_bound_again():
    assert _page_copies(ROOT) == []
