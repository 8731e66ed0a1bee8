"""The tools and benchmarks import nothing of Odoo until they have found it.

``ODOO_PATH`` makes Odoo importable only in the processes the tools start (or, for a benchmark, in the
process :func:`bench.harness.main` starts again), so an ``import odoo`` at the top of any module of
``bench/`` or ``tools/`` breaks ``ODOO_PATH=... make bench-*`` before Odoo is found. These tests pass
with or without an Odoo installed.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

MODULES = sorted(
    f"{folder}.{path.stem}" if path.stem != "__init__" else folder
    for folder in ("bench", "tools")
    for path in (REPO / folder).glob("*.py")
)
BENCHMARKS = ("bench.pos_sync", "bench.replay", "bench.wallet_contention", "bench.bulk_recompute")

# Imports every module with `odoo` made unimportable; prints what failed and what reached for Odoo.
IMPORT_ALL = """
import importlib, json, sys

class NoOdoo:
    attempts = []

    def find_spec(self, name, path=None, target=None):
        if name == "odoo" or name.startswith("odoo."):
            self.attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)
        return None

blocker = NoOdoo()
sys.meta_path.insert(0, blocker)
sys.path.insert(0, sys.argv[1])
failed = {}
for module in sys.argv[2:]:
    try:
        importlib.import_module(module)
    except Exception as error:
        failed[module] = f"{type(error).__name__}: {error}"
attempts = list(blocker.attempts)
try:
    import odoo  # noqa: F401
    blocked = False
except ModuleNotFoundError:
    blocked = True
loaded = sorted(name for name in sys.modules if name == "odoo" or name.startswith("odoo."))
print(json.dumps({"failed": failed, "attempts": attempts, "loaded": loaded, "blocked": blocked}))
"""


def without_odoo_path():
    return {key: value for key, value in os.environ.items() if key not in ("ODOO_PATH", "SVC_BENCH_REEXEC")}


def test_the_modules_are_found():
    assert "bench.harness" in MODULES and "bench.shop" in MODULES and "tools.odoo_locator" in MODULES
    assert set(BENCHMARKS) <= set(MODULES)


def test_every_module_of_bench_and_tools_imports_without_odoo():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, str(REPO), *MODULES],
        env=without_odoo_path(),
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["blocked"], "the test's blocker let `import odoo` through"
    assert found["failed"] == {}
    assert found["attempts"] == [], "imported at module level, before Odoo is found"
    assert found["loaded"] == []


@pytest.mark.parametrize("module", BENCHMARKS)
@pytest.mark.parametrize("provided", ["nothing", "a folder that is not an Odoo tree"])
def test_a_benchmark_without_odoo_says_how_to_provide_it(tmp_path, module, provided):
    environ = without_odoo_path()
    if provided == "nothing":
        shadow = tmp_path / "odoo"  # an `odoo` that hides any installed one and cannot be imported
        shadow.mkdir()
        (shadow / "__init__.py").write_text("raise ImportError('no Odoo here')\n")
        environ["PYTHONPATH"] = str(tmp_path)
    else:
        environ["ODOO_PATH"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Benchmarks need Odoo 19." in done.stderr
    assert "No Odoo 19 was found" in done.stderr and "export ODOO_PATH=" in done.stderr
    if provided != "nothing":
        assert f"ODOO_PATH={tmp_path} is not an Odoo source tree" in done.stderr
