"""Checks of the addons' files that need no running Odoo.

Each check takes the repository root and returns a list of problems (empty: passed).
"""

import ast
import csv
import re
from pathlib import Path
from xml.etree import ElementTree

import polib

from .addon_readme import stale_readmes
from .odoo_locator import ADDONS, read_manifest

# What each addon must depend on (the suite's chain and the Odoo apps it builds on); it may add more.
REQUIRED_DEPENDS = {
    "stored_value_crm": {"point_of_sale", "account", "mail", "portal"},
    "loyalty_tiers": {"stored_value_crm", "pos_loyalty"},
    "customer_feedback": {"loyalty_tiers", "survey"},
}
REQUIRED_MANIFEST_KEYS = ("name", "version", "license", "category", "summary", "author", "website", "depends")
VERSION_FORMAT = re.compile(r"^19\.0\.\d+\.\d+\.\d+$")
XML_ID_TAGS = ("record", "template", "menuitem", "asset")
# Markup that Odoo 17+ no longer reads: a view using it loads but does not behave.
REMOVED_VIEW_MARKUP = (
    (re.compile(r"<tree[\s/>]"), "<tree> (use <list>)"),
    (re.compile(r"\sattrs="), "attrs= (use invisible/readonly/required expressions)"),
    (re.compile(r"\sstates="), "states= (use an invisible expression)"),
)


def addon_dirs(root):
    return [root / name for name in ADDONS if (root / name).is_dir()]


def _files(addon, pattern):
    return sorted(path for path in addon.rglob(pattern) if "node_modules" not in path.parts)


def check_manifests(root):
    problems = []
    missing_addons = [name for name in ADDONS if not (root / name / "__manifest__.py").is_file()]
    problems += [f"{name}: no __manifest__.py" for name in missing_addons]
    for addon in addon_dirs(root):
        if addon.name in missing_addons:
            continue
        try:
            manifest = read_manifest(addon)
        except (SyntaxError, ValueError) as error:
            problems.append(f"{addon.name}/__manifest__.py: not a Python literal ({error})")
            continue
        problems += [f"{addon.name}: manifest lacks {key!r}" for key in REQUIRED_MANIFEST_KEYS if not manifest.get(key)]
        if not VERSION_FORMAT.match(str(manifest.get("version", ""))):
            problems.append(f"{addon.name}: version {manifest.get('version')!r} is not 19.0.x.y.z")
        if manifest.get("license") != "LGPL-3":
            problems.append(f"{addon.name}: license {manifest.get('license')!r}, expected 'LGPL-3'")
        if not manifest.get("installable", True):
            problems.append(f"{addon.name}: not installable")
        depends = set(manifest.get("depends", ()))
        missing = REQUIRED_DEPENDS[addon.name] - depends
        if missing:
            problems.append(f"{addon.name}: depends {sorted(depends)}, lacks {sorted(missing)}")
        later = depends & set(list(REQUIRED_DEPENDS)[list(REQUIRED_DEPENDS).index(addon.name) + 1 :])
        if later:
            problems.append(f"{addon.name}: depends on {sorted(later)}, which build on it")
        for key in ("data", "demo"):
            problems += [
                f"{addon.name}: manifest {key} file {name} does not exist"
                for name in manifest.get(key, ())
                if not (addon / name).is_file()
            ]
        if not (addon / "readme" / "DESCRIPTION.md").is_file():
            problems.append(f"{addon.name}: no readme/DESCRIPTION.md")
    return problems


def check_readmes(root):
    return [f"{name}/README.md is not generated from readme/ (run `make readme`)" for name in stale_readmes(root)]


def check_xml(root):
    problems = []
    for addon in addon_dirs(root):
        seen = {}
        for path in _files(addon, "*.xml"):
            relative = path.relative_to(root)
            text = path.read_text(encoding="utf-8")
            try:
                tree = ElementTree.fromstring(text)
            except ElementTree.ParseError as error:
                problems.append(f"{relative}: not well-formed ({error})")
                continue
            for element in tree.iter():
                xml_id = element.get("id")
                if element.tag not in XML_ID_TAGS or not xml_id:
                    continue
                if xml_id in seen:
                    problems.append(f"{relative}: xml id {xml_id!r} already defined in {seen[xml_id]}")
                else:
                    seen[xml_id] = relative
            if "static" not in path.relative_to(addon).parts:
                for pattern, what in REMOVED_VIEW_MARKUP:
                    if pattern.search(text):
                        problems.append(f"{relative}: uses {what}")
    return problems


def defined_models(addon):
    """The models an addon creates (``_name`` on a Model or TransientModel, not an extension)."""
    models = {}
    for path in _files(addon, "*.py"):
        if "tests" in path.relative_to(addon).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(base, "attr", getattr(base, "id", "")) for base in node.bases}
            if not bases & {"Model", "TransientModel"}:
                continue
            attributes = {
                target.id: statement.value
                for statement in node.body
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name)
            }
            name = attributes.get("_name")
            if not isinstance(name, ast.Constant):
                continue
            inherit = attributes.get("_inherit")
            inherited = (
                {inherit.value}
                if isinstance(inherit, ast.Constant)
                else {item.value for item in getattr(inherit, "elts", ()) if isinstance(item, ast.Constant)}
            )
            if name.value not in inherited:
                models[name.value] = path.relative_to(addon.parent)
    return models


def check_access_rules(root):
    problems = []
    for addon in addon_dirs(root):
        models = defined_models(addon)
        access_file = addon / "security" / "ir.model.access.csv"
        covered = set()
        if access_file.is_file():
            with access_file.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    reference = (row.get("model_id:id") or "").split(".")[-1]
                    covered.add(reference.removeprefix("model_"))
        problems += [
            f"{addon.name}: model {model} ({path}) has no row in security/ir.model.access.csv"
            for model, path in sorted(models.items())
            if model.replace(".", "_") not in covered
        ]
    return problems


def check_translations(root):
    """Every .po/.pot parses, and each addon's zh_CN.po translates every term of its .pot."""
    problems = []
    for addon in addon_dirs(root):
        catalogs = {}
        for path in _files(addon / "i18n", "*.po*") if (addon / "i18n").is_dir() else []:
            try:
                catalogs[path.name] = polib.pofile(str(path), check_for_duplicates=True)
            except (OSError, ValueError) as error:
                problems.append(f"{path.relative_to(root)}: does not parse ({error})")
        template = catalogs.get(f"{addon.name}.pot")
        chinese = catalogs.get("zh_CN.po")
        if template is None:
            problems.append(f"{addon.name}: no i18n/{addon.name}.pot (run `make pot`)")
            continue
        if chinese is None:
            problems.append(f"{addon.name}: no i18n/zh_CN.po")
            continue
        translated = {(entry.msgctxt, entry.msgid) for entry in chinese.translated_entries()}
        untranslated = [entry.msgid for entry in template if (entry.msgctxt, entry.msgid) not in translated]
        problems += [f"{addon.name}: zh_CN.po does not translate {msgid!r}" for msgid in untranslated]
        problems += [f"{addon.name}: zh_CN.po marks {entry.msgid!r} fuzzy" for entry in chinese.fuzzy_entries()]
    return problems


CHECKS = {
    "manifests": check_manifests,
    "xml files": check_xml,
    "access rules": check_access_rules,
    "translations": check_translations,
    "addon readmes": check_readmes,
}


def run_all(root=None):
    """Yield ``(name, problems)`` for every check."""
    root = Path(root or Path(__file__).resolve().parent.parent)
    for name, check in CHECKS.items():
        yield name, check(root)
