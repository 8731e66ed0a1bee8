import contextlib
import inspect
import json
import math
from uuid import uuid4

from odoo.exceptions import AccessError, MissingError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import StoredValuePosCommon

# What a dishonest user sends where the web client or the POS sends an amount or an id.
HOSTILE_VALUES = (-100.0, 0.0, math.nan, math.inf, 1e15, 10.001, "1000", None, [1, 2], {"id": 1})
REFUSALS = (AccessError, UserError, MissingError)


@tagged("post_install", "-at_install")
class TestInsiderWallet(StoredValuePosCommon):
    """Each role tries to mint, move or cash out card money outside the checked actions: nothing books.

    Users hold only their role and Internal User, as an admin creates them in Settings.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles = {
            "stored value user": cls._create_sv_user(
                "r_sv_user", "SV User", ["stored_value_crm.group_stored_value_user"], []
            ),
            "stored value manager": cls._create_sv_user(
                "r_sv_manager", "SV Manager", ["stored_value_crm.group_stored_value_manager"], []
            ),
            "pos cashier": cls.pos_cashier,
            "billing": cls._create_sv_user("r_billing", "Billing", ["account.group_account_invoice"], []),
            "employee": cls.plain_user,
        }
        cls.clerk = cls.roles["stored value user"]
        cls.manager = cls.roles["stored value manager"]
        cls.other_card = cls._create_card(partner=cls.other_holder, state="active")
        other = cls.setup_other_company()
        other["company"]._stored_value_setup_accounting()
        cls.foreign_card = cls.env["stored.value.card"].create(
            {"partner_id": cls.holder.id, "company_id": other["company"].id}
        )

    def setUp(self):
        super().setUp()
        self.top_up(self.card, 100.0)
        self.card._set_pin("2468")

    def assertRefusal(self, call):
        """``call()`` is refused (access, or a user error) and whatever it wrote is rolled back."""
        try:
            with self.env.cr.savepoint():
                call()
        except REFUSALS:
            return
        self.fail(f"{call} was not refused")

    def total_value(self):
        cards = self.env["stored.value.card"].search([])
        return sum(cards.mapped("balance"))

    def assertNothingMinted(self, before):
        self.env.invalidate_all()
        self.assertLessEqual(self.total_value(), before + 0.001, "no hostile call adds value to any card")
        self.assertLedgerAgrees()

    # ------------------------------------------------------------------
    # Protected fields: create and write
    # ------------------------------------------------------------------

    def test_no_role_creates_a_card_that_holds_money_or_skips_its_checks(self):
        before = self.total_value()
        for role, user in self.roles.items():
            for values in (
                {"principal_balance": 100000},
                {"balance": 100000},
                {"bonus_balance": 500},
                {"state": "active"},
                {"pin_hash": "x"},
                {"last_movement_date": "2020-01-01 00:00:00"},
            ):
                with self.subTest(role=role, values=values), self.assertRaises(AccessError), self.env.cr.savepoint():
                    self.env["stored.value.card"].with_user(user).create({"partner_id": self.holder.id, **values})
        self.assertNothingMinted(before)

    def test_no_role_writes_a_value_field_of_a_card(self):
        before = self.total_value()
        stranger = self.env["res.partner"].create({"name": "Insider's friend"})
        for role, user in self.roles.items():
            for values in (
                {"principal_balance": 100000},
                {"balance": 100000},
                {"partner_id": stranger.id},
                {"new_pin": "1111"},
                {"state": "active"},
                {"state": "closed"},
                {"name": "STOLEN-0001"},
                {"pin_failed_attempts": 0},
            ):
                with self.subTest(role=role, values=values), self.assertRaises(AccessError), self.env.cr.savepoint():
                    self.card.with_user(user).write(values)
        self.assertEqual((self.card.partner_id, self.card.state, self.card.balance), (self.holder, "active", 100.0))
        self.assertNothingMinted(before)

    def test_superuser_code_cannot_write_value_fields_either(self):
        """Only the posting code opens the door; sudo does not."""
        with self.assertRaises(AccessError):
            self.card.sudo().write({"principal_balance": 5})

    def test_ledger_entries_are_not_created_or_changed_by_anyone(self):
        entry = self.card.ledger_ids[:1]
        for role, user in self.roles.items():
            with self.subTest(role=role):
                self.assertRefusal(lambda user=user: entry.with_user(user).write({"principal_amount": 100000}))
                self.assertRefusal(
                    lambda user=user, role=role: (
                        self.env["stored.value.ledger"]
                        .with_user(user)
                        .create(
                            {
                                "card_id": self.card.id,
                                "partner_id": self.holder.id,
                                "company_id": self.company.id,
                                "currency_id": self.currency.id,
                                "entry_type": "adjustment",
                                "principal_amount": 100000,
                                "date": "2026-01-01 00:00:00",
                                "user_id": user.id,
                                "idempotency_key": f"forged/{role}",
                            }
                        )
                    )
                )
        # Odoo's contact merge writes every model that names a partner, with nothing to change here.
        self.assertTrue(self.env["stored.value.ledger"].browse().write({"reason": "merge"}))

    # ------------------------------------------------------------------
    # Value leaves a holder only with the holder or a manager
    # ------------------------------------------------------------------

    def test_a_transfer_to_another_holder_needs_the_holders_pin_or_a_manager(self):
        transfer = self.env["stored.value.transfer.wizard"].with_user(self.clerk)
        with self.assertRefused("needs the holder's PIN or a stored-value manager"):
            transfer.create(
                {"card_id": self.card.id, "target_card_id": self.other_card.id, "amount": 50.0}
            ).action_confirm()
        with self.assertRefused("Wrong PIN"):
            transfer.create(
                {"card_id": self.card.id, "target_card_id": self.other_card.id, "amount": 50.0, "holder_pin": "1111"}
            )
        wizard = transfer.create(
            {"card_id": self.card.id, "target_card_id": self.other_card.id, "amount": 50.0, "holder_pin": "2468"}
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.write({"target_card_id": self._create_card(partner=self.clerk.partner_id, state="active").id})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.write({"amount": 100.0})
        wizard.action_confirm()
        self.assertEqual((self.card.balance, self.other_card.balance), (50.0, 50.0))
        self.env["stored.value.transfer.wizard"].with_user(self.manager).create(
            {"card_id": self.card.id, "target_card_id": self.other_card.id, "amount": 10.0}
        ).action_confirm()
        self.assertEqual(self.card.balance, 40.0)
        self.assertLedgerAgrees()

    def test_a_forged_consent_is_refused(self):
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["stored.value.transfer.wizard"].with_user(self.clerk).create(
                {"card_id": self.card.id, "target_card_id": self.other_card.id, "amount": 50.0, "holder_verified": True}
            )
        wizard = (
            self.env["stored.value.consent.wizard"]
            .with_user(self.clerk)
            .create({"card_id": self.other_card.id, "operation": "close", "holder_pin": False})
        )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.write({"holder_verified": True})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            wizard.write({"card_id": self.card.id})

    def test_holder_or_manager_unfreezes_changes_the_pin_or_the_holder(self):
        self.card.with_user(self.clerk).action_freeze()
        with self.assertRefused("needs the holder's PIN"):
            self.consent(self.card, "unfreeze", user=self.clerk)
        self.consent(self.card, "unfreeze", user=self.clerk, holder_pin="2468", reason="Found the card")
        self.assertEqual(self.card.state, "active")
        self.assertIn("Found the card", "".join(self.card.message_ids.mapped("body")))

        with self.assertRefused("needs the holder's PIN"):
            self.consent(self.card, "change_pin", user=self.clerk, new_pin="1111")
        self.consent(self.card, "change_pin", user=self.clerk, holder_pin="2468", new_pin="1357")
        with self.assertRefused("Wrong PIN"):
            self.card._check_pin("2468")
        self.card._check_pin("1357")

        friend = self.env["res.partner"].create({"name": "Insider's friend"})
        with self.assertRefused("needs the holder's PIN"):
            self.consent(self.card, "change_holder", user=self.clerk, new_partner_id=friend.id)
        self.consent(self.card, "change_holder", user=self.manager, new_partner_id=friend.id, reason="Gift card")
        self.assertEqual(self.card.partner_id, friend)
        self.assertLedgerAgrees()

    def test_no_pin_is_stored_in_clear(self):
        wizard = (
            self.env["stored.value.consent.wizard"]
            .with_user(self.clerk)
            .create({"card_id": self.card.id, "operation": "change_pin", "holder_pin": "2468", "new_pin": "1357"})
        )
        self.env.flush_all()
        for table, column in (("stored_value_consent_wizard", "new_pin_hash"), ("stored_value_card", "pin_hash")):
            self.env.cr.execute(f"SELECT {column} FROM {table}")
            for (value,) in self.env.cr.fetchall():
                self.assertNotIn("1357", value or "")
                self.assertNotIn("2468", value or "")
        self.assertTrue(wizard.new_pin_hash.startswith("$pbkdf2"))
        invoice = self.make_invoice(10)
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {"journal_id": self.sv_journal.id, "stored_value_card_id": self.card.id, "stored_value_pin": "2468"}
            )
        )
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM account_payment_register WHERE id = %s", [register.id])
        self.assertNotIn("2468", str(self.env.cr.fetchall()))

    def test_pin_lockout_cannot_be_cleared_by_a_clerk(self):
        with self.enter_registry_test_mode():
            for _try in range(5):
                # Not assertRaises: its savepoint would roll the counted tries back with the error.
                with contextlib.suppress(UserError):
                    self.card.with_user(self.clerk)._check_pin("0000")
        self.card.invalidate_recordset()
        self.assertTrue(self.card.pin_locked)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.card.with_user(self.clerk).write({"new_pin": "1111"})
        with self.assertRefused("needs the holder's PIN"):
            self.consent(self.card, "change_pin", user=self.clerk, new_pin="1111")
        with self.assertRefused("locked"):
            self.consent(self.card, "change_pin", user=self.clerk, new_pin="1111", holder_pin="2468")
        with self.assertRefused("Only a stored-value manager"):
            self.card.with_user(self.clerk).action_unlock_pin()

    # ------------------------------------------------------------------
    # POS: the server books what it computes, once per payment
    # ------------------------------------------------------------------

    def pin_token(self, data, index, amount):
        payment = data["payment_ids"][index][2]
        payment["stored_value_pin_token"] = self.card.with_user(self.pos_cashier).pos_verify_pin(
            "2468", data["uuid"], payment["uuid"], amount
        )

    def test_a_top_up_line_claiming_more_than_it_costs_credits_nothing(self):
        before = self.total_value()
        line = self.top_up_line(100.0, card=self.other_card)
        line.update(price_subtotal=100000.0, price_subtotal_incl=100000.0)
        data = self.card_order([line], [(self.cash_method, 100.0)])
        data.update(amount_total=100.0, amount_paid=100.0)  # what Odoo checks against the payments
        order = self.sync(data, user=self.pos_cashier)
        self.assertTrue(order.stored_value_review)
        self.assertEqual(self.other_card.balance, 0.0)
        self.assertNothingMinted(before)

    def test_an_order_whose_total_differs_from_its_lines_books_no_card(self):
        data = self.card_order([(self.haircut, 2)], [(self.sv_method, 60.0)])
        data.update(amount_total=60.0, amount_paid=60.0)
        self.pin_token(data, 0, 60.0)
        order = self.sync(data, user=self.pos_cashier)
        self.assertEqual(order.payment_ids.stored_value_state, "uncovered")
        self.assertIn("lines come to", order.payment_ids.stored_value_issue)
        self.assertEqual(self.card.balance, 100.0)

    def test_booking_fields_sent_by_a_terminal_are_ignored(self):
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        self.pin_token(data, 0, 60.0)
        data["payment_ids"][0][2].update(stored_value_state="booked", stored_value_balance_after=1000.0)
        data["stored_value_review"] = False
        order = self.sync(data, user=self.pos_cashier)
        self.assertEqual(order.payment_ids.stored_value_state, "booked")
        self.assertEqual(order.payment_ids.stored_value_balance_after, 40.0)
        self.assertEqual(self.card.balance, 40.0, "the card was really debited")
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            order.payment_ids.with_user(self.pos_cashier).write({"amount": 1.0})
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            order.payment_ids.with_user(self.pos_cashier).write({"stored_value_state": False})

    def test_what_the_top_ups_of_an_order_came_to_is_the_servers_count(self):
        """The reports leave it out of what the customer bought: a forged figure would move tiers and segments."""
        line = self.top_up_line(100.0, card=self.other_card)
        data = self.card_order([line, (self.haircut, 1)], [(self.cash_method, 160.0)])
        data["stored_value_top_up_amount"] = 0.0
        order = self.sync(data, user=self.pos_cashier)
        self.assertEqual(order.stored_value_top_up_amount, 100.0)
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            order.with_user(self.pos_cashier).write({"stored_value_top_up_amount": 0.0})
        # A shop upgrading to this version has its past orders filled by one statement.
        self.env.cr.execute("UPDATE pos_order SET stored_value_top_up_amount = 0 WHERE id = %s", [order.id])
        order._fill_stored_value_top_up_amount()
        self.assertEqual(order.stored_value_top_up_amount, 100.0)

    def test_uuids_chosen_to_share_a_booking_key_book_nothing(self):
        """``a/payment/b`` + ``c`` and ``a`` + ``b/payment/c`` would make one key for two payments."""
        order_uuid, payment_uuid, last = str(uuid4()), str(uuid4()), str(uuid4())
        first = self.card_order([(self.haircut, 1)], [(self.sv_method, 30.0), (self.cash_method, 30.0)])
        first["uuid"] = f"{order_uuid}/payment/{payment_uuid}"
        first["payment_ids"][0][2]["uuid"] = last
        second = self.card_order([(self.haircut, 1)], [(self.sv_method, 30.0), (self.cash_method, 30.0)])
        second["uuid"] = order_uuid
        second["payment_ids"][0][2]["uuid"] = f"{payment_uuid}/payment/{last}"
        self.card.sudo()._posting().write({"pin_hash": False})
        orders = self.sync(first, second, user=self.pos_cashier)
        booked = orders.payment_ids.filtered(lambda payment: payment.stored_value_state == "booked")
        self.assertEqual(self.card.balance, 100.0 - 30.0 * len(booked))
        self.assertFalse(booked, "neither payment has a well-formed key")
        self.assertLedgerAgrees()

    def test_a_pin_proof_pays_once_that_amount_for_that_payment(self):
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 20.0), (self.cash_method, 40.0)])
        self.pin_token(data, 0, 20.0)
        token = data["payment_ids"][0][2]["stored_value_pin_token"]
        self.sync(data, user=self.pos_cashier)
        self.assertEqual(self.card.balance, 80.0)
        replayed = self.card_order(
            [(self.haircut, 1)], [(self.sv_method, 20.0, {"stored_value_pin_token": token}), (self.cash_method, 40.0)]
        )
        order = self.sync(replayed, user=self.pos_cashier)
        self.assertEqual(order.payment_ids.filtered("stored_value_card_id").stored_value_state, "uncovered")
        bigger = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        self.pin_token(bigger, 0, 10.0)
        order = self.sync(bigger, user=self.pos_cashier)
        self.assertIn("typed the PIN for", order.payment_ids.stored_value_issue)
        self.assertEqual(self.card.balance, 80.0)
        self.assertLedgerAgrees()

    def test_a_card_gives_no_change(self):
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 90.0)])
        data.update(amount_paid=90.0, amount_return=-30.0)  # the server adds the cash change line
        self.pin_token(data, 0, 90.0)
        order = self.sync(data, user=self.pos_cashier)
        card_payment = order.payment_ids.filtered("stored_value_card_id")
        self.assertEqual(card_payment.stored_value_state, "uncovered")
        self.assertIn("a card gives no change", card_payment.stored_value_issue)
        self.assertEqual(self.card.balance, 100.0)

    def test_a_refund_to_a_card_is_capped_by_what_it_paid(self):
        data = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        self.pin_token(data, 0, 60.0)
        paid = self.sync(data, user=self.pos_cashier)
        self.assertEqual(self.card.balance, 40.0)
        refund = self.card_order([(self.haircut, -2)], [(self.sv_method, -120.0)])
        refund["lines"][0][2]["refunded_orderline_id"] = paid.lines.id
        order = self.sync(refund, user=self.pos_cashier) - paid
        self.assertEqual(order.payment_ids.stored_value_state, "uncovered")
        self.assertIn("at most", order.payment_ids.stored_value_issue)
        self.assertEqual(self.card.balance, 40.0)
        store_credit = self.card_order([(self.haircut, -1)], [(self.sv_method, -60.0)])
        order = self.sync(store_credit, user=self.pos_cashier)
        self.assertEqual(order.payment_ids.stored_value_state, "uncovered", "a return of nothing this card paid")
        self.assertEqual(self.card.balance, 40.0)
        self.assertLedgerAgrees()

    # ------------------------------------------------------------------
    # Accounting users cannot create card money
    # ------------------------------------------------------------------

    def refund_payment(self, user, amount, invoices=None):
        return (
            self.env["account.payment"]
            .with_user(user)
            .create(
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "partner_id": self.holder.id,
                    "amount": amount,
                    "journal_id": self.sv_journal.id,
                    "stored_value_card_id": self.card.id,
                    "invoice_ids": [Command.set((invoices or self.env["account.move"]).ids)],
                }
            )
        )

    def test_a_billing_clerk_cannot_put_money_on_a_card(self):
        billing = self.roles["billing"]
        before = self.total_value()
        with self.assertRefused("without a credit note"):
            self.refund_payment(billing, 5000.0).action_post()
        invoice = self.make_invoice(30)
        self.pay_with_card(invoice, self.card, user=billing, pin="2468")
        self.assertEqual(self.card.balance, 70.0)
        credit_note = invoice._reverse_moves()
        credit_note.action_post()
        with self.assertRefused("not refunded yet"):
            self.refund_payment(billing, 5000.0, credit_note).action_post()
        self.pay_with_card(credit_note, self.card, user=billing)
        self.assertEqual(self.card.balance, 100.0)
        self.assertNothingMinted(before)

    # ------------------------------------------------------------------
    # Every public method, every role, hostile arguments
    # ------------------------------------------------------------------

    def _public_methods(self, model):
        """``{name: ours}``: methods of ``model`` a remote call can reach that this addon defines (``ours``)
        or overrides."""
        methods = {}
        for klass in type(self.env[model]).__mro__:
            for name, member in vars(klass).items():
                if not callable(member) or name.startswith("_") or getattr(member, "_api_private", False):
                    continue
                if klass.__module__.startswith("odoo.addons.stored_value_crm."):
                    methods.setdefault(name, True)
                elif name in methods:
                    methods[name] = False  # Odoo defines it too: an override
        return methods

    def test_every_public_method_refuses_hostile_arguments(self):
        """Each role calls each public method of the suite's models with hostile arguments: nothing is minted,
        and the methods this addon defines answer with a clear refusal, never a traceback."""
        before = self.total_value()
        printed = self.env["stored.value.card.batch"].create({"quantity": 5})
        printed.action_generate()
        targets = [  # one record each, as the web client's buttons call them
            self.card,
            self.foreign_card,
            self.card.ledger_ids[:1],
            self.env["stored.value.bonus.rule"],
            self.env["stored.value.followup.plan"].create(
                {
                    "name": "Call big balances",
                    "company_id": self.company.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                }
            ),
            self.env["pos.order"],
            self.env["pos.payment"],
            self.holder,
            self.env["account.payment"],
            self.env["stored.value.card.batch"].create({"quantity": 5}),  # draft: anyone may try to generate it
            printed.stock_ids[:1],
            self.env["stored.value.card.stock"],
        ]
        skipped = {"create", "write", "unlink", "copy"}  # covered above with protected fields
        refused, tracebacks = [], []
        for records in targets:
            model = records._name
            for name, ours in self._public_methods(model).items():
                if name in skipped:
                    continue
                parameters = list(inspect.signature(getattr(type(records), name)).parameters.values())[1:]
                arity = len(
                    [
                        param
                        for param in parameters
                        if param.default is inspect.Parameter.empty and param.kind is param.POSITIONAL_OR_KEYWORD
                    ]
                )
                for role, user in self.roles.items():
                    for value in HOSTILE_VALUES:
                        try:
                            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                                getattr(records.with_user(user), name)(*([value] * arity))
                        except REFUSALS as error:
                            refused.append(type(error).__name__)
                        except Exception as error:  # anything else is what this test looks for
                            if ours:
                                tracebacks.append(f"{model}.{name}({value!r}) as {role}: {error!r}")
        self.assertEqual(tracebacks, [])
        self.assertGreater(len(refused), 100)
        self.assertNothingMinted(before)


@tagged("post_install", "-at_install")
class TestInsiderWalletOverRpc(StoredValuePosCommon, HttpCase):
    """The same attempts as a dishonest user sends them: JSON-RPC calls to a running server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = cls._create_sv_user("rpc_clerk", "RPC Clerk", ["stored_value_crm.group_stored_value_user"], [])
        (cls.clerk | cls.pos_cashier).password = "insider-pass-1"

    def call(self, login, model, method, *args, **kwargs):
        self.authenticate(login, "insider-pass-1")
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_a_clerk_cannot_mint_or_redirect_a_card_over_rpc(self):
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call("rpc_clerk", "stored.value.card", "create", {"partner_id": self.holder.id, "balance": 100000})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call("rpc_clerk", "stored.value.card", "write", [self.card.id], {"partner_id": self.other_holder.id})
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call("rpc_clerk", "stored.value.card", "write", [self.card.id], {"new_pin": "1111"})
        self.assertEqual((self.card.partner_id, self.card.balance), (self.holder, 0.0))
        self.assertLedgerAgrees()

    def test_a_forged_top_up_synced_over_rpc_credits_nothing(self):
        line = self.top_up_line(100.0)
        line.update(price_subtotal=100000.0, price_subtotal_incl=100000.0)
        data = self.card_order([line], [(self.cash_method, 100.0)])
        data.update(amount_total=100.0, amount_paid=100.0)
        self.call(self.pos_cashier.login, "pos.order", "sync_from_ui", [json.loads(json.dumps(data, default=str))])
        self.env.invalidate_all()
        self.assertEqual(self.card.balance, 0.0)
        order = self.env["pos.order"].search([("uuid", "=", data["uuid"])])
        self.assertTrue(order.stored_value_review)
        self.assertLedgerAgrees()

    def test_a_top_up_total_forged_over_rpc_is_not_kept(self):
        """Booked as bought, a top-up would lift its customer's tier and segment: the server's count stands."""
        data = self.card_order(
            [self.top_up_line(100.0, card=self.card), (self.haircut, 1)], [(self.cash_method, 160.0)]
        )
        data["stored_value_top_up_amount"] = 0.0
        self.call(self.pos_cashier.login, "pos.order", "sync_from_ui", [json.loads(json.dumps(data, default=str))])
        order = self.env["pos.order"].search([("uuid", "=", data["uuid"])])
        self.assertEqual(order.stored_value_top_up_amount, 100.0)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"), mute_logger("odoo.http"):
            self.call(self.pos_cashier.login, "pos.order", "write", [order.id], {"stored_value_top_up_amount": -5000.0})
        self.env.invalidate_all()
        self.assertEqual(order.stored_value_top_up_amount, 100.0)

    def test_a_bad_order_in_a_batch_sent_over_rpc_is_refused_alone(self):
        self.top_up(self.card, 200.0)
        good = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        nan_amount = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        nan_amount["payment_ids"][0][2]["amount"] = math.nan
        text_quantity = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        text_quantity["lines"][0][2]["qty"] = "lots"
        extra_field = self.card_order([(self.haircut, 1)], [(self.sv_method, 60.0)])
        extra_field["payment_ids"][0][2]["stored_value_card_id"] = "all of them"
        batch = [good, nan_amount, text_quantity, extra_field]
        params = {"model": "pos.order", "method": "sync_from_ui", "args": [batch], "kwargs": {}}
        # requests will not write NaN in JSON: a dishonest client writes the request's text itself.
        body = json.dumps({"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}, default=str)
        self.authenticate(self.pos_cashier.login, "insider-pass-1")
        with mute_logger("odoo.sql_db", "odoo.addons.stored_value_crm.models.pos_order"):
            response = self.opener.post(
                f"{self.base_url()}/web/dataset/call_kw/pos.order/sync_from_ui",
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=60,
            )
        result = response.json()["result"]
        self.env.invalidate_all()
        self.assertEqual([order["uuid"] for order in result["pos.order"]], [good["uuid"]])
        refused = [nan_amount["uuid"], text_quantity["uuid"], extra_field["uuid"]]
        self.assertFalse(self.env["pos.order"].search_count([("uuid", "in", refused)]), "nothing of them is saved")
        self.assertEqual(self.card.balance, 140.0, "only the good order paid from the card")
        self.assertLedgerAgrees()
