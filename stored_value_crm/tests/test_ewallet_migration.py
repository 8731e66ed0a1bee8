from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestEwalletMigration(StoredValueCommon):
    def setUp(self):
        super().setUp()
        if "loyalty.program" not in self.env:
            self.skipTest("Odoo's Loyalty app is not installed in this database")
        self.program = (
            self.env["loyalty.program"]
            .sudo()
            .create({"name": "Old eWallet", "program_type": "ewallet", "company_id": self.company.id})
        )
        self.ewallet = (
            self.env["loyalty.card"]
            .sudo()
            .create({"program_id": self.program.id, "partner_id": self.holder.id, "points": 250, "code": "EW-0001"})
        )
        self.revenue = self.company_data["default_account_revenue"]

    def test_ewallet_balances_become_principal_owed_to_holders(self):
        wizard = (
            self.env["stored.value.ewallet.migration.wizard"]
            .with_user(self.sv_manager)
            .create({"program_id": str(self.program.id), "counterpart_account_id": self.revenue.id})
        )
        self.assertEqual((wizard.card_count, wizard.total_amount), (1, 250))
        wizard.action_migrate()
        card = self.env["stored.value.card"].search([("name", "=", "EW-0001")])
        self.assertEqual((card.partner_id, card.principal_balance, card.state), (self.holder, 250, "active"))
        self.assertEqual(card.ledger_ids.entry_type, "opening")
        self.assertEqual(self.ewallet.points, 0, "the eWallet is emptied: the money cannot be spent twice")
        self.assertEqual(self.deposits_owed(), 250)
        self.assertLedgerAgrees()
        with self.assertRefused("no card with a balance"):
            wizard.action_migrate()
