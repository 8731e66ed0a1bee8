import threading
import time
import uuid
from contextlib import contextmanager
from unittest.mock import patch
from uuid import uuid4

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.point_of_sale.tests.common import TestPoSCommon
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon


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
        # Each role alone, as an admin gives it in the Users form: no Invoicing or POS rights on top.
        cls.sv_user = cls._create_sv_user(
            "sv_cashier", "Stored Value Cashier", ["stored_value_crm.group_stored_value_user"], []
        )
        cls.sv_manager = cls._create_sv_user(
            "sv_manager", "Stored Value Manager", ["stored_value_crm.group_stored_value_manager"], []
        )
        cls.plain_user = cls._create_sv_user("sv_plain", "Plain Employee", [], [])
        # Invoices are paid from a card at the billing desk (Invoicing / Billing), not by stored-value staff.
        cls.invoicing_clerk = cls._create_sv_user("sv_billing", "Billing Clerk", ["account.group_account_invoice"], [])

    @classmethod
    def _create_portal_user(cls, login, password, **values):
        """A portal user of the test company; ``values`` name its partner (``partner_id``) or its own data."""
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": login,
                    "password": password,
                    "company_id": cls.company.id,
                    "company_ids": [Command.set(cls.company.ids)],
                    "group_ids": [Command.set(cls.env.ref("base.group_portal").ids)],
                    **values,
                }
            )
        )

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
    def _create_card(cls, partner=None, state="draft", **values):
        """A card of ``partner`` (the holder by default), put in ``state`` through the actions users press."""
        card = cls.env["stored.value.card"].create(
            {"partner_id": (partner or cls.holder).id, "company_id": cls.company.id, **values}
        )
        if state in ("active", "frozen"):
            card.action_activate()
        if state == "frozen":
            card.action_freeze()
        return card

    def consent(self, card, operation, user=None, **values):
        """A card action of the consent wizard (unfreeze, close, PIN or holder change), confirmed."""
        Wizard = self.env["stored.value.consent.wizard"]
        wizard = (Wizard.with_user(user) if user else Wizard).create(
            {"card_id": card.id, "operation": operation, **values}
        )
        return wizard.action_confirm()

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
        """Stored balances equal their ledger, and the liability report agrees with the books: deposits, with
        what open POS sessions will book at closing, owe exactly the principal on the cards."""
        cards = cards or self.env["stored.value.card"].search([("company_id", "=", self.company.id)])
        self.assertEqual(cards._ledger_discrepancies(), {})
        principal = sum(
            self.env["stored.value.card"].search([("company_id", "=", self.company.id)]).mapped("principal_balance")
        )
        report = self.env["stored.value.liability.report"].create({"company_id": self.company.id})
        self.assertAlmostEqual(report.wallet_principal, principal, places=2)
        self.assertAlmostEqual(self.deposits_owed() + report.pos_pending, principal, places=2)
        self.assertTrue(report.agrees, f"liability report differs by {report.difference}")

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
            lines,
            customer=customer or card.partner_id,
            payments=[payment[:2] for payment in payments],
            uuid=uuid or str(uuid4()),
        )
        data.update(order_values)
        if order_values.get("is_refund"):
            # The POS sends a refund's lines positive and its total negative, as the server computes them.
            for command in data["lines"]:
                command[2]["price_subtotal"] = -command[2]["price_subtotal"]
                command[2]["price_subtotal_incl"] = -command[2]["price_subtotal_incl"]
        for payment, command in zip(payments, data["payment_ids"], strict=True):
            command[2]["uuid"] = str(uuid4())
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


