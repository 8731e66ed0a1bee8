import math
from uuid import uuid4

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StoredValuePosCommon

# What a JSON payload can carry where the POS puts a figure, a reference or a list.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=2),
    max_leaves=4,
)
ORDER_KEYS = ("amount_total", "amount_paid", "amount_tax", "amount_return", "partner_id", "lines", "payment_ids")
LINE_KEYS = ("qty", "price_unit", "discount", "price_subtotal_incl", "product_id", "tax_ids", "stored_value_card_id")
PAYMENT_KEYS = ("amount", "payment_method_id", "stored_value_card_id", "uuid")


@tagged("post_install", "-at_install")
class TestPosSyncBatch(StoredValuePosCommon):
    """A batch of orders reaching the server at once: a bad order is refused alone, the others sync."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Refusals are read in Chinese: a message that stays English was not translated.
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["base", "stored_value_crm"], ["zh_CN"])
        cls.pos_cashier.lang = "zh_CN"

    def setUp(self):
        super().setUp()
        self.top_up(self.card, 500.0)

    def sync_at_till(self, *orders_data):
        """Sync as the POS does for the cashier: as that user, in their language."""
        till = self.env["pos.order"].with_user(self.pos_cashier).with_context(lang="zh_CN")
        # A refusal is logged, and so is the statement PostgreSQL refused when the data reached it.
        with mute_logger("odoo.sql_db", "odoo.addons.stored_value_crm.models.pos_order"):
            result = till.sync_from_ui(list(orders_data))
        return self.env["pos.order"].browse([order["id"] for order in result["pos.order"]])

    def card_payment(self, amount=60.0):
        return self.card_order([(self.haircut, amount / 60.0)], [(self.sv_method, amount)])

    def sold_top_up(self, amount):
        return self.card_order([self.top_up_line(amount)], [(self.cash_method, amount)])

    def bad_orders(self):
        """``[(what the refusal says, order)]``: orders a terminal, or someone posing as one, could send."""
        nan_payment = self.card_payment()
        nan_payment["payment_ids"][0][2]["amount"] = math.nan
        infinite_total = self.card_payment()
        infinite_total["amount_total"] = math.inf
        text_quantity = self.card_payment()
        text_quantity["lines"][0][2]["qty"] = "1e9"
        negative_top_up = self.card_order(
            [{**self.top_up_line(100.0), "quantity": -1}, (self.haircut, 2)], [(self.cash_method, 20.0)]
        )
        lines_not_a_list = self.card_payment()
        lines_not_a_list["lines"] = "all of them"
        no_product = self.card_payment()
        no_product["lines"][0][2]["product_id"] = "Haircut"
        no_session = self.card_payment()
        no_session["session_id"] = None
        text_customer = self.card_payment()
        text_customer["partner_id"] = "Li Na"
        return [
            ("不是金额", nan_payment),
            ("不是金额", infinite_total),
            ("不是金额", text_quantity),
            ("充值行", negative_top_up),
            ("无法读取", lines_not_a_list),
            ("无法读取", no_product),
            ("收银会话", no_session),
            ("无法读取", text_customer),
        ]

    def refusal_notes(self):
        return self.pos_session.message_ids.filtered(lambda message: "同步时被拒绝" in (message.body or ""))

    def test_one_bad_order_never_blocks_the_others(self):
        for reason, bad in self.bad_orders():
            with self.subTest(reason=reason, order=bad["uuid"]):
                notes = self.refusal_notes()
                balance, payment, sale = self.card.balance, self.card_payment(60.0), self.sold_top_up(100.0)
                orders = self.sync_at_till(payment, bad, sale)
                self.assertEqual(orders.mapped("uuid"), [payment["uuid"], sale["uuid"]], "the good orders sync")
                self.assertFalse(self.env["pos.order"].search_count([("uuid", "=", bad["uuid"])]))
                self.assertEqual(orders[0].payment_ids.stored_value_state, "booked")
                credited = orders[1].lines.stored_value_ledger_id
                self.assertTrue(credited, "the top-up is booked on the card")
                self.assertAlmostEqual(self.card.balance, balance - 60.0 + 100.0, places=2)
                note = self.refusal_notes() - notes
                self.assertEqual(len(note), 1, "the session tells a manager, in the cashier's language")
                self.assertIn(reason, note.body)
        self.assertLedgerAgrees()

    def test_a_bad_order_alone_is_refused_with_its_reason(self):
        for reason, bad in self.bad_orders():
            with self.subTest(reason=reason, order=bad["uuid"]), self.assertRefused(reason):
                self.sync_at_till(bad)
        self.assertFalse(self.pos_session.order_ids)

    def test_a_batch_of_only_bad_orders_gives_every_reason(self):
        bad = dict(self.bad_orders()[-2:])
        with self.assertRaises(UserError) as refusal, self.env.cr.savepoint():
            self.sync_at_till(*bad.values())
        for reason in bad:
            self.assertIn(reason, refusal.exception.args[0])
        self.assertFalse(self.pos_session.order_ids)

    def test_a_batch_synced_twice_books_each_order_once(self):
        payment, sale = self.card_payment(60.0), self.sold_top_up(100.0)
        balance = self.card.balance
        self.sync_at_till(payment, sale)
        entries = self.card.ledger_ids
        orders = self.sync_at_till(payment, sale)
        self.assertEqual(len(orders), 2)
        self.assertEqual(self.card.ledger_ids, entries, "the replay books nothing more")
        self.assertAlmostEqual(self.card.balance, balance - 60.0 + 100.0, places=2)
        self.assertLedgerAgrees()

    def test_anything_but_a_list_of_orders_is_refused(self):
        for payload in ({"uuid": str(uuid4())}, "orders", None):
            with self.subTest(payload=payload), self.assertRefused("无法读取"):
                self.env["pos.order"].with_user(self.pos_cashier).with_context(lang="zh_CN").sync_from_ui(payload)

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        where=st.sampled_from(("order", "line", "payment")),
        key_index=st.integers(min_value=0, max_value=6),
        value=JSON_VALUES,
    )
    # Found by this test: payments or lines that are not a list stopped the whole sync with a TypeError.
    @example(where="order", key_index=6, value=True)
    @example(where="order", key_index=5, value=7)
    def test_whatever_a_payload_carries_it_syncs_or_is_refused_alone(self, where, key_index, value):
        """A random value anywhere in an order: it syncs, or it is refused with nothing of it written,
        and the order synced with it in the same batch is booked either way."""
        order, good = self.card_payment(60.0), self.card_payment(60.0)
        target, keys = {
            "order": (order, ORDER_KEYS),
            "line": (order["lines"][0][2], LINE_KEYS),
            "payment": (order["payment_ids"][0][2], PAYMENT_KEYS),
        }[where]
        target[keys[key_index % len(keys)]] = value
        with self.env.cr.savepoint() as savepoint:
            synced = self.sync_at_till(order, good)
            self.assertIn(good["uuid"], synced.mapped("uuid"))
            self.assertEqual(synced.filtered(lambda o: o.uuid == good["uuid"]).payment_ids.stored_value_state, "booked")
            if order["uuid"] not in synced.mapped("uuid"):
                self.assertFalse(self.env["pos.order"].search_count([("uuid", "=", order["uuid"])]))
            self.assertEqual(self.card._ledger_discrepancies(), {})
            savepoint.rollback()
