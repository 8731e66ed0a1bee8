from odoo.tests import tagged

from .common import StoredValuePosTourCase


@tagged("post_install", "-at_install")
class TestPosWalletTour(StoredValuePosTourCase):
    """A cashier pays with, tops up and refunds to a stored-value card in the POS, in Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref("stored_value_crm.group_stored_value_manager")
        company = cls.main_pos_config.company_id
        company._stored_value_setup_accounting()
        cls.card_method = company._stored_value_pos_payment_method()
        cls.main_pos_config.payment_method_ids |= cls.card_method
        cls.top_up_product = cls.env.ref("stored_value_crm.product_stored_value_top_up")
        cls.top_up_product.product_tmpl_id.active = True  # the common setup archives every POS product
        cls.haircut = cls.env["product.product"].create(
            {"name": "Haircut", "list_price": 60.0, "available_in_pos": True, "taxes_id": False}
        )
        cls.holder = cls.env["res.partner"].create({"name": "AAA Li Na"})
        cls.card = cls.env["stored.value.card"].create(
            {"name": "880000004242", "partner_id": cls.holder.id, "company_id": company.id}
        )

    def credit(self, amount):
        self.card._credit_top_up(
            amount, f"tour/{self.card.id}/{amount}", source_ref=f"stored.value.card,{self.card.id}"
        )

    def spends(self):
        return self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "spend")

    def test_card_pays_a_whole_order(self):
        self.credit(100.0)
        self.start_pos_tour("StoredValuePayFullTour")
        self.assertEqual(self.card.balance, 40.0)
        order = self.spends().source_ref
        self.assertEqual((order.state, order.payment_ids.stored_value_state), ("paid", "booked"))

    def test_card_and_cash_split_an_order(self):
        self.credit(100.0)
        self.start_pos_tour("StoredValueSplitTour")
        self.assertEqual(self.card.balance, 0.0)
        order = self.spends().source_ref
        self.assertEqual(sorted(order.payment_ids.mapped("amount")), [20.0, 100.0])

    def test_insufficient_balance_is_refused_before_validation(self):
        self.credit(30.0)
        self.start_pos_tour("StoredValueInsufficientTour")
        self.assertEqual(self.card.balance, 0.0)
        self.assertEqual(self.spends().mapped("amount"), [-30.0], "only the amount the card held was taken")

    def test_pin_is_asked_and_checked(self):
        self.credit(100.0)
        self.card._set_pin("2468")
        self.start_pos_tour("StoredValuePinTour")
        self.assertEqual(self.card.balance, 40.0)
        self.assertEqual(self.card.pin_failed_attempts, 0, "the right PIN clears the wrong try")

    def test_top_up_with_bonus(self):
        self.env["stored.value.bonus.rule"].create(
            {
                "name": "充100送10",
                "company_id": self.card.company_id.id,
                "min_amount": 100,
                "bonus_type": "fixed",
                "bonus_value": 10,
            }
        )
        self.card.action_activate()
        self.start_pos_tour("StoredValueTopUpTour")
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (100.0, 10.0))

    def test_refund_goes_back_to_the_card(self):
        self.credit(100.0)
        self.start_pos_tour("StoredValueRefundTour")
        self.assertEqual(self.card.balance, 100.0)
        refund = self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "refund")
        self.assertTrue(refund.source_ref.is_refund, "the credit is linked to the refund order")

    def test_offline_payment_is_booked_when_the_terminal_is_back_online(self):
        self.credit(100.0)
        self.start_pos_tour("StoredValueOfflineTour")
        self.assertEqual(self.card.balance, 40.0)
        order = self.spends().source_ref
        self.assertEqual((order.state, order.payment_ids.stored_value_state), ("paid", "booked"))

    def test_lost_card_is_frozen_then_reissued_and_the_old_number_refused(self):
        self.credit(100.0)
        self.card._set_pin("2468")
        self.start_pos_tour("StoredValueLostAndReissueTour")
        new_card = self.card.replaced_by_id
        self.assertEqual((self.card.state, self.card.loss_reason, self.card.balance), ("closed", "lost", 0.0))
        self.assertEqual((new_card.partner_id, new_card.state), (self.holder, "active"))
        self.assertEqual(new_card.balance, 40.0, "the balance moved, then paid the haircut")
        found = self.env["stored.value.card"].pos_search_cards(self.main_pos_config.id, code=self.card.name)
        self.assertEqual(found["stored.value.card"], [], "the old number is not found at the till any more")