class StoredValuePosTourCase(TestPointOfSaleHttpCommon):
    """Odoo's POS tour setup, its terminals loading every customer.

    A terminal loads the 100 customers with the most orders (``point_of_sale.limited_customer_count``) and
    finds the others when the cashier searches: with the demo's members, who buy all year, the tours'
    customers would not be among them.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("point_of_sale.limited_customer_count", 100_000)


class CommittedShopCase(BaseCase):
    """A POS shop committed in a company of its own, for terminals racing in their own transactions.

    Two tills with an open session each take cash and stored-value cards, served by a cashier. The data
    stays in the test database, in a company no other test reads. Later addons add what they need in
    :meth:`_set_up_committed_shop` (a loyalty programme, say).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        # The test runner holds the registry lock while tests run; the terminals' threads need registry access.
        lock_patch = patch.object(Registry, "_lock", DummyRLock())
        lock_patch.start()
        cls.addClassCleanup(lock_patch.stop)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create({"name": f"Concurrent Shop {uuid.uuid4()}"})
            env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
            env = env(context={"allowed_company_ids": company.ids})
            company._stored_value_setup_accounting()
            cashier = env["res.users"].create(
                {
                    "name": "Concurrent Cashier",
                    "login": f"cashier-{company.id}",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [
                        Command.link(env.ref("base.group_user").id),
                        Command.link(env.ref("point_of_sale.group_pos_user").id),
                    ],
                }
            )
            cash_journal = env["account.journal"].search([("type", "=", "cash"), ("company_id", "=", company.id)])
            cash = env["pos.payment.method"].create(
                {"name": "Cash", "journal_id": cash_journal[:1].id, "company_id": company.id}
            )
            card_method = company._stored_value_pos_payment_method()
            product = env["product.product"].create(
                {"name": "Massage", "list_price": 70.0, "available_in_pos": True, "taxes_id": False}
            )
            cls.company_id, cls.cashier_id, cls.product_id = company.id, cashier.id, product.id
            cls.cash_id, cls.card_method_id = cash.id, card_method.id
            cls._set_up_committed_shop(env)
            cls.session_ids = []
            for till in ("Till 1", "Till 2"):
                config = env["pos.config"].create(
                    {
                        "name": till,
                        "company_id": company.id,
                        "payment_method_ids": [Command.set((cash | card_method).ids)],
                    }
                )
                config.with_user(cashier).open_ui()
                cls.session_ids.append(config.current_session_id.id)

    @classmethod
    def _set_up_committed_shop(cls, env):
        """Add to the shop before its sessions open."""

    @contextmanager
    def committed_env(self, uid=SUPERUSER_ID):
        """An environment in a transaction of its own, committed on leaving."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, uid, {"allowed_company_ids": [self.company_id]})

    def order_data(self, session_id, lines, payments, partner_id=False):
        """An order as the POS sends it; ``lines`` and ``payments`` are their values, given uuids here."""
        order_uuid = str(uuid.uuid4())
        total = sum(line["price_subtotal_incl"] for line in lines)
        return {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": session_id,
            "partner_id": partner_id,
            "user_id": self.cashier_id,
            "amount_paid": total,
            "amount_return": 0.0,
            "amount_tax": 0.0,
            "amount_total": total,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "last_order_preparation_change": "{}",
            "lines": [(0, 0, {"tax_ids": [(6, 0, [])], "uuid": str(uuid.uuid4()), **line}) for line in lines],
            "payment_ids": [(0, 0, {"uuid": str(uuid.uuid4()), **payment}) for payment in payments],
        }

    def race(self, request, first, second, hold):
        """Run ``request(*first)`` and ``request(*second)`` as two terminals; return what each answered.

        The first terminal stops for a moment right after ``hold`` (``(class, method name)``) ran, inside
        its transaction, while the second one starts: the second is blocked behind the first's locks.
        """
        results, reached = [], threading.Event()
        owner, name = hold
        original = getattr(owner, name)

        def run_then_hold(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == "till-1":
                reached.set()
                time.sleep(0.5)
            return result

        def terminal(args):
            results.append(request(*args))

        threads = [
            threading.Thread(target=terminal, args=(args,), name=name)
            for name, args in (("till-1", first), ("till-2", second))
        ]
        with patch.object(owner, name, run_then_hold), mute_logger("odoo.sql_db"):
            threads[0].start()
            reached.wait(30)
            threads[1].start()
            for thread in threads:
                thread.join(60)
        return results
