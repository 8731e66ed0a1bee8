from contextlib import contextmanager
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.fields import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.point_of_sale.tests.common import TestPoSCommon


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


class StoredValuePosCommon(StoredValueCommon, TestPoSCommon):
    """A POS shop that takes card payments and sells top-ups, with a card holder and a cashier.

    Orders reach the server through ``sync_from_ui``, the method the POS calls.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.config = cls.basic_config
        cls.sv_method = cls.company._stored_value_pos_payment_method()
        cls.cash_method = cls.cash_pm1
        cls.config.payment_method_ids = cls.cash_method | cls.bank_pm1 | cls.sv_method
        cls.haircut = cls.create_product("Haircut", cls.categ_basic, 60.0)
        cls.top_up_product = cls.env.ref("stored_value_crm.product_stored_value_top_up")
        cls.holder.property_account_receivable_id = cls.receivable_account
        cls.card = cls._create_card(state="active")
        cls.pos_cashier = cls._create_sv_user("pos_cashier", "POS Cashier", ["point_of_sale.group_pos_user"], [])

    def setUp(self):
        super().setUp()
        self.open_new_session()

    def card_order(self, lines, payments, card=None, uuid=None, customer=None, **order_values):
        """Order data as the POS sends it; ``payments`` are ``(method, amount)`` or ``(method, amount, values)``."""
        card = card or self.card
        data = self.create_ui_order_data(
            lines, customer=customer or card.partner_id, payments=[payment[:2] for payment in payments], uuid=uuid
        )
        data.update(order_values)
        for index, (payment, command) in enumerate(zip(payments, data["payment_ids"], strict=True)):
            command[2]["uuid"] = f"{data['uuid']}-payment-{index}"
            if payment[0] == self.sv_method:
                command[2]["stored_value_card_id"] = card.id
            command[2].update(payment[2] if len(payment) > 2 else {})
        return data

    def sync(self, *orders_data, user=None):
        PosOrder = self.env["pos.order"].with_user(user) if user else self.env["pos.order"]
        result = PosOrder.sync_from_ui(list(orders_data))
        return self.env["pos.order"].browse([order["id"] for order in result["pos.order"]])

    def top_up_line(self, amount, card=None):
        return {
            "product": self.top_up_product,
            "quantity": 1,
            "price_unit": amount,
            "price_subtotal": amount,
            "price_subtotal_incl": amount,
            "stored_value_card_id": (card or self.card).id,
        }

    def close_session(self):
        session = self.pos_session
        cash = sum(
            session.order_ids.payment_ids.filtered(lambda p: p.payment_method_id == self.cash_method).mapped("amount")
        )
        session.post_closing_cash_details(cash)
        session.close_session_from_ui()
        self.assertEqual(session.state, "closed")
        return session
