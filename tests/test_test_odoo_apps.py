"""`make test-odoo-apps`: reading Odoo's log of its apps' suites, and telling our regressions from the tree's own."""

from tools import test_odoo_apps
from tools.odoo_locator import REPO, OdooNotFound

PREFIX = "2026-11-23 09:00:00,000 42"


def test_failures_and_skips_are_named_by_addon_and_test():
    log = [
        f"{PREFIX} INFO db odoo.addons.pos_loyalty.tests.test_frontend: Starting TestUi.test_a ...",
        f"{PREFIX} ERROR db odoo.addons.pos_loyalty.tests.test_frontend: FAIL: TestUi.test_a",
        "Traceback (most recent call last):",
        f"{PREFIX} ERROR db odoo.addons.loyalty.tests.test_loyalty: ERROR: Subtest TestLoyalty.test_b (case=1)",
        f"{PREFIX} ERROR db odoo.addons.loyalty.tests.test_loyalty: FAIL: TestLoyalty.test_b",
        f"{PREFIX} INFO db odoo.addons.pos_loyalty.tests.test_frontend: skipped TestUi.test_c : no browser",
        f"{PREFIX} ERROR db odoo.addons.base.models.ir_cron: an error that is no test's",
        f"{PREFIX} ERROR db odoo.tests.result: 2 failed, 1 error(s) of 40 tests when loading database 'db'",
    ]
    summary, failures, skips = test_odoo_apps.read_results(log)
    assert summary == {"failed": 2, "errors": 1, "run": 40}
    assert failures == ["loyalty: TestLoyalty.test_b", "pos_loyalty: TestUi.test_a"]
    assert skips == [("pos_loyalty: TestUi.test_c", "no browser")]


def test_each_failure_says_whether_it_is_on_purpose_the_tree_s_own_or_a_regression():
    failures = ["loyalty: TestLoyalty.test_b", "pos_loyalty: TestUi.test_a", "survey: TestSurvey.test_c"]
    intended = {"survey: TestSurvey.test_c": "we refuse what Odoo trusts"}
    labelled = test_odoo_apps.label_failures(failures, intended, {"loyalty: TestLoyalty.test_b"})
    assert labelled == [
        ("loyalty: TestLoyalty.test_b", "also fails without the suite", False),
        ("pos_loyalty: TestUi.test_a", "REGRESSION: passes without the suite", True),
        ("survey: TestSurvey.test_c", "on purpose: we refuse what Odoo trusts", False),
    ]
    flaky = test_odoo_apps.label_failures(failures[1:2], {}, set(), {"pos_loyalty: TestUi.test_a"})
    assert flaky == [("pos_loyalty: TestUi.test_a", "passed when run again alone", False)]


def test_the_differences_on_purpose_are_read_from_the_readme_section_only():
    readme = "\n".join(
        [
            "## Compatibility",
            "- `loyalty: TestLoyalty.test_elsewhere` — not in the section",
            "### Where the suite differs from Odoo on purpose",
            "Some words.",
            "- `pos_loyalty: TestUi.test_refund_does_not_decrease_points` — a return takes its points back",
            "- `sale_loyalty: TestLoyalty.test_x`: reason two",
            "## Performance",
            "- `survey: TestSurvey.test_after` — after the section",
        ]
    )
    assert test_odoo_apps.intended_differences(readme) == {
        "pos_loyalty: TestUi.test_refund_does_not_decrease_points": "a return takes its points back",
        "sale_loyalty: TestLoyalty.test_x": "reason two",
    }


def test_the_readme_lists_each_difference_with_a_reason():
    differences = test_odoo_apps.intended_differences((REPO / "README.md").read_text())
    assert differences, "the README names the Odoo tests whose rule the suite changes on purpose"
    assert all(len(reason.split()) >= 5 for reason in differences.values())


def test_a_failure_is_rerun_alone_by_its_tag():
    assert test_odoo_apps.tag_of("pos_loyalty: TestUi.test_a") == "/pos_loyalty:TestUi.test_a"


def test_without_odoo_it_says_it_did_not_run(monkeypatch, capsys):
    def no_odoo():
        raise OdooNotFound("No Odoo 19 was found.")

    monkeypatch.setattr(test_odoo_apps, "locate", no_odoo)
    assert test_odoo_apps.main([]) == 2
    output = capsys.readouterr().out
    assert "ODOO APPS' SUITES NOT RUN" in output and "No Odoo 19 was found." in output
    assert output.rstrip().splitlines()[-1].startswith("0 passed, 0 failed, 4 skipped")
