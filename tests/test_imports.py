"""The engine, the file layer and the command line load no Qt at import time (they run headless)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_PREFIXES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "pyqtgraph")


@pytest.mark.parametrize("module", ["rnnviz.core", "rnnviz.io", "rnnviz.cli", "rnnviz.app.config", "rnnviz.checker.run",
                                    "rnnviz.checker.child"])
def test_module_imports_without_qt(module):
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert module in loaded
    qt = [m for m in loaded if m.split(".")[0] in QT_PREFIXES]
    assert not qt, f"importing {module} loaded Qt modules: {qt[:5]}"
