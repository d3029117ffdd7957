"""Every module imports on its own: no import cycle hides behind the order the app happens to import things in."""

import subprocess
import sys

# Run in a fresh interpreter: for each module, forget every casework module, then import that one first.
IMPORT_EACH_FIRST = """
import importlib, pkgutil, sys
import casework
names = sorted(m.name for m in pkgutil.walk_packages(casework.__path__, "casework.") if ".migrations" not in m.name)
assert "casework.cases.service" in names and "casework.workflow.slas.worker" in names, names
for name in names:
    for loaded in [m for m in sys.modules if m == "casework" or m.startswith("casework.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        print(f"{name}: {exc}")
"""


def test_every_module_imports_on_its_own():
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH_FIRST], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
