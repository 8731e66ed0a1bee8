from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class StoredValueCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts, card holders, and users of each stored-value group.

    Later addons reuse these fixtures.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The accountant this base class runs as also manages stored value.
        cls.env.user.group_ids += cls.env.ref("stored_value_crm.group_stored_value_manager")
        cls.company = cls.company_data["company"]
        cls.company._stored_value_setup_accounting()
        cls.currency = cls.company.currency_id
        cls.cash_journal = cls.company_data["default_journal_cash"]
        cls.sv_journal = cls.company.stored_value_journal_id
        cls.deposit_account = cls.company.stored_value_deposit_account_id
        cls.expense_account = cls.company.stored_value_expense_account_id
        cls.holder = cls.env["res.partner"].create({"name": "Li Na", "company_id": False})
        cls.other_holder = cls.env["res.partner"].create({"name": "Wang Wei", "company_id": False})
        account_groups = [Command.link(cls.env.ref("account.group_account_invoice").id)]
        cls.sv_user = cls._create_sv_user(
            "sv_cashier", "Stored Value Cashier", ["stored_value_crm.group_stored_value_user"], account_groups
        )
        cls.sv_manager = cls._create_sv_user(
            "sv_manager", "Stored Value Manager", ["stored_value_crm.group_stored_value_manager"], account_groups
        )
        cls.plain_user = cls._create_sv_user("sv_plain", "Plain Employee", [], [])

    @classmethod
    def _create_sv_user(cls, login, name, groups, extra):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": login,
                    "name": name,
                    "email": f"{login}@example.com",
                    "company_id": cls.company.id,
                    "company_ids": [Command.set(cls.company.ids)],
                    "group_ids": [
                        Command.link(cls.env.ref("base.group_user").id),
                        *(Command.link(cls.env.ref(group).id) for group in groups),
                        *extra,
                    ],
                }
            )
        )

    @classmethod
    def _create_card(cls, partner=None, **values):
        return cls.env["stored.value.card"].create(
            {"partner_id": (partner or cls.holder).id, "company_id": cls.company.id, **values}
        )

    @classmethod
    def _create_rule(cls, min_amount, bonus_value, bonus_type="fixed", **values):
        return cls.env["stored.value.bonus.rule"].create(
            {
                "name": f"Top up {min_amount}, get {bonus_value}{'%' if bonus_type == 'percent' else ''}",
                "company_id": cls.company.id,
                "min_amount": min_amount,
                "bonus_type": bonus_type,
                "bonus_value": bonus_value,
                **values,
            }
        )

    def top_up(self, card, amount, key=None, user=None):
        env_card = card.with_user(user) if user else card
        return env_card._top_up(
            amount, self.cash_journal, key or f"test/topup/{card.id}/{amount}/{len(card.ledger_ids)}"
        )

    def make_invoice(self, amount, partner=None, move_type="out_invoice"):
        invoice = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": (partner or self.holder).id,
                "company_id": self.company.id,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": amount, "quantity": 1, "tax_ids": False})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def pay_with_card(self, invoice, card, user=None, pin=None, amount=None):
        """Register Payment on ``invoice`` with the stored-value journal, as a user does in the back office."""
        wizard_env = (
            self.env["account.payment.register"].with_user(user) if user else self.env["account.payment.register"]
        )
        values = {"journal_id": self.sv_journal.id, "stored_value_card_id": card.id, "stored_value_pin": pin}
        if amount is not None:
            values["amount"] = amount
        wizard = wizard_env.with_context(active_model="account.move", active_ids=invoice.ids).create(values)
        return wizard._create_payments()

    def deposits_owed(self):
        """Credit balance of the customer-deposits account: what the books say is owed to card holders."""
        lines = self.env["account.move.line"].search(
            [("account_id", "=", self.deposit_account.id), ("parent_state", "=", "posted")]
        )
        return -sum(lines.mapped("balance"))

    def assertLedgerAgrees(self, cards=None):
        """Stored balances equal their ledger, and the books owe exactly the principal on the cards."""
        cards = cards or self.env["stored.value.card"].search([("company_id", "=", self.company.id)])
        self.assertEqual(cards._ledger_discrepancies(), {})
        principal = sum(
            self.env["stored.value.card"].search([("company_id", "=", self.company.id)]).mapped("principal_balance")
        )
        self.assertAlmostEqual(self.deposits_owed(), principal, places=2)

    def cron_commits_suspended(self):
        """Crons commit each batch; inside a test transaction there is nothing to commit to."""
        return patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=float("inf"))

    @contextmanager
    def assertRefused(self, pattern):
        """The block raises a UserError matching ``pattern``, and whatever it wrote is rolled back."""
        with self.assertRaisesRegex(UserError, pattern), self.env.cr.savepoint():
            yield
