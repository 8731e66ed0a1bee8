"""Finding Odoo: a clear way forward when there is none, or the wrong one."""

import os
import sys

import pytest

from tools.odoo_locator import OdooNotFound, locate


def fake_odoo(folder, version_info):
    package = folder / "odoo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "release.py").write_text(f"version_info = {version_info!r}\n")
    (folder / "odoo-bin").write_text("")
    return folder


def test_odoo_path_without_odoo_bin_says_how_to_provide_odoo(tmp_path):
    with pytest.raises(OdooNotFound) as raised:
        locate(environ={"ODOO_PATH": str(tmp_path)})
    message = str(raised.value)
    assert f"ODOO_PATH={tmp_path} is not an Odoo source tree" in message
    assert "pip install" in message and "export ODOO_PATH=" in message


def test_python_without_odoo_says_how_to_provide_odoo(tmp_path):
    shadow = tmp_path / "odoo"  # an `odoo` that hides any installed one and cannot be imported
    shadow.mkdir()
    (shadow / "__init__.py").write_text("raise ImportError('no Odoo here')\n")
    with pytest.raises(OdooNotFound) as raised:
        locate(environ={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert "No Odoo 19 was found" in str(raised.value)
    assert sys.executable in str(raised.value)


def test_another_odoo_version_is_refused(tmp_path):
    tree = fake_odoo(tmp_path, (18, 0, 0, "final", 0, ""))
    with pytest.raises(OdooNotFound) as raised:
        locate(environ={**os.environ, "ODOO_PATH": str(tree)})
    assert "is Odoo 18.0, this suite needs 19.0" in str(raised.value)


def test_odoo_19_without_the_pos_is_refused(tmp_path):
    tree = fake_odoo(tmp_path, (19, 0, 0, "final", 0, ""))
    with pytest.raises(OdooNotFound) as raised:
        locate(environ={**os.environ, "ODOO_PATH": str(tree)})
    assert "lacks the core addons account, mail, portal, point_of_sale, pos_loyalty, survey" in str(raised.value)


def test_source_tree_gives_its_addons_and_the_repository(tmp_path):
    tree = fake_odoo(tmp_path, (19, 0, 0, "final", 0, ""))
    for name in ("account", "mail", "portal", "point_of_sale", "pos_loyalty", "survey"):
        (tree / "addons" / name).mkdir(parents=True)
    found = locate(environ={**os.environ, "ODOO_PATH": str(tree)})
    assert found.addons_path[0] == tree / "addons"
    assert (found.addons_path[-1] / "stored_value_crm").is_dir()
    assert found.environ()["PYTHONPATH"].split(os.pathsep)[0] == str(tree)
