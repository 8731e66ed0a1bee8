from odoo.tests import no_retry, tagged

from .hoot_suite import HootSuiteCase


@tagged("post_install", "-at_install")
class TestPosUnitJs(HootSuiteCase):
    """The Hoot unit tests of the POS card payment, card choice and top-up (static/tests/unit)."""

    @no_retry
    def test_pos_unit_js(self):
        self.run_hoot_suite("stored_value_crm")
