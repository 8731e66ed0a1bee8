"""Reading Odoo's test log: counts, skipped tours, and what makes an install log unclean."""

from tools.run_tests import analyse_odoo_log

PREFIX = "2026-11-23 09:00:00,000 42"


def test_counts_and_unclean_records():
    log = [
        f"{PREFIX} INFO db odoo.modules.loading: loading stored_value_crm/views/x.xml",
        f"{PREFIX} WARNING db odoo.models: stored.value.card: two fields have the same label",
        f"{PREFIX} WARNING db odoo.addons.base.models.ir_actions_report: wkhtmltopdf is old",
        f"{PREFIX} INFO db odoo.addons.stored_value_crm.tests.test_tour: skipped TestTour.test_pay : no browser",
        f"{PREFIX} ERROR db odoo.addons.stored_value_crm.tests.test_x: FAIL: TestX.test_y",
        "Traceback (most recent call last):",
        f"{PREFIX} ERROR db odoo.tests.result: 1 failed, 0 error(s) of 12 tests when loading database 'db'",
    ]
    summary, skipped, unclean = analyse_odoo_log(log)
    assert summary == {"failed": 1, "errors": 0, "run": 12}
    assert skipped == 1
    assert [line.split(" ", 4)[3] for line in unclean] == ["WARNING", "ERROR"]


def test_no_summary_when_odoo_stopped_early():
    summary, skipped, unclean = analyse_odoo_log([f"{PREFIX} CRITICAL db odoo.service.server: Failed to initialize"])
    assert summary is None and skipped == 0 and len(unclean) == 1
