"""The core reads no clock: now is passed in (DESIGN.md section 1).

The core modules are those of the import-linter contract that forbids the core any backend or
I/O library (pyproject.toml), so this test and the contract can never drift apart.
"""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

CONTRACT = "The core imports no backend, no I/O library"


def core_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["name"] == CONTRACT:
            return list(contract["source_modules"])
    raise AssertionError(f"pyproject.toml has no import-linter contract {CONTRACT!r}")


def clock_reads(source: str) -> list[str]:
    """Each call of ``.now(``, ``.today(``, ``.utcnow(`` or ``time.time(``/``monotonic(``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            owner = node.func.value
            if name in ("now", "today", "utcnow"):
                found.append(f"line {node.lineno}: .{name}(")
            elif name in ("time", "monotonic", "perf_counter", "time_ns") and (
                isinstance(owner, ast.Name) and owner.id == "time"
            ):
                found.append(f"line {node.lineno}: time.{name}(")
    return found


def test_the_core_list_is_not_empty():
    assert {"focuscal.model", "focuscal.metrics", "focuscal.planner",
            "focuscal.teamstats"} <= set(core_modules())


@pytest.mark.parametrize("module", core_modules())
def test_core_module_reads_no_clock(module):
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin, module
    assert clock_reads(Path(spec.origin).read_text(encoding="utf-8")) == []


def test_the_check_finds_clock_reads():
    sample = "import time\nfrom datetime import date, datetime\n" \
             "a = datetime.now()\nb = date.today()\nc = time.time()\nd = time.monotonic()\n"
    assert clock_reads(sample) == ["line 3: .now(", "line 4: .today(", "line 5: time.time(",
                                   "line 6: time.monotonic("]
