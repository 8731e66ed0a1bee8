"""The static checks of `make test` pass on the addons and catch what they are meant to catch."""

import re

import pytest

from tools import static_checks


@pytest.mark.parametrize("name", list(static_checks.CHECKS))
def test_the_addons_pass(suite_copy, name):
    assert static_checks.CHECKS[name](suite_copy) == []


def test_wrong_dependency_chain_is_reported(suite_copy):
    manifest = suite_copy / "loyalty_tiers" / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"stored_value_crm"', '"sale"'))
    assert any("loyalty_tiers: depends" in problem for problem in static_checks.check_manifests(suite_copy))


def test_dependency_on_a_later_addon_is_reported(suite_copy):
    manifest = suite_copy / "stored_value_crm" / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"depends": [', '"depends": ["customer_feedback", '))
    problems = static_checks.check_manifests(suite_copy)
    assert any("stored_value_crm: depends on ['customer_feedback']" in problem for problem in problems)


def test_more_odoo_dependencies_are_allowed(suite_copy):
    manifest = suite_copy / "customer_feedback" / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"survey"', '"survey", "sale"'))
    assert static_checks.check_manifests(suite_copy) == []


def test_bad_version_and_license_are_reported(suite_copy):
    manifest = suite_copy / "customer_feedback" / "__manifest__.py"
    text = re.sub(r'"version": "19\.0\.[0-9.]+"', '"version": "18.0.1.0.0"', manifest.read_text())
    manifest.write_text(text.replace("LGPL-3", "OPL-1"))
    problems = static_checks.check_manifests(suite_copy)
    assert any("is not 19.0.x.y.z" in problem for problem in problems)
    assert any("license 'OPL-1'" in problem for problem in problems)


def test_missing_data_file_is_reported(suite_copy):
    manifest = suite_copy / "customer_feedback" / "__manifest__.py"
    manifest.write_text(manifest.read_text().replace('"data": [', '"data": ["views/nowhere.xml", '))
    assert any("views/nowhere.xml does not exist" in p for p in static_checks.check_manifests(suite_copy))


def test_duplicate_xml_id_and_removed_markup_are_reported(suite_copy):
    views = suite_copy / "loyalty_tiers" / "views"
    views.mkdir(exist_ok=True)
    record = '<record id="dup_view" model="ir.ui.view"><field name="arch" type="xml"><tree/></field></record>'
    (views / "a.xml").write_text(f"<odoo>{record}</odoo>")
    (views / "b.xml").write_text(f"<odoo>{record}</odoo>")
    (views / "broken.xml").write_text("<odoo><record></odoo>")
    problems = static_checks.check_xml(suite_copy)
    assert any("'dup_view' already defined" in problem for problem in problems)
    assert any("uses <tree>" in problem for problem in problems)
    assert any("broken.xml: not well-formed" in problem for problem in problems)


def test_model_without_access_row_is_reported(suite_copy):
    models = suite_copy / "customer_feedback" / "models"
    models.mkdir(exist_ok=True)
    (models / "feedback_thing.py").write_text(
        "from odoo import models\n\n\n"
        "class FeedbackThing(models.Model):\n    _name = 'feedback.thing'\n    _description = 'Thing'\n\n\n"
        "class Partner(models.Model):\n    _name = 'res.partner'\n    _inherit = 'res.partner'\n"
    )
    problems = static_checks.check_access_rules(suite_copy)
    assert problems == [
        "customer_feedback: model feedback.thing (customer_feedback/models/feedback_thing.py) "
        "has no row in security/ir.model.access.csv"
    ]


def test_untranslated_term_is_reported(suite_copy):
    template = suite_copy / "stored_value_crm" / "i18n" / "stored_value_crm.pot"
    template.write_text(template.read_text() + '\n#. module: stored_value_crm\nmsgid "Top up"\nmsgstr ""\n')
    problems = static_checks.check_translations(suite_copy)
    assert "stored_value_crm: zh_CN.po does not translate 'Top up'" in problems


def test_unparsable_po_file_is_reported(suite_copy):
    i18n = suite_copy / "loyalty_tiers" / "i18n"
    (i18n / "zh_CN.po").write_text("this is not a po file\n")
    (i18n / "loyalty_tiers.pot").write_text('msgid "a"\nmsgstr ""\n\nmsgid "a"\nmsgstr ""\n')
    problems = static_checks.check_translations(suite_copy)
    assert any("zh_CN.po: does not parse" in problem for problem in problems)
    assert any("loyalty_tiers.pot: does not parse" in problem for problem in problems)


def test_hand_edited_readme_is_reported(suite_copy):
    readme = suite_copy / "stored_value_crm" / "README.md"
    readme.write_text(readme.read_text() + "\nedited by hand\n")
    assert static_checks.check_readmes(suite_copy) == [
        "stored_value_crm/README.md is not generated from readme/ (run `make readme`)"
    ]
