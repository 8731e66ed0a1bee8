"""`make pot`: regenerate each addon's .pot from its code, and merge it into zh_CN.po.

The addons are installed in a scratch database, Odoo exports the templates, and
zh_CN.po keeps its translations for the terms that remain; new terms come in
untranslated, and `make test` reports them until they are translated.
"""

import argparse
import os
import re
import subprocess
import sys

import polib

from . import postgres
from .odoo_locator import ADDONS, REPO, OdooNotFound, locate
from .odoo_session import OdooSession
from .run_tests import tool

# Another checkout (a worktree) can export beside this one under its own name.
DBNAME = os.environ.get("I18N_DB", "stored_value_i18n")


DATED_HEADER = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*$', re.MULTILINE)


def keep_unchanged_template(addon, previous):
    """Put back the committed .pot when only its dates changed, so that commits show real changes."""
    path = REPO / addon / "i18n" / f"{addon}.pot"
    if previous is not None and DATED_HEADER.sub("", previous) == DATED_HEADER.sub("", path.read_text()):
        path.write_text(previous)


def merge_into_chinese(addon):
    template_path = REPO / addon / "i18n" / f"{addon}.pot"
    chinese_path = REPO / addon / "i18n" / "zh_CN.po"
    if chinese_path.exists():
        chinese = polib.pofile(str(chinese_path), wrapwidth=78)
        chinese.merge(polib.pofile(str(template_path)))
        # Terms the code no longer has are dropped, not kept as obsolete history.
        for entry in chinese.obsolete_entries():
            chinese.remove(entry)
    else:
        chinese = polib.pofile(str(template_path), wrapwidth=78)
    chinese.metadata.update({"Language": "zh_CN", "Plural-Forms": "nplurals=1; plural=0;"})
    chinese.save(str(chinese_path))
    return len(chinese.untranslated_entries()) + len(chinese.fuzzy_entries())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addons", default=",".join(ADDONS))
    addons = [name for name in parser.parse_args(argv).addons.split(",") if name]
    try:
        odoo = locate()
    except OdooNotFound as error:
        sys.exit(str(error))
    session = OdooSession(odoo, postgres.find_server(), "i18n", db_name=DBNAME)
    session.drop_database(DBNAME)
    templates = {addon: REPO / addon / "i18n" / f"{addon}.pot" for addon in addons}
    previous = {addon: path.read_text() if path.exists() else None for addon, path in templates.items()}
    if session.run("-d", DBNAME, "-i", ",".join(addons), "--stop-after-init", "--no-http"):
        sys.exit("Installing the addons failed: see the log above.")
    if session.run("i18n", "export", "-d", DBNAME, *addons):
        sys.exit("Exporting the templates failed: see the log above.")
    session.drop_database(DBNAME)
    for addon in addons:
        keep_unchanged_template(addon, previous[addon])
        missing = merge_into_chinese(addon)
        print(f"{addon}: .pot regenerated; zh_CN.po lacks {missing} translations")
    # The files take the layout OCA's po checks expect (what its pre-commit hook would rewrite).
    catalogs = [str(path) for addon in addons for path in sorted((REPO / addon / "i18n").glob("*.po*"))]
    subprocess.run([tool("oca-checks-po"), "--fix", *catalogs], check=False)


if __name__ == "__main__":
    main()
