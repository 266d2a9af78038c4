"""Only competition.tui imports textual, only competition.web the web stack; the CLI stays light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("competition", "hardware", "courses", "results", "commands")
WEB_STACK = ("starlette", "uvicorn", "sse_starlette", "fastapi")


def _modules() -> list[str]:
    names: list[str] = []
    for package in PACKAGES:
        names.append(package)
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            if info.name.startswith("competition.tui"):
                continue
            names.append(info.name)
    return sorted(names)


def _loaded_after_import(module: str, *watched: str) -> list[str]:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"print(','.join(m for m in {watched!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_every_core_module_is_found() -> None:
    mods = _modules()
    assert "competition.timing" in mods and "hardware.supervisor" in mods and "results.standings" in mods
    assert not any(m.startswith("competition.tui") for m in mods)


@pytest.mark.parametrize("module", _modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    """No module but the app's loads textual; none but the venue server's loads the web stack."""
    loaded = _loaded_after_import(module, "textual", *WEB_STACK)
    if module.startswith("competition.web"):
        loaded = [m for m in loaded if m not in WEB_STACK]
    assert loaded == []


def test_no_web_stack_import_statement_outside_web() -> None:
    offenders = []
    files = [ROOT / "main.py", *(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))]
    for path in files:
        parts = path.relative_to(ROOT).parts
        if parts[:2] == ("competition", "web"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(tuple(f"{kw} {m}" for m in WEB_STACK for kw in ("import", "from"))):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_no_textual_import_statement_outside_tui() -> None:
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "tui" in path.relative_to(ROOT).parts[:2]:
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                stripped = line.strip()
                if stripped.startswith(("import textual", "from textual")):
                    offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []


def test_cli_help_is_light() -> None:
    code = (
        "import sys, main\n"
        "print(','.join(m for m in ('textual', 'jinja2', 'openpyxl', 'serial', 'pydantic', 'sqlite_utils',"
        " 'starlette', 'uvicorn', 'segno') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_the_event_core_never_reaches_up_into_results() -> None:
    """Arrows point down: results uses competition, never the other way (the faces may use both)."""
    offenders = []
    for path in (ROOT / "competition").rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[:2] in (("competition", "tui"), ("competition", "web")):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("from results", "import results")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []
