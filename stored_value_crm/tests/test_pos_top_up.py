from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StoredValuePosCommon


@tagged("post_install", "-at_install")
class TestPosTopUp(StoredValuePosCommon):
    """Top-ups sold at the POS: a deposit owed to the holder, credited with its bonus when the order arrives."""

    def test_top_up_sold_for_cash_credits_the_card_with_its_bonus(self):
        self._create_rule(100.0, 10.0)
        preview = self.card.with_user(self.pos_cashier).pos_top_up_preview(100.0)
        self.assertEqual((preview["bonus"], preview["balance_after"]), (10.0, 110.0))

        order = self.sync(self.card_order([self.top_up_line(100.0)], [(self.cash_method, 100.0)]))
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (100.0, 10.0))
        self.assertEqual(order.lines.stored_value_ledger_id.source_ref, order)
        self.sync(self.card_order([self.top_up_line(100.0)], [(self.cash_method, 100.0)], uuid=order.uuid))
        self.assertEqual(self.card.balance, 110.0, "a replayed order tops up once")

        session = self.close_session()
        revenue = session._get_related_account_moves().line_ids.filtered(
            lambda line: line.account_id.account_type == "income"
        )
        self.assertFalse(revenue, "a top-up is not revenue")
        self.assertLedgerAgrees()

    def test_a_card_cannot_top_itself_up(self):
        self.top_up(self.card, 100.0)
        with self.assertRefused("same card"):
            self.sync(self.card_order([self.top_up_line(50.0)], [(self.sv_method, 50.0)]))

    def test_top_up_product_carries_no_tax(self):
        tax = self.env["account.tax"].create({"name": "VAT 6%", "amount": 6.0, "company_id": self.company.id})
        with self.assertRaisesRegex(ValidationError, "cannot carry taxes"), self.env.cr.savepoint():
            self.top_up_product.taxes_id = tax
            self.env.flush_all()
