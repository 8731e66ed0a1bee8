from odoo.tests import Form, tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestManagerJourney(StoredValueCommon):
    """A manager's day with one card, through the same forms a manager uses; the books agree at every step."""

    def liability(self):
        return (
            self.env["stored.value.liability.report"].with_user(self.sv_manager).create({"company_id": self.company.id})
        )

    def assertBooksAgree(self, principal):
        report = self.liability()
        self.assertEqual(report.wallet_principal, principal)
        self.assertEqual(report.account_balance, principal)
        self.assertTrue(report.agrees)

    def test_configure_top_up_pay_refund_and_print(self):
        manager_env = self.env(user=self.sv_manager)
        with Form(manager_env["stored.value.bonus.rule"]) as rule:
            rule.name = "充500送100"
            rule.min_amount = 500
            rule.bonus_value = 100
        with Form(manager_env["stored.value.card"]) as card_form:
            card_form.partner_id = self.holder
        card = card_form.record
        self.assertBooksAgree(0)

        topup = Form(manager_env["stored.value.topup.wizard"].with_context(default_card_id=card.id))
        topup.amount = 500
        topup.journal_id = self.cash_journal
        self.assertEqual(topup.bonus_amount, 100)
        topup.save().action_confirm()
        self.assertEqual(card.balance, 600)
        self.assertBooksAgree(500)

        invoice = self.make_invoice(550)
        self.pay_with_card(invoice, card, user=self.invoicing_clerk)  # at the billing desk
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual((card.principal_balance, card.bonus_balance), (0, 50))
        self.assertBooksAgree(0)

        self.top_up(card, 500, user=self.sv_manager)
        self.assertBooksAgree(500)
        refund = Form(manager_env["stored.value.refund.wizard"].with_context(default_card_id=card.id))
        refund.journal_id = self.cash_journal
        self.assertEqual(refund.refund_amount, 500)
        refund.save().action_confirm()
        self.assertEqual((card.balance, card.state), (0, "closed"))
        self.assertBooksAgree(0)

        statement = manager_env["stored.value.statement.wizard"].create({"card_id": card.id})
        action = statement.action_print()
        self.assertEqual(action["report_name"], "stored_value_crm.report_stored_value_statement")
        self.assertLedgerAgrees(card)
