from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import StoredValueCommon


@tagged("post_install", "-at_install")
class TestWalletAccess(StoredValueCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card = cls._create_card()
        cls.card._top_up(100, cls.cash_journal, "access/topup")
        other = cls.setup_other_company()
        cls.other_company = other["company"]
        cls.other_company._stored_value_setup_accounting()
        cls.other_card = cls.env["stored.value.card"].create(
            {"partner_id": cls.holder.id, "company_id": cls.other_company.id}
        )

    def test_cashier_issues_tops_up_and_views_but_does_not_manage(self):
        card = self.env["stored.value.card"].with_user(self.sv_user).create({"partner_id": self.holder.id})
        self.assertTrue(card.name.startswith("88"), "cards are numbered automatically")
        self.top_up(card, 50, user=self.sv_user)
        self.assertEqual(card.balance, 50)
        self.assertTrue(card.ledger_ids.with_user(self.sv_user).read(["amount"]))
        with self.assertRaises(AccessError):
            self.env["stored.value.bonus.rule"].with_user(self.sv_user).create(
                {"name": "x", "min_amount": 1, "bonus_value": 1}
            )
        with self.assertRaises(AccessError):
            card.with_user(self.sv_user).unlink()
        with self.assertRefused("Only a stored-value manager"):
            card.with_user(self.sv_user)._adjust(10, 0, "gift", "access/adjust")

    def test_manager_configures_rules_and_unfreezes(self):
        rule = (
            self.env["stored.value.bonus.rule"]
            .with_user(self.sv_manager)
            .create({"name": "充500送50", "min_amount": 500, "bonus_value": 50})
        )
        self.assertEqual(rule.company_id, self.company)
        self.card.with_user(self.sv_user).action_freeze()
        with self.assertRefused("needs the holder's PIN or a stored-value manager|needs a stored-value manager"):
            self.consent(self.card, "unfreeze", user=self.sv_user)
        self.consent(self.card, "unfreeze", user=self.sv_manager)
        self.assertEqual(self.card.state, "active")

    def test_employee_without_stored_value_rights_sees_no_card(self):
        with self.assertRaises(AccessError):
            self.env["stored.value.card"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.env["stored.value.ledger"].with_user(self.plain_user).search([])

    def test_cards_of_other_companies_are_hidden(self):
        cards = self.env["stored.value.card"].with_user(self.sv_manager).search([("partner_id", "=", self.holder.id)])
        self.assertEqual(cards, self.card)
        with self.assertRaises(AccessError):
            self.other_card.with_user(self.sv_manager).read(["balance"])
        self.sv_manager.company_ids = [Command.link(self.other_company.id)]
        with self.assertRefused("belongs to"):
            self.card.with_user(self.sv_manager)._top_up(
                10, self.other_company.stored_value_journal_id, "access/cross-company"
            )

    def test_pin_hash_is_hidden_from_card_users(self):
        self.card._set_pin("1234")
        self.assertNotIn("pin_hash", self.card.with_user(self.sv_manager).fields_get())
        self.assertTrue(self.card.with_user(self.sv_manager).has_pin)
