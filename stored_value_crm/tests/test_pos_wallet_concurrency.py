import threading
import time
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import ValidationError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, mute_logger

from ..models.pos_payment import PosPayment


@tagged("post_install", "-at_install")
class TestPosWalletConcurrency(BaseCase):
    """Two POS sessions syncing card payments at once, each in its own database transaction.

    The shop is committed, as real terminals see it, in a company of its own that no other test reads.
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
                    "company_ids": [fields.Command.set(company.ids)],
                    "group_ids": [
                        fields.Command.link(env.ref("base.group_user").id),
                        fields.Command.link(env.ref("point_of_sale.group_pos_user").id),
                    ],
                }
            )
            cash = env["pos.payment.method"].create(
                {
                    "name": "Cash",
                    "journal_id": env["account.journal"]
                    .search([("type", "=", "cash"), ("company_id", "=", company.id)], limit=1)
                    .id,
                    "company_id": company.id,
                }
            )
            card_method = company._stored_value_pos_payment_method()
            cls.session_ids = []
            for till in ("Till 1", "Till 2"):
                config = env["pos.config"].create(
                    {"name": till, "company_id": company.id, "payment_method_ids": [(6, 0, (cash | card_method).ids)]}
                )
                config.with_user(cashier).open_ui()
                cls.session_ids.append(config.current_session_id.id)
            product = env["product.product"].create(
                {"name": "Massage", "list_price": 70.0, "available_in_pos": True, "taxes_id": False}
            )
            cls.company_id, cls.cashier_id = company.id, cashier.id
            cls.product_id, cls.card_method_id = product.id, card_method.id

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})
            partner = env["res.partner"].create({"name": "Concurrent Holder"})
            card = env["stored.value.card"].create({"partner_id": partner.id, "company_id": self.company_id})
            card._credit_top_up(100.0, f"concurrency/{card.id}/top-up", source_ref=f"stored.value.card,{card.id}")
            self.card_id, self.partner_id = card.id, partner.id

    def _order(self, session_id, order_uuid):
        line = {
            "product_id": self.product_id,
            "qty": 1,
            "price_unit": 70.0,
            "price_subtotal": 70.0,
            "price_subtotal_incl": 70.0,
            "tax_ids": [(6, 0, [])],
            "uuid": f"{order_uuid}-line",
        }
        payment = {
            "amount": 70.0,
            "payment_method_id": self.card_method_id,
            "stored_value_card_id": self.card_id,
            "uuid": f"{order_uuid}-payment",
        }
        return {
            "uuid": order_uuid,
            "name": f"Order {order_uuid}",
            "session_id": session_id,
            "partner_id": self.partner_id,
            "user_id": self.cashier_id,
            "amount_paid": 70.0,
            "amount_return": 0.0,
            "amount_tax": 0.0,
            "amount_total": 70.0,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "last_order_preparation_change": "{}",
            "lines": [(0, 0, line)],
            "payment_ids": [(0, 0, payment)],
        }

    def _sync_in_own_transaction(self, order_data, results):
        """One terminal's sync request, in Odoo's retry loop, committed at the end."""
        try:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.cashier_id, {})
                synced = retrying(lambda: env["pos.order"].sync_from_ui([dict(order_data)]), env)
                results.append(("ok", synced["pos.order"][-1]["id"]))
        except ValidationError as error:
            results.append(("refused", str(error)))

    def _race(self, first_order, second_order):
        """The first terminal holds the card's lock after booking while the second one syncs."""
        results, booked = [], threading.Event()
        book = PosPayment._stored_value_book

        def book_then_hold(payment):
            book(payment)
            if threading.current_thread().name == "till-1":
                booked.set()
                time.sleep(0.5)  # the second terminal is now blocked behind this transaction

        first = threading.Thread(target=self._sync_in_own_transaction, args=(first_order, results), name="till-1")
        second = threading.Thread(target=self._sync_in_own_transaction, args=(second_order, results), name="till-2")
        with patch.object(PosPayment, "_stored_value_book", book_then_hold), mute_logger("odoo.sql_db"):
            first.start()
            booked.wait(30)
            second.start()
            first.join(60)
            second.join(60)
        return results

    def _card_state(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """SELECT card.balance, COUNT(entry.id) FILTER (WHERE entry.entry_type = 'spend'),
                              SUM(entry.principal_amount + entry.bonus_amount)
                         FROM stored_value_card card JOIN stored_value_ledger entry ON entry.card_id = card.id
                        WHERE card.id = %s GROUP BY card.id""",
                    self.card_id,
                )
            )
            return tuple(float(value) for value in cr.fetchone())

    def _orders(self, uuids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["pos.order"].search([("uuid", "in", uuids)])
            return {
                order.uuid: (order.state, order.stored_value_review, order.payment_ids.stored_value_state)
                for order in orders
            }

    def test_two_sessions_spending_one_card_at_once_never_overdraw_it(self):
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        results = self._race(self._order(self.session_ids[0], first), self._order(self.session_ids[1], second))
        self.assertEqual(
            [status for status, _ in results], ["ok", "ok"], f"neither terminal loses its order: {results}"
        )
        self.assertEqual(self._card_state()[:2], (30.0, 1.0), "one payment booked, the card never overdrawn")
        self.assertEqual(
            self._orders([first, second]),
            {first: ("paid", False, "booked"), second: ("paid", True, "uncovered")},
            "the order the card no longer covers is kept and flagged for a manager",
        )

    def test_one_order_synced_twice_at_once_books_once(self):
        order_uuid = str(uuid.uuid4())
        data = self._order(self.session_ids[0], order_uuid)
        results = self._race(data, data)
        refusals = [message for status, message in results if status == "refused"]
        self.assertTrue(all("already exists" in message for message in refusals), refusals)
        retried = []
        self._sync_in_own_transaction(data, retried)  # the terminal syncs again later
        self.assertEqual({order_id for status, order_id in results + retried if status == "ok"}, {retried[0][1]})
        self.assertEqual(self._orders([order_uuid]), {order_uuid: ("paid", False, "booked")})
        self.assertEqual(self._card_state()[:2], (30.0, 1.0))
