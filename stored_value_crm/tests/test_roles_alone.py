from odoo.tests import tagged

from .common import StoredValuePosCommon


@tagged("post_install", "-at_install")
class TestRolesAlone(StoredValuePosCommon):
    """Each role does its whole job holding only its group and Internal User, as an admin creates it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._create_sv_user("alone_clerk", "Clerk", ["stored_value_crm.group_stored_value_user"], [])
        cls.manager = cls._create_sv_user(
            "alone_manager", "Manager", ["stored_value_crm.group_stored_value_manager"], []
        )
        cls.billing = cls._create_sv_user("alone_billing", "Billing", ["account.group_account_invoice"], [])

    def test_a_clerk_issues_a_card_to_a_new_customer_tops_it_up_and_sends_a_statement(self):
        customer = (
            self.env["res.partner"].with_user(self.clerk).create({"name": "新客户 Zhao", "email": "zhao@example.com"})
        )
        self.env["stored.value.contact.consent.wizard"].with_user(self.clerk).create(
            {"partner_id": customer.id, "consent_email": True}
        ).action_record()  # the customer agrees to receive their statements by email
        card = (
            self.env["stored.value.card"].with_user(self.clerk).create({"partner_id": customer.id, "new_pin": "2580"})
        )
        wizard = (
            self.env["stored.value.topup.wizard"]
            .with_user(self.clerk)
            .with_context(default_card_id=card.id)
            .create({"card_id": card.id, "amount": 300.0})
        )
        self.assertEqual(wizard.journal_id.type, "cash", "the desk's cash journal is proposed")
        wizard.journal_id = self.company_data["default_journal_bank"]
        wizard.action_confirm()
        self.assertEqual((card.state, card.balance), ("active", 300.0))
        statement = self.env["stored.value.statement.wizard"].with_user(self.clerk).create({"card_id": card.id})
        self.assertEqual(statement.action_print()["type"], "ir.actions.report")
        statement.action_send()
        self.assertTrue(card.message_ids.attachment_ids)
        own_card = self.env["stored.value.card"].with_user(self.clerk).create({"partner_id": customer.id})
        own_card.action_activate()
        self.env["stored.value.transfer.wizard"].with_user(self.clerk).create(
            {"card_id": card.id, "target_card_id": own_card.id, "amount": 50.0}
        ).action_confirm()
        self.assertEqual(own_card.balance, 50.0)
        card.with_user(self.clerk).action_freeze()
        self.assertLedgerAgrees()

    def test_a_manager_refunds_adjusts_approves_reads_the_liability_and_settles_orders(self):
        self.top_up(self.card, 200.0)
        manager_card = self.card.with_user(self.manager)
        manager_card._adjust(-10.0, 5.0, "Counted twice", "alone/adjust")
        self.consent(self.card, "change_holder", user=self.manager, new_partner_id=self.other_holder.id)
        report = self.env["stored.value.liability.report"].with_user(self.manager).create({})
        self.assertTrue(report.agrees)
        self.assertEqual(report.wallet_principal, 190.0)
        self.card.action_freeze()
        order = self.sync(self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)], card=self.card))
        self.assertTrue(order.stored_value_review)
        flagged = self.env["pos.order"].with_user(self.manager).search([("stored_value_review", "=", True)])
        self.assertEqual(flagged, order)
        flagged.action_stored_value_settled()
        self.assertFalse(order.stored_value_review)
        self.consent(self.card, "unfreeze", user=self.manager)
        refund = (
            self.env["stored.value.refund.wizard"]
            .with_user(self.manager)
            .create({"card_id": self.card.id, "journal_id": self.cash_journal.id})
        )
        refund.action_confirm()
        self.assertEqual((self.card.state, self.card.balance), ("closed", 0.0))
        self.assertLedgerAgrees()

    def test_billing_pays_an_invoice_from_a_card(self):
        self.top_up(self.card, 100.0)
        invoice = self.make_invoice(40.0)
        self.pay_with_card(invoice.with_user(self.billing), self.card, user=self.billing)
        self.assertEqual((invoice.payment_state in ("paid", "in_payment"), self.card.balance), (True, 60.0))
        self.assertLedgerAgrees()
