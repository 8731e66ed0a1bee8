from odoo.tests import no_retry, tagged

from odoo.addons.stored_value_crm.tests.hoot_suite import HootSuiteCase


@tagged("post_install", "-at_install")
class TestPosUnitJs(HootSuiteCase):
    """The Hoot unit tests of the POS complaint button and the survey QR code on receipts (static/tests/unit)."""

    @no_retry
    def test_pos_unit_js(self):
        self.run_hoot_suite("customer_feedback")
