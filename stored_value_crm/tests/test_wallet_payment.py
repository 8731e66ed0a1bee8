from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletPayment(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_rule(100, 20)

    def setUp(self):
        super().setUp()
        self.card = self._create_card()
        self.top_up(self.card, 100)  # 100 principal + 20 bonus

    def test_invoice_paid_from_the_card_clears_deposits_and_charges_bonus_to_expense(self):
        invoice = self.make_invoice(110)
        self.pay_with_card(invoice, self.card, user=self.invoicing_clerk)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (0, 10))
        spend = self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "spend")
        self.assertEqual((spend.principal_amount, spend.bonus_amount), (-100, -10))
        expense = self.env["account.move.line"].search([("account_id", "=", self.expense_account.id)])
        self.assertEqual(sum(expense.mapped("debit")), 10, "spent bonus is a promotion expense")
        self.assertFalse(
            expense.move_id.line_ids.account_id.filtered(lambda account: account.account_type == "income"),
            "spent bonus never reaches revenue",
        )
        self.assertLedgerAgrees()

    def test_spending_order_settings(self):
        self.company.stored_value_spend_order = "bonus_first"
        self.pay_with_card(self.make_invoice(30), self.card)
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (90, 0))
        self.company.stored_value_spend_order = "proportional"
        self.top_up(self.card, 100)  # 190 principal, 20 bonus
        self.pay_with_card(self.make_invoice(21), self.card)
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (171, 18))
        self.assertLedgerAgrees()

    def test_paying_more_than_the_balance_is_refused_and_writes_nothing(self):
        invoice = self.make_invoice(500)
        with self.assertRefused("less than the"):
            self.pay_with_card(invoice, self.card)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(self.card.balance, 120)
        self.assertFalse(self.env["account.payment"].search([("journal_id", "=", self.sv_journal.id)]))

    def test_partial_payment_leaves_the_rest_due(self):
        invoice = self.make_invoice(300)
        self.pay_with_card(invoice, self.card, amount=120)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 180)
        self.assertEqual(self.card.balance, 0)

    def test_frozen_or_closed_card_cannot_pay(self):
        self.card.action_freeze()
        with self.assertRefused("is frozen"):
            self.pay_with_card(self.make_invoice(10), self.card)
        self.consent(self.card, "unfreeze", user=self.sv_manager)
        self.pay_with_card(self.make_invoice(10), self.card)
        self.assertEqual(self.card.balance, 110)

    def test_pin_is_asked_checked_and_locks_after_wrong_tries(self):
        self.card._set_pin("2468")
        self.assertTrue(self.card.has_pin)
        with self.assertRefused("asks for its PIN"):
            self.pay_with_card(self.make_invoice(10), self.card)
        self.assertEqual(self.card.pin_failed_attempts, 0, "a missing PIN is not a wrong try")
        with self.enter_registry_test_mode():  # wrong tries are counted in a transaction of their own
            for _try in range(5):
                try:
                    self.pay_with_card(self.make_invoice(10), self.card, pin="1111")
                except UserError as error:
                    message = str(error)
        self.card.invalidate_recordset()
        self.assertIn("0 tries left", message)
        self.assertTrue(self.card.pin_locked)
        with self.assertRefused("locked after too many wrong tries"):
            self.pay_with_card(self.make_invoice(10), self.card, pin="2468")
        with self.assertRefused("Only a stored-value manager"):
            self.card.with_user(self.sv_user).action_unlock_pin()
        self.card.with_user(self.sv_manager).action_unlock_pin()
        self.pay_with_card(self.make_invoice(10), self.card, pin="2468")
        self.assertEqual(self.card.balance, 110)

    def test_pin_must_be_digits(self):
        with self.assertRefused("4 to 8 digits"):
            self.card._set_pin("12ab")

    def test_credit_note_refunded_to_the_card(self):
        invoice = self.make_invoice(50)
        self.pay_with_card(invoice, self.card)
        credit_note = self.make_invoice(50, move_type="out_refund")
        self.pay_with_card(credit_note, self.card)
        self.assertEqual(credit_note.payment_state, "paid")
        refund = self.card.ledger_ids.filtered(lambda entry: entry.entry_type == "refund")
        self.assertEqual(refund.principal_amount, 50)
        self.assertEqual(self.card.balance, 120)
        self.assertLedgerAgrees()

    def test_payment_reset_to_draft_is_reversed_on_the_card(self):
        invoice = self.make_invoice(110)
        payment = self.pay_with_card(invoice, self.card)
        payment.action_draft()
        self.assertEqual((self.card.principal_balance, self.card.bonus_balance), (100, 20))
        self.assertEqual(sorted(self.card.ledger_ids.mapped("entry_type")), ["bonus", "reversal", "spend", "topup"])
        self.assertLedgerAgrees()
        payment.action_post()  # posted again: booked again
        self.assertEqual(self.card.balance, 10)
        self.assertLedgerAgrees()

    def test_card_of_another_customer_cannot_pay(self):
        stranger_card = self._create_card(self.other_holder)
        self.top_up(stranger_card, 100)
        with self.assertRefused("belongs to Wang Wei"):
            self.pay_with_card(self.make_invoice(10), stranger_card)
