import logging
import re

from odoo.tests import HttpCase

from odoo.addons.web.tests.test_js import unit_test_error_checker

HOOT_TEST_STARTED = re.compile(r"""\[HOOT\] Running test (["'])(.+)\1""")


def hoot_job_id(name):
    """The id by which Hoot's URL filter (``id=``) selects a suite or test, as Odoo's ``test_js`` computes it."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


class _BrowserMessages(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class HootSuiteCase(HttpCase):
    """Runs one addon's Hoot unit tests (``static/tests/unit``) in Chromium, as Odoo's ``test_unit_desktop``."""

    def run_hoot_suite(self, addon):
        """Run the Hoot tests of ``addon`` alone; fail when one fails, or when none ran."""
        suite = f"@{addon}"
        # Hoot ignores an id that matches no test and runs every addon's tests: make sure there are some.
        bundle = self.env["ir.asset"]._get_asset_paths("web.assets_unit_tests", {})
        test_files = [path for path, *_rest in bundle if path.startswith(f"/{addon}/") and path.endswith(".test.js")]
        self.assertTrue(test_files, f"{addon} lists no Hoot test (*.test.js) in web.assets_unit_tests")
        url = f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={hoot_job_id(suite)}"
        # The browser's console reaches this test's logger: read which tests started.
        handler = _BrowserMessages()
        self._logger.addHandler(handler)
        try:
            self.browser_js(
                url,
                "",
                "",
                login="admin",
                timeout=1800,
                success_signal="[HOOT] Test suite succeeded",
                error_checker=unit_test_error_checker,
            )
        finally:
            self._logger.removeHandler(handler)
        started = [match[2] for match in map(HOOT_TEST_STARTED.search, handler.messages) if match]
        self.assertTrue(started, f"No Hoot test of {suite} ran in the browser")
        others = [name for name in started if not name.startswith(f"{suite}/")]
        self.assertFalse(others, f"Hoot ran tests of other addons than {addon}")
        self._logger.info("%s Hoot tests of %s passed", len(started), suite)
        return started
