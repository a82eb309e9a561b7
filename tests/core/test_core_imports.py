"""``core`` never imports Qt: every module under it imports in a fresh interpreter with
PySide6, shiboken6, pyqtgraph and superqt left out of ``sys.modules``.

A fresh interpreter because this test process has Qt loaded by the GUI tests (and by
``tests/conftest.py``'s leak check), so ``sys.modules`` here proves nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT_PACKAGES = ("PySide6", "shiboken6", "pyqtgraph", "superqt")

IMPORT_ALL_OF_CORE = """
import importlib, json, pkgutil, sys
import core
names = ["core"]
for info in pkgutil.walk_packages(core.__path__, prefix="core."):
    importlib.import_module(info.name)
    names.append(info.name)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {qt!r})
print(json.dumps({{"imported": names, "qt_loaded": loaded}}))
"""


def _import_all_of_core() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL_OF_CORE.format(qt=set(QT_PACKAGES))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_importing_every_core_module_loads_no_qt_package():
    report = _import_all_of_core()
    on_disk = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "core").rglob("*.py")
    }
    assert set(report["imported"]) == on_disk  # the walk reached every module
    assert report["qt_loaded"] == []
