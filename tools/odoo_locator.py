"""Find the Odoo 19 the project runs against.

Two ways are accepted, in this order:

* ``ODOO_PATH`` names an Odoo 19 source tree (the folder holding ``odoo-bin``);
* otherwise the ``odoo`` package importable in the Python that runs the tools.

Odoo is probed in a child process, so these tools import nothing of Odoo themselves.
"""

import ast
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDONS = ("stored_value_crm", "loyalty_tiers", "customer_feedback")
# Core addons the suite depends on; an Odoo without them cannot install it.
REQUIRED_CORE_ADDONS = ("account", "mail", "portal", "point_of_sale", "pos_loyalty", "survey")

HOW_TO_PROVIDE = """\
No Odoo 19 was found{reason}.

Provide one of these, then run the command again:
  1. Odoo 19.0 installed in the Python that `make` uses ({python}):
       pip install https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz
     (the official 19.0 source archive; it brings Odoo's own requirements).
  2. An Odoo 19.0 source tree (a clone or unpacked archive of odoo/odoo, branch 19.0):
       export ODOO_PATH=/path/to/odoo      # the folder that holds odoo-bin
     `make` then installs that tree's requirements.txt into the project's .venv.
     Building those requirements needs Debian's libpq-dev, libldap2-dev and libsasl2-dev.
"""

_PROBE = """
import json, os, odoo, odoo.release
package = os.path.dirname(os.path.abspath(odoo.release.__file__))
print(json.dumps({"version_info": list(odoo.release.version_info[:2]), "package": package}))
"""


def read_manifest(addon):
    """The manifest of the addon in folder ``addon``, read without importing it."""
    return ast.literal_eval((Path(addon) / "__manifest__.py").read_text(encoding="utf-8"))


class OdooNotFound(Exception):
    """No usable Odoo 19: the message says how to provide one."""


@dataclass
class Odoo:
    """An Odoo 19 found on this machine, and how to start it."""

    python: str
    package_dir: Path
    addons_path: list = field(default_factory=list)
    pythonpath: str = ""
    origin: str = ""

    def environ(self):
        env = dict(os.environ)
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [self.pythonpath, env.get("PYTHONPATH")]))
        return env

    def command(self, *args):
        """The command line running ``odoo-bin`` with ``args``."""
        return [self.python, "-m", "odoo", *args]


def _not_found(reason, python):
    return OdooNotFound(HOW_TO_PROVIDE.format(reason=f" ({reason})" if reason else "", python=python))


def locate(python=None, environ=None):
    """Return the :class:`Odoo` to use, or raise :class:`OdooNotFound`."""
    python = python or sys.executable
    environ = os.environ if environ is None else environ
    pythonpath = ""
    origin = f"the `odoo` package of {python}"
    odoo_path = environ.get("ODOO_PATH")
    if odoo_path:
        tree = Path(odoo_path).expanduser().resolve()
        if not (tree / "odoo-bin").is_file() or not (tree / "odoo" / "release.py").is_file():
            raise _not_found(f"ODOO_PATH={odoo_path} is not an Odoo source tree: it has no odoo-bin", python)
        pythonpath = str(tree)
        origin = f"the source tree ODOO_PATH={tree}"
    probe_env = dict(environ)
    if pythonpath:
        probe_env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, probe_env.get("PYTHONPATH")]))
    probe = subprocess.run([python, "-c", _PROBE], env=probe_env, capture_output=True, text=True, check=False, cwd="/")
    if probe.returncode != 0:
        last_line = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
        raise _not_found(f"{origin}: {last_line}", python)
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    if found["version_info"][0] != 19:
        version = ".".join(map(str, found["version_info"]))
        raise _not_found(f"{origin} is Odoo {version}, this suite needs 19.0", python)
    package_dir = Path(found["package"])
    addons_path = _core_addons_dirs(package_dir)
    missing = [name for name in REQUIRED_CORE_ADDONS if not any((d / name).is_dir() for d in addons_path)]
    if missing:
        raise _not_found(f"{origin} lacks the core addons {', '.join(missing)}", python)
    return Odoo(
        python=python,
        package_dir=package_dir,
        addons_path=[*addons_path, REPO],
        pythonpath=pythonpath,
        origin=origin,
    )


def _core_addons_dirs(package_dir):
    """Folders holding Odoo's addons.

    An installed release archive keeps them in ``odoo/addons``; a source tree keeps
    all but ``base`` in ``addons/`` beside the ``odoo`` package.
    """
    folders = [package_dir / "addons"]
    beside = package_dir.parent / "addons"
    if (beside / "point_of_sale").is_dir():
        folders.insert(0, beside)
    return folders


if __name__ == "__main__":
    try:
        odoo = locate()
    except OdooNotFound as error:
        sys.exit(str(error))
    print(f"Odoo 19 from {odoo.origin}\naddons path: {','.join(map(str, odoo.addons_path))}")
